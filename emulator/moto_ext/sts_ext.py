"""STS: the root principal in GetCallerIdentity, and trust-policy checks on AssumeRole.

(AssumeRoot itself never reaches moto: see assume_root.py.)"""

from __future__ import annotations

import re
from typing import Any

from moto.core.responses import ActionResult
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse

from . import state
from .errors import access_denied, as_moto_response
from .organizations_ext import organization_backend_of
from .trust import evaluate_trust_policy


def caller_arn(account_id: str, access_key: str, region: str) -> str:
    """The caller's ARN as moto's GetCallerIdentity reports it (a user, an assumed role, or moto's default)."""
    _, arn, _ = sts_backends[account_id]["aws"].get_caller_identity(access_key, region)
    return arn


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
    return caller_arn(response.current_account, access_key, response.region).replace(":sts::", ":iam::", 1)


def _patch_assume_role() -> None:
    original = TokenResponse.assume_role

    def assume_role(self: TokenResponse) -> Any:
        role_arn = self._get_param("RoleArn") or ""
        principal = _caller_principal(self)
        denied = access_denied(f"User: {caller_arn(self.current_account, self.get_access_key(), self.region)} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")
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
    _patch_get_caller_identity()
    _patch_assume_role()
