"""STS: the root principal in GetCallerIdentity, for root sessions and the root user's own keys.

(AssumeRoot never reaches moto: see assume_root.py. Who may call AssumeRole, on which role's trust policy, is
decided in the request gate: see authorize.py.)"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.sts.responses import TokenResponse

from . import state


def _patch_get_caller_identity() -> None:
    original = TokenResponse.get_caller_identity

    def get_caller_identity(self: TokenResponse) -> Any:
        access_key = self.get_access_key()
        session = state.ROOT_SESSIONS.get(access_key)
        account = session.account_id if session is not None else state.ROOT_KEY_ACCOUNT.get(access_key)
        if account is None:
            return original(self)
        return ActionResult({"UserId": account, "Account": account, "Arn": f"arn:aws:iam::{account}:root"})

    TokenResponse.get_caller_identity = get_caller_identity  # type: ignore[method-assign]


def install() -> None:
    _patch_get_caller_identity()
