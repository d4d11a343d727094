"""Seeding and ground-truth reads for tests and the demo, bypassing the AWS APIs (and their policies).

Accounts are built directly on moto's models: moto's CreateAccount attaches the default policies by scanning
every account, which is quadratic and far too slow for 10,000 accounts.
"""

from __future__ import annotations

import datetime
import gc
import json
import secrets
import string
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.organizations import utils as org_utils
from moto.organizations.models import FakeAccount, organizations_backends
from moto.s3.models import s3_backends
from moto.sqs.models import sqs_backends

from . import member_role, state
from .organizations_ext import index_accounts, set_iam_trusted_access
from .iam_ext import FEATURES

MANAGEMENT_ACCOUNT_ID = DEFAULT_ACCOUNT_ID
DEFAULT_OUS = ["Workloads"]
MAX_ACCOUNTS = 20_000
_ALNUM = string.ascii_uppercase + string.digits


class SeedError(ValueError):
    """Bad seeding input; the message names the bad value and what is allowed."""


def _random(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _management_backend() -> Any:
    return organizations_backends[MANAGEMENT_ACCOUNT_ID]["aws"]


def _int_option(options: dict[str, Any], name: str, default: int, maximum: int) -> int:
    value = options.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > maximum:
        raise SeedError(f"{name} must be an integer from 0 to {maximum}, got {value!r}")
    return value


def seed_organization(options: dict[str, Any]) -> dict[str, Any]:
    """Create (or extend) the organization of the management account; the options are the desired state."""
    count = _int_option(options, "accounts", 0, MAX_ACCOUNTS)
    suspended = _int_option(options, "suspendedAccounts", 0, count)
    ou_names = options.get("ous") or DEFAULT_OUS
    if not isinstance(ou_names, list) or not all(isinstance(n, str) and n for n in ou_names):
        raise SeedError(f"ous must be a list of non-empty names, got {ou_names!r}")
    features = options.get("features", list(FEATURES))
    if not isinstance(features, list) or any(f not in FEATURES for f in features):
        raise SeedError(f"features must be a list of {', '.join(FEATURES)}; got {features!r}")
    trusted = options.get("trustedAccessForIam", True)
    if not isinstance(trusted, bool):
        raise SeedError(f"trustedAccessForIam must be true or false, got {trusted!r}")

    backend = _management_backend()
    with state.LOCK:
        if backend.org is None:
            backend.create_organization(region="us-east-1", FeatureSet="ALL")
        org = backend.org
        ous = []
        for name in ou_names:
            ou = next((o for o in backend.ou if o.name == name and o.parent_id == org.root_id), None)
            if ou is None:
                ou = backend.get_organizational_unit_by_id(
                    backend.create_organizational_unit(ParentId=org.root_id, Name=name)["OrganizationalUnit"]["Id"]
                )
            ous.append(ou)
        default_policies = [backend.get_policy_by_id(p) for p in (org_utils.DEFAULT_SCP_POLICY_ID, org_utils.DEFAULT_RCP_POLICY_ID)]
        taken = {a.id for a in backend.accounts} | set(organizations_backends.master_accounts)
        start = len(backend.accounts)
        created = []
        for index in range(count):
            number = start + index
            name = f"member-{number:05d}"
            account = FakeAccount(org, AccountName=name, Email=f"{name}@example.com")
            while account.id in taken:
                account = FakeAccount(org, AccountName=name, Email=f"{name}@example.com")
            taken.add(account.id)
            account.parent_id = ous[index % len(ous)].id
            for policy in default_policies:
                account.attached_policies.append(policy)
                policy.attachments.append(account)
            backend.accounts.append(account)
            organizations_backends.master_accounts[account.id] = (backend.account_id, backend.partition)
            created.append(account)
        for account in created[len(created) - suspended :] if suspended else []:
            account.status = account.state = "SUSPENDED"
        set_iam_trusted_access(backend, trusted)
        state.ORG_FEATURES[org.id] = set(features)
        index_accounts(backend)
    # Thousands of long-lived account objects would otherwise be rescanned by every full garbage collection
    # for the rest of the run; they stay until the sandbox exits anyway.
    gc.freeze()

    members = [a for a in backend.accounts if a.id != backend.account_id]
    return {
        "organizationId": org.id,
        "managementAccountId": backend.account_id,
        "rootId": org.root_id,
        "ous": [{"id": ou.id, "name": ou.name} for ou in ous],
        "accounts": [
            {"id": a.id, "name": a.name, "email": a.email, "ouId": a.parent_id, "state": a.state} for a in members
        ],
    }


def describe_organization() -> dict[str, Any]:
    backend = _management_backend()
    if backend.org is None:
        return {"organizationId": None}
    members = [a for a in backend.accounts if a.id != backend.account_id]
    return {
        "organizationId": backend.org.id,
        "managementAccountId": backend.account_id,
        "trustedAccessForIam": any(s["ServicePrincipal"] == "iam.amazonaws.com" for s in backend.services),
        "features": sorted(state.ORG_FEATURES.get(backend.org.id, set())),
        "accounts": len(members),
        "suspendedAccounts": sum(1 for a in members if a.state == "SUSPENDED"),
        "rootSessionsIssued": len(state.ROOT_SESSIONS),
    }


def seed_root_credentials(account_id: str, options: dict[str, Any]) -> dict[str, Any]:
    """Replace the root user's credentials of `account_id` with exactly the ones described. Returns their summary
    and the new access keys: requests signed with them act as the account's root user (until a runbook deletes
    them; the keys replaced here stop working at once)."""
    login = options.get("loginProfile", False)
    if not isinstance(login, bool):
        raise SeedError(f"loginProfile must be true or false, got {login!r}")
    keys = _int_option(options, "accessKeys", 0, 2)
    mfa = _int_option(options, "mfaDevices", 0, 8)
    certs = _int_option(options, "signingCertificates", 0, 2)
    now = state.utcnow()
    creds = state.RootCredentials(login_profile_created=now if login else None)
    for _ in range(keys):
        key = state.RootAccessKey("AKIA" + _random(16), _random(40, string.ascii_letters + string.digits), "Active", now)
        # A used key makes GetAccessKeyLastUsed meaningful for audits.
        key.last_used = now - datetime.timedelta(days=30)
        key.last_used_region, key.last_used_service = "us-east-1", "s3"
        creds.access_keys[key.access_key_id] = key
        state.record_secret(key.secret_access_key)
    for index in range(mfa):
        suffix = "" if index == 0 else f"-{index + 1}"
        serial = f"arn:aws:iam::{account_id}:mfa/root-account-mfa-device{suffix}"
        creds.mfa_devices[serial] = state.RootMfaDevice(serial, now)
    for _ in range(certs):
        cert_id = _random(32)
        body = f"-----BEGIN CERTIFICATE-----\n{_random(64)}\n-----END CERTIFICATE-----"
        creds.signing_certificates[cert_id] = state.RootSigningCertificate(cert_id, body, "Active", now)
    with state.LOCK:
        state.ROOT_CREDENTIALS[account_id] = creds
        for key_id in creds.access_keys:
            state.ROOT_KEY_ACCOUNT[key_id] = account_id
    keys = [{"accessKeyId": k.access_key_id, "secretAccessKey": k.secret_access_key} for k in creds.access_keys.values()]
    return {**creds.summary(), "credentials": keys}


def read_root_credentials(account_id: str) -> dict[str, Any]:
    creds = state.ROOT_CREDENTIALS.get(account_id)
    return (creds or state.RootCredentials()).summary()


def _deny_all_except(principal_arn: str, actions: str, resources: list[str], sid: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": sid,
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": actions,
                    "Resource": resources,
                    "Condition": {"ArnNotEquals": {"aws:PrincipalArn": principal_arn}},
                }
            ],
        }
    )


def _policy_text(options: dict[str, Any]) -> str | None:
    policy = options.get("policy")
    if policy is None or isinstance(policy, str):
        return policy
    if isinstance(policy, dict):
        return json.dumps(policy)
    raise SeedError(f"policy must be a policy document (object or text) or null, got {policy!r}")


def _region(options: dict[str, Any]) -> str:
    region = options.get("region") or "us-east-1"
    if not isinstance(region, str) or not region:
        raise SeedError(f"region must be a region name, got {region!r}")
    return region


def seed_bucket(account_id: str, options: dict[str, Any]) -> dict[str, Any]:
    """A bucket of the account in `region` (created if missing) with exactly `policy` (null: none)."""
    bucket = options.get("bucket")
    if not isinstance(bucket, str) or not 3 <= len(bucket) <= 63:
        raise SeedError(f"bucket must be a bucket name of 3 to 63 characters, got {bucket!r}")
    region, policy = _region(options), _policy_text(options)
    s3 = s3_backends[account_id]["aws"]
    with state.LOCK:
        if bucket not in s3.buckets:
            s3.create_bucket(bucket, region)
        if policy is None:
            s3.buckets[bucket].policy = None
        else:
            s3.put_bucket_policy(bucket, policy.encode("utf-8"))
    return {"bucket": bucket, "region": s3.buckets[bucket].region_name, "policy": policy}


def seed_queue(account_id: str, options: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A queue of the account in `region` (created if missing) with exactly `policy` (null: none)."""
    name = options.get("queueName")
    if not isinstance(name, str) or not 1 <= len(name) <= 80:
        raise SeedError(f"queueName must be a queue name of 1 to 80 characters, got {name!r}")
    region, policy = _region(options), _policy_text(options)
    sqs = sqs_backends[account_id][region]
    with state.LOCK:
        sqs.create_queue(name)
        sqs.set_queue_attributes(name, {"Policy": policy or ""})
    # The same URL moto gives a client that talks to this endpoint.
    return {"queueUrl": f"{base_url}/{account_id}/{name}", "queueArn": f"arn:aws:sqs:{region}:{account_id}:{name}", "policy": policy}


def seed_locked_bucket(account_id: str, options: dict[str, Any]) -> dict[str, Any]:
    bucket = options.get("bucket")
    pipeline = options.get("pipelineRoleArn") or f"arn:aws:iam::{account_id}:role/pipeline"
    policy = _deny_all_except(pipeline, "s3:*", [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"], "DenyAllExceptPipeline")
    seeded = seed_bucket(account_id, {"bucket": bucket, "region": options.get("region"), "policy": policy})
    return {"bucket": seeded["bucket"], "policy": policy}


def seed_locked_queue(account_id: str, options: dict[str, Any], base_url: str) -> dict[str, Any]:
    name = options.get("queueName")
    region = _region(options)
    queue_arn = f"arn:aws:sqs:{region}:{account_id}:{name}"
    pipeline = options.get("pipelineRoleArn") or f"arn:aws:iam::{account_id}:role/pipeline"
    policy = _deny_all_except(pipeline, "sqs:*", [queue_arn], "DenyAllExceptPipeline")
    seeded = seed_queue(account_id, {"queueName": name, "region": region, "policy": policy}, base_url)
    return {"queueUrl": seeded["queueUrl"], "policy": policy}


_ADMIN_KEYS: dict[str, dict[str, str]] = {}


def member_admin_credentials(account_id: str) -> dict[str, str]:
    """Long-term keys of an IAM user 'sandbox-admin' with AdministratorAccess in the account."""
    with state.LOCK:
        if account_id not in _ADMIN_KEYS:
            iam = iam_backends[account_id]["global"]
            if "sandbox-admin" not in iam.users:
                user = iam.create_user("us-east-1", user_name="sandbox-admin", path="/", tags=[])
                member_role.administrator_access(iam).attach_to(user)
            key = iam.create_access_key("sandbox-admin")
            _ADMIN_KEYS[account_id] = {"accessKeyId": key.access_key_id, "secretAccessKey": key.secret_access_key}
        return _ADMIN_KEYS[account_id]


def read_bucket_policy(account_id: str, bucket: str) -> str | None:
    s3 = s3_backends[account_id]["aws"]
    if bucket not in s3.buckets:
        raise LookupError(f"bucket {bucket!r} does not exist in account {account_id}")
    policy = s3.buckets[bucket].policy
    return policy.decode("utf-8") if isinstance(policy, bytes) else policy


def read_queue_policy(account_id: str, queue_url: str) -> str | None:
    parts = queue_url.rstrip("/").split("/")
    if len(parts) < 2:
        raise SeedError(f"queueUrl must end in /<account-id>/<queue-name>, got {queue_url!r}")
    name = parts[-1]
    for region, backend in list(sqs_backends[account_id].items()):
        if name in backend.queues:
            return backend.queues[name].policy
    raise LookupError(f"queue {name!r} does not exist in account {account_id}")
