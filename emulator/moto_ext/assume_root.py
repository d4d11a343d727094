"""sts:AssumeRoot: who may start a root session in which member account, for which task, for how long.

The request gate validates the request (`parse`), then evaluates the caller's identity policies for
sts:AssumeRoot on arn:aws:iam::<target>:root with sts:TaskPolicyArn (authorize.py), then calls `answer`, which
makes the checks of the organization side.
"""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any, NamedTuple

from moto.sts.utils import random_session_token

from . import query, state, task_policies
from .errors import Response, SandboxError, access_denied, query_xml, validation_error
from .organizations_ext import account_of, iam_trusted_access, is_iam_delegated_admin, is_member, organization_backend_of
from .principals import Caller

MAX_ROOT_DURATION = 900
TARGET_PATTERN = re.compile(r"^(?:(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root)$")
TASK_ARN_PATTERN = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/root-task/([A-Za-z0-9]+)$")


class AssumeRootRequest(NamedTuple):
    target: str
    task_arn: str
    duration: int


def _required_features(task: str) -> set[str]:
    """What AssumeRoot needs enabled for a task.

    The IAM user guide makes root sessions (RootSessions) the switch for every privileged task, and
    root-credential management (RootCredentialsManagement) the switch for auditing, deleting and recovering
    root credentials. We require RootSessions for all five tasks and both for the three credential tasks;
    trusted access for iam.amazonaws.com is checked separately, before either.
    """
    return {"RootSessions", "RootCredentialsManagement"} if task in task_policies.CREDENTIAL_TASKS else {"RootSessions"}


def parse(params: dict[str, str]) -> AssumeRootRequest:
    """The validated request; ValidationError (400) for a malformed target or duration."""
    target_principal = params.get("TargetPrincipal", "")
    duration_text = params.get("DurationSeconds")
    target_match = TARGET_PATTERN.match(target_principal)
    if target_match is None:
        raise validation_error(
            f"Value '{target_principal}' at 'targetPrincipal' is invalid: "
            "give a 12-digit account id or arn:aws:iam::<account-id>:root."
        )
    if duration_text is not None and not re.fullmatch(r"-?\d{1,9}", duration_text):
        raise validation_error(f"Value '{duration_text}' at 'durationSeconds' is not an integer.")
    duration = MAX_ROOT_DURATION if duration_text is None else int(duration_text)
    if duration > MAX_ROOT_DURATION or duration < 0:
        raise validation_error(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: "
            f"Member must have value {'less than or equal to 900' if duration > 0 else 'greater than or equal to 0'}"
        )
    return AssumeRootRequest(target_match.group(1) or target_match.group(2), params.get("TaskPolicyArn.arn", ""), duration)


def _assume_root(caller: Caller, request: AssumeRootRequest) -> dict[str, Any]:
    target, task_arn = request.target, request.task_arn
    denied_prefix = f"User: {caller.arn} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::{target}:root"

    task_match = TASK_ARN_PATTERN.match(task_arn)
    task = task_match.group(1) if task_match else None
    if task is None or task not in task_policies.ALLOWED_ACTIONS:
        allowed = ", ".join(task_policies.ARN_PREFIX + name for name in sorted(task_policies.ALLOWED_ACTIONS))
        raise access_denied(f"{denied_prefix} because the task policy {task_arn!r} is not one of {allowed}")

    if caller.is_root:
        raise access_denied(f"{denied_prefix} because root user credentials cannot call AssumeRoot")
    caller_account = caller.account
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
    account = account_of(backend, target)
    if account is None or account.state != "ACTIVE":
        state_name = account.state if account is not None else "unknown"
        raise access_denied(f"{denied_prefix} because the target account is {state_name}, not ACTIVE")

    session = state.RootSession(
        account_id=target,
        task_policy_arn=task_arn,
        task_policy_name=task,
        access_key_id="ASIA" + secrets.token_hex(8).upper(),
        secret_access_key=secrets.token_urlsafe(30)[:40],
        session_token=random_session_token(),
        expiration=state.utcnow() + datetime.timedelta(seconds=request.duration),
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


def answer(caller: Caller, request: AssumeRootRequest) -> Response:
    """The answer to an authorized sts:AssumeRoot request (moto has no AssumeRoot; the request gate routes it here)."""
    try:
        return query.render("AssumeRoot", _assume_root(caller, request), query.STS_XMLNS)
    except SandboxError as error:
        return query_xml(error)
