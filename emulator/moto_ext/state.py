"""The sandbox's own state, kept beside moto's backends: everything AWS has and moto does not model.

All of it is process-wide, like moto's backends. Plain dicts keyed by id keep every lookup O(1), which the
10,000-account fleet benchmark depends on.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from typing import Any

LOCK = threading.RLock()

# Every secret access key and session token the sandbox ever handed out, in issue order. The secret-scan
# tests read it to prove that no command prints a credential.
ISSUED_SECRETS: list[str] = []

# Every temporary session the sandbox issued, in issue order: {"accessKeyId", "kind" ("root" | "role"), "account",
# and "taskPolicyArn" or "roleArn"}. The audit-trail tests check each command's records against it.
ISSUED_SESSIONS: list[dict[str, str]] = []

# Organization id -> enabled centralized-root-access features ("RootCredentialsManagement", "RootSessions").
ORG_FEATURES: dict[str, set[str]] = {}

# Access key id -> account id, for every key moto creates (users' keys and temporary keys). Replaces moto's
# scan over all accounts on each request.
KEY_ACCOUNT: dict[str, str] = {}

# Access key id -> expiry of a temporary AssumeRole session, so expired sessions are refused like AWS does.
TEMP_KEY_EXPIRY: dict[str, datetime.datetime] = {}

# Access key id -> moto's AssumedRole of that session (moto scans a list for it).
ASSUMED_ROLES: dict[str, Any] = {}

# Access key id of a member root user's long-term key (seeded) -> its account. Deleted keys stay here and are
# then refused, as AWS refuses a deleted key.
ROOT_KEY_ACCOUNT: dict[str, str] = {}

# Policy enforcement (authorize.py). On by default; the enforcement-cost benchmark turns it off to measure the
# sandbox without it (then only a root session's task policy is checked, by its allowed-action list, as before).
ENFORCE = True


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def record_secret(*values: str | None) -> None:
    with LOCK:
        ISSUED_SECRETS.extend(v for v in values if v)


def record_session(access_key_id: str, kind: str, account: str, **about: str) -> None:
    with LOCK:
        ISSUED_SESSIONS.append({"accessKeyId": access_key_id, "kind": kind, "account": account, **about})


@dataclass
class RootSession:
    """Credentials returned by sts:AssumeRoot: they act as arn:aws:iam::<account>:root, scoped by one task."""

    account_id: str
    task_policy_arn: str
    task_policy_name: str
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime.datetime
    caller_account_id: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def expired(self) -> bool:
        return utcnow() >= self.expiration


ROOT_SESSIONS: dict[str, RootSession] = {}


@dataclass
class RootAccessKey:
    access_key_id: str
    secret_access_key: str
    status: str
    create_date: datetime.datetime
    last_used: datetime.datetime | None = None
    last_used_region: str | None = None
    last_used_service: str | None = None


@dataclass
class RootMfaDevice:
    serial_number: str
    enable_date: datetime.datetime | None  # None once deactivated: the virtual device exists, unassigned


@dataclass
class RootSigningCertificate:
    certificate_id: str
    body: str
    status: str
    upload_date: datetime.datetime


@dataclass
class RootCredentials:
    """The root user's long-term credentials of one member account (moto models none of them)."""

    login_profile_created: datetime.datetime | None = None
    password_reset_required: bool = False
    access_keys: dict[str, RootAccessKey] = field(default_factory=dict)
    mfa_devices: dict[str, RootMfaDevice] = field(default_factory=dict)
    signing_certificates: dict[str, RootSigningCertificate] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        return {
            "loginProfile": self.login_profile_created is not None,
            "accessKeys": len(self.access_keys),
            "mfaDevices": len(self.mfa_devices),
            "signingCertificates": len(self.signing_certificates),
        }


ROOT_CREDENTIALS: dict[str, RootCredentials] = {}


def root_credentials(account_id: str) -> RootCredentials:
    with LOCK:
        creds = ROOT_CREDENTIALS.get(account_id)
        if creds is None:
            creds = ROOT_CREDENTIALS[account_id] = RootCredentials()
        return creds
