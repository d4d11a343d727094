"""Who a request's access key belongs to, and the identity policies that come with them.

- a root session (sts:AssumeRoot): the member account's root, narrowed by its task policy;
- the member root user's own long-term keys (seeded through /_sandbox/): that account's root user;
- an assumed-role session: the role (inline and attached policies, boundary) plus the session policy;
- an IAM user's keys: the user (inline, attached, groups' policies, boundary);
- any other key (`testing`, ...): the management account's administrator, as moto has always treated them.

Deleted or deactivated keys are refused (InvalidClientTokenId), expired sessions too (ExpiredToken).
"""

from __future__ import annotations

from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends

from . import policy_eval, state, task_policies
from .errors import SandboxError

ROOT_SESSION, ROOT_USER, ROLE_SESSION, IAM_USER, DEFAULT_ADMIN = "root-session", "root", "role-session", "user", "default"


class Caller:
    """The principal of one request. `identity`, `boundary` and `session` are read lazily (only an evaluation that
    needs them pays for them), `task` is the AssumeRoot task policy of a root session."""

    __slots__ = ("kind", "account", "arn", "principal", "access_key", "root_session", "_source", "_policies")

    def __init__(self, kind: str, account: str, arn: str, principal_arn: str, access_key: str, source: Any = None) -> None:
        self.kind = kind
        self.account = account
        self.arn = arn  # as GetCallerIdentity reports it, for messages
        self.access_key = access_key
        role_arn = principal_arn if kind == ROLE_SESSION else None
        self.principal = policy_eval.Principal(arn if kind == ROLE_SESSION else principal_arn, account, role_arn)
        self.root_session: state.RootSession | None = source if kind == ROOT_SESSION else None
        self._source = source
        self._policies: tuple[list[policy_eval.Policy], policy_eval.Policy | None, list[policy_eval.Policy] | None] | None = None

    @property
    def principal_arn(self) -> str:
        """aws:PrincipalArn: the role (not the session) for a role session, the account root for root callers."""
        return self.principal.role_arn or self.principal.arn

    @property
    def is_root(self) -> bool:
        return self.kind in (ROOT_SESSION, ROOT_USER)

    @property
    def task(self) -> list[policy_eval.Policy]:
        return [task_policies.DOCUMENTS[self.root_session.task_policy_name]] if self.root_session else []

    def user_id(self) -> str:
        """aws:userid: the account id for the root, AIDA... for a user, ROLEID:session for a role session."""
        if self.kind == IAM_USER:
            return self._source.id
        if self.kind == ROLE_SESSION:
            return self._source.user_id
        return self.account

    def policies(self) -> tuple[list[policy_eval.Policy], policy_eval.Policy | None, list[policy_eval.Policy] | None]:
        """(identity policies, permissions boundary, session policies or None)."""
        if self._policies is None:
            self._policies = _policies_of(self)
        return self._policies


def _managed_document(policy: Any) -> str:
    for version in policy.versions:
        if version.is_default:
            return version.document
    return policy.versions[0].document if policy.versions else ""


def _documents(entity: Any) -> list[policy_eval.Policy]:
    parsed = [policy_eval.parse(document) for document in entity.policies.values()]
    parsed.extend(policy_eval.parse(_managed_document(p)) for p in entity.managed_policies.values())
    return parsed


def _boundary(backend: Any, arn: str | None) -> policy_eval.Policy | None:
    if not arn:
        return None
    policy = backend.managed_policies.get(arn)
    # A boundary that no longer exists allows nothing.
    return policy_eval.parse(_managed_document(policy)) if policy is not None else policy_eval.Policy([])


def _policies_of(caller: Caller) -> tuple[list[policy_eval.Policy], policy_eval.Policy | None, list[policy_eval.Policy] | None]:
    if caller.kind in (ROOT_SESSION, ROOT_USER, DEFAULT_ADMIN):
        # The root user holds every permission implicitly; moto's default key is the management administrator.
        return [policy_eval.ALLOW_ALL], None, None
    backend = iam_backends[caller.account]["global"]
    if caller.kind == IAM_USER:
        user = caller._source
        identity = _documents(user)
        for group in backend.groups.values():
            if user in group.users:
                identity.extend(_documents(group))
        return identity, _boundary(backend, getattr(user, "permissions_boundary_arn", None)), None
    assumed = caller._source
    role = _role_by_arn(backend, assumed.role_arn)
    if role is None:
        return [], None, None  # the role was deleted: its sessions keep no permissions
    session = [policy_eval.parse(assumed.policy)] if assumed.policy else None
    return _documents(role), _boundary(backend, role.permissions_boundary_arn), session


def _role_by_arn(backend: Any, arn: str) -> Any:
    for role in backend.roles.values():
        if role.arn == arn:
            return role
    return None


def _invalid_key(access_key: str) -> SandboxError:
    return SandboxError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def expired_token(service: str) -> SandboxError:
    message = "The provided token has expired." if service == "s3" else "The security token included in the request is expired"
    return SandboxError("ExpiredToken", message, 403)


def resolve(access_key: str, service: str) -> Caller:
    """The caller behind `access_key`; raises ExpiredToken or InvalidClientTokenId as AWS would."""
    session = state.ROOT_SESSIONS.get(access_key)
    if session is not None:
        if session.expired():
            raise expired_token(service)
        return Caller(ROOT_SESSION, session.account_id, session.arn, session.arn, access_key, session)

    root_account = state.ROOT_KEY_ACCOUNT.get(access_key)
    if root_account is not None:
        creds = state.ROOT_CREDENTIALS.get(root_account)
        key = creds.access_keys.get(access_key) if creds else None
        if key is None or key.status != "Active":
            raise _invalid_key(access_key)
        arn = f"arn:aws:iam::{root_account}:root"
        return Caller(ROOT_USER, root_account, arn, arn, access_key)

    expiry = state.TEMP_KEY_EXPIRY.get(access_key)
    if expiry is not None and state.utcnow() >= expiry:
        raise expired_token(service)

    account = state.KEY_ACCOUNT.get(access_key)
    if account is not None:
        backend = iam_backends[account]["global"]
        key = backend.access_keys.get(access_key)
        if key is None or key.status != "Active":
            raise _invalid_key(access_key)
        assumed = state.ASSUMED_ROLES.get(access_key)
        if assumed is not None:
            return Caller(ROLE_SESSION, account, assumed.arn, assumed.role_arn, access_key, assumed)
        user = backend.users.get(key.user_name or "")
        if user is None:
            raise _invalid_key(access_key)
        return Caller(IAM_USER, account, user.arn, user.arn, access_key, user)

    arn = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:user/moto"
    return Caller(DEFAULT_ADMIN, DEFAULT_ACCOUNT_ID, f"arn:aws:sts::{DEFAULT_ACCOUNT_ID}:user/moto", arn, access_key)
