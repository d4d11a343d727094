"""sts:AssumeRoot: who may start a root session in which member account, for which task, for how long."""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any

from moto.sts.utils import random_session_token

from . import query, state, task_policies
from .errors import Response, SandboxError, access_denied, query_xml, validation_error
from .organizations_ext import iam_trusted_access, is_iam_delegated_admin, is_member, organization_backend_of
from .sts_ext import caller_arn

MAX_ROOT_DURATION = 900
TARGET_PATTERN = re.compile(r"^(?:(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root)$")
TASK_ARN_PATTERN = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/root-task/([A-Za-z0-9]+)$")


def _required_features(task: str) -> set[str]:
    """What AssumeRoot needs enabled for a task.

    The IAM user guide makes root sessions (RootSessions) the switch for every privileged task, and
    root-credential management (RootCredentialsManagement) the switch for auditing, deleting and recovering
    root credentials. We require RootSessions for all five tasks and both for the three credential tasks;
    trusted access for iam.amazonaws.com is checked separately, before either.
    """
    return {"RootSessions", "RootCredentialsManagement"} if task in task_policies.CREDENTIAL_TASKS else {"RootSessions"}


def _assume_root(access_key: str, caller_account: str, region: str, params: dict[str, str]) -> dict[str, Any]:
    target_principal = params.get("TargetPrincipal", "")
    task_arn = params.get("TaskPolicyArn.arn", "")
    duration_text = params.get("DurationSeconds")

    target_match = TARGET_PATTERN.match(target_principal)
    if target_match is None:
        raise validation_error(
            f"Value '{target_principal}' at 'targetPrincipal' is invalid: "
            "give a 12-digit account id or arn:aws:iam::<account-id>:root."
        )
    target = target_match.group(1) or target_match.group(2)
    if duration_text is not None and not re.fullmatch(r"-?\d{1,9}", duration_text):
        raise validation_error(f"Value '{duration_text}' at 'durationSeconds' is not an integer.")
    duration = MAX_ROOT_DURATION if duration_text is None else int(duration_text)
    if duration > MAX_ROOT_DURATION or duration < 0:
        raise validation_error(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: "
            f"Member must have value {'less than or equal to 900' if duration > 0 else 'greater than or equal to 0'}"
        )

    resource = f"arn:aws:iam::{target}:root"
    denied_prefix = f"User: {caller_arn(caller_account, access_key, region)} is not authorized to perform: sts:AssumeRoot on resource: {resource}"

    task_match = TASK_ARN_PATTERN.match(task_arn)
    task = task_match.group(1) if task_match else None
    if task is None or task not in task_policies.ALLOWED_ACTIONS:
        allowed = ", ".join(task_policies.ARN_PREFIX + name for name in sorted(task_policies.ALLOWED_ACTIONS))
        raise access_denied(f"{denied_prefix} because the task policy {task_arn!r} is not one of {allowed}")

    if access_key in state.ROOT_SESSIONS:
        raise access_denied(f"{denied_prefix} because root user credentials cannot call AssumeRoot")
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
        state.record_session(session.access_key_id, "root", target, taskPolicyArn=task_arn)
    return {
        "Credentials": {
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token,
            "Expiration": session.expiration,
        }
    }


def answer(access_key: str, caller_account: str, region: str, params: dict[str, str]) -> Response:
    """The answer to an sts:AssumeRoot request (moto has no AssumeRoot; the request gate routes it here)."""
    try:
        return query.render("AssumeRoot", _assume_root(access_key, caller_account, region, params), query.STS_XMLNS)
    except SandboxError as error:
        return query_xml(error)
