"""STS: AssumeRoot, the root principal in GetCallerIdentity, and trust-policy checks on AssumeRole."""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any

from moto.core.responses import ActionResult
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse
from moto.sts.utils import random_session_token

from . import state, task_policies
from .errors import SandboxError, access_denied, as_moto_response, validation_error
from .organizations_ext import iam_trusted_access, is_iam_delegated_admin, is_member, organization_backend_of
from .trust import evaluate_trust_policy

MAX_ROOT_DURATION = 900
TARGET_PATTERN = re.compile(r"^(?:(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root)$")
TASK_ARN_PATTERN = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/root-task/([A-Za-z0-9]+)$")


def caller_arn(response: TokenResponse) -> str:
    _, arn, _ = sts_backends[response.current_account]["aws"].get_caller_identity(
        response.get_access_key(), response.region
    )
    return arn


def _required_features(task: str) -> set[str]:
    """What AssumeRoot needs enabled for a task.

    The IAM user guide makes root sessions (RootSessions) the switch for every privileged task, and
    root-credential management (RootCredentialsManagement) the switch for auditing, deleting and recovering
    root credentials. We require RootSessions for all five tasks and both for the three credential tasks;
    trusted access for iam.amazonaws.com is checked separately, before either.
    """
    return {"RootSessions", "RootCredentialsManagement"} if task in task_policies.CREDENTIAL_TASKS else {"RootSessions"}


def _assume_root(response: TokenResponse) -> dict[str, Any]:
    target_principal = response._get_param("TargetPrincipal") or ""
    task_policy = response._get_param("TaskPolicyArn") or {}
    task_arn = (task_policy.get("arn") if hasattr(task_policy, "get") else None) or ""
    duration = response._get_param("DurationSeconds")

    target_match = TARGET_PATTERN.match(target_principal)
    if target_match is None:
        raise validation_error(
            f"Value '{target_principal}' at 'targetPrincipal' is invalid: "
            "give a 12-digit account id or arn:aws:iam::<account-id>:root."
        )
    target = target_match.group(1) or target_match.group(2)
    duration = MAX_ROOT_DURATION if duration is None else int(duration)
    if duration > MAX_ROOT_DURATION or duration < 0:
        raise validation_error(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: "
            f"Member must have value {'less than or equal to 900' if duration > 0 else 'greater than or equal to 0'}"
        )

    resource = f"arn:aws:iam::{target}:root"
    denied_prefix = f"User: {caller_arn(response)} is not authorized to perform: sts:AssumeRoot on resource: {resource}"

    task_match = TASK_ARN_PATTERN.match(task_arn)
    task = task_match.group(1) if task_match else None
    if task is None or task not in task_policies.ALLOWED_ACTIONS:
        allowed = ", ".join(task_policies.ARN_PREFIX + name for name in sorted(task_policies.ALLOWED_ACTIONS))
        raise access_denied(f"{denied_prefix} because the task policy {task_arn!r} is not one of {allowed}")

    if response.get_access_key() in state.ROOT_SESSIONS:
        raise access_denied(f"{denied_prefix} because root user credentials cannot call AssumeRoot")
    caller_account = response.current_account
    backend = organization_backend_of(caller_account)
    if backend is None:
        raise access_denied(f"{denied_prefix} because the caller's account is not in an organization")
    if backend.account_id != caller_account and not is_iam_delegated_admin(backend, caller_account):
        raise access_denied(
            f"{denied_prefix} because the caller is neither the management account nor the IAM delegated administrator"
        )
    if not iam_trusted_access(backend):
        raise access_denied(f"{denied_prefix} because trusted access for iam.amazonaws.com is not enabled")
    missing = _required_features(task) - state.ORG_FEATURES.get(backend.org.id, set())
    if missing:
        raise access_denied(
            f"{denied_prefix} because the organization feature {', '.join(sorted(missing))} is not enabled"
        )
    if target == backend.account_id:
        raise access_denied(f"{denied_prefix} because the target is the management account")
    if not is_member(backend, target):
        raise access_denied(f"{denied_prefix} because the target is not a member account of the organization")

    session = state.RootSession(
        account_id=target,
        task_policy_arn=task_arn,
        task_policy_name=task,
        access_key_id="ASIA" + secrets.token_hex(8).upper(),
        secret_access_key=secrets.token_urlsafe(30)[:40],
        session_token=random_session_token(),
        expiration=state.utcnow() + datetime.timedelta(seconds=duration),
        caller_account_id=caller_account,
    )
    with state.LOCK:
        state.ROOT_SESSIONS[session.access_key_id] = session
        state.record_secret(session.secret_access_key, session.session_token)
    return {
        "Credentials": {
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token,
            "Expiration": session.expiration,
        }
    }


def assume_root(self: TokenResponse) -> Any:
    try:
        return ActionResult(_assume_root(self))
    except SandboxError as error:
        return as_moto_response(error)


def _patch_get_caller_identity() -> None:
    original = TokenResponse.get_caller_identity

    def get_caller_identity(self: TokenResponse) -> Any:
        session = state.ROOT_SESSIONS.get(self.get_access_key())
        if session is None:
            return original(self)
        return ActionResult({"UserId": session.account_id, "Account": session.account_id, "Arn": session.arn})

    TokenResponse.get_caller_identity = get_caller_identity  # type: ignore[method-assign]


def _caller_principal(response: TokenResponse) -> str:
    """The ARN a trust policy's Principal is matched against: a role (not its session), a user, or a root."""
    access_key = response.get_access_key()
    session = state.ROOT_SESSIONS.get(access_key)
    if session is not None:
        return session.arn
    backend = sts_backends[response.current_account]["aws"]
    assumed = backend.get_assumed_role_from_access_key(access_key)
    if assumed is not None:
        return assumed.role_arn
    return caller_arn(response).replace(":sts::", ":iam::", 1)


def _patch_assume_role() -> None:
    original = TokenResponse.assume_role

    def assume_role(self: TokenResponse) -> Any:
        role_arn = self._get_param("RoleArn") or ""
        principal = _caller_principal(self)
        denied = access_denied(f"User: {caller_arn(self)} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")
        match = re.match(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)$", role_arn)
        if match is None:
            return as_moto_response(denied)
        role = next((r for r in iam_backends[match.group(1)]["global"].roles.values() if r.arn == role_arn), None)
        if role is None:
            return as_moto_response(denied)
        caller_account = self.current_account
        org_backend = organization_backend_of(caller_account)
        context = {
            "sts:externalid": self._get_param("ExternalId"),
            "aws:principalorgid": org_backend.org.id if org_backend is not None else None,
            "aws:principalarn": principal,
            "aws:principalaccount": caller_account,
        }
        if not evaluate_trust_policy(role.assume_role_policy_document, principal, caller_account, context):
            return as_moto_response(denied)
        return original(self)

    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]


def install() -> None:
    TokenResponse.assume_root = assume_root  # type: ignore[attr-defined]
    _patch_get_caller_identity()
    _patch_assume_role()
