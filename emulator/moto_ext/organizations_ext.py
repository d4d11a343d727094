"""Organizations: trusted access and delegated administration for IAM, which account serves a member's
Organizations call, O(1) organization and account lookups, and the SCPs that govern an account."""

from __future__ import annotations

import gc

from moto.organizations.models import (
    FakeAccount,
    FakeDelegatedAdministrator,
    FakeOrganizationalUnit,
    FakePolicy,
    FakeServiceAccess,
    OrganizationsBackend,
    organizations_backends,
)

from .errors import SandboxError

IAM_PRINCIPAL = "iam.amazonaws.com"
STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"


def install() -> None:
    # moto refuses principals it does not list; centralized root access needs IAM's (trusted access and a
    # delegated administrator). ListAWSServiceAccessForOrganization already reflects what is enabled.
    for allowed in (FakeServiceAccess.TRUSTED_SERVICES, FakeDelegatedAdministrator.SUPPORTED_SERVICES):
        if IAM_PRINCIPAL not in allowed:
            allowed.append(IAM_PRINCIPAL)
    # StackSets delegated administration is registered like any other service's, before any StackSet request.
    if STACKSETS_PRINCIPAL not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(STACKSETS_PRINCIPAL)


def organization_backend_of(account_id: str) -> OrganizationsBackend | None:
    """The backend of the management account of the organization `account_id` belongs to, if any."""
    membership = organizations_backends.master_accounts.get(account_id)
    if membership is not None:
        management_id, partition = membership
        backend = organizations_backends[management_id][partition]
        return backend if backend.org is not None else None
    if account_id in organizations_backends:
        backend = organizations_backends[account_id]["aws"]
        if backend.org is not None:
            return backend
    return None


def is_member(backend: OrganizationsBackend, account_id: str) -> bool:
    membership = organizations_backends.master_accounts.get(account_id)
    return membership is not None and membership[0] == backend.account_id


def iam_trusted_access(backend: OrganizationsBackend) -> bool:
    return any(service["ServicePrincipal"] == IAM_PRINCIPAL for service in backend.services)


def set_iam_trusted_access(backend: OrganizationsBackend, enabled: bool) -> None:
    if enabled:
        backend.enable_aws_service_access(ServicePrincipal=IAM_PRINCIPAL)
    elif iam_trusted_access(backend):
        backend.disable_aws_service_access(ServicePrincipal=IAM_PRINCIPAL)


def is_iam_delegated_admin(backend: OrganizationsBackend, account_id: str) -> bool:
    return any(admin.account.id == account_id and IAM_PRINCIPAL in admin.services for admin in backend.admins)


def is_delegated_admin(backend: OrganizationsBackend, account_id: str) -> bool:
    """Registered as delegated administrator for any service: that alone grants Organizations' read-only calls."""
    return any(admin.account.id == account_id for admin in backend.admins)


# --- which account answers a member's Organizations call ---------------------------------------------------
# moto answers every account from its own backend, so a member saw an empty organization (ListAccounts: [],
# DescribeAccount: AccountNotFound) and could "enable" things in it. AWS answers from the organization, by who asks
# (Organizations API reference, "API operations by account"; user guide, "Permissions granted to delegated
# administrator accounts").

# Any account of the organization: moto's own backend already answers these from the organization.
ANY_MEMBER_OPERATIONS = frozenset(
    {
        "AcceptHandshake",
        "DeclineHandshake",
        "DescribeEffectivePolicy",
        "DescribeHandshake",
        "DescribeOrganization",
        "LeaveOrganization",
        "ListHandshakesForAccount",
    }
)
# The read-only calls a delegated administrator (for any service) may make.
DELEGATED_ADMIN_READS = frozenset(
    {
        "DescribeAccount",
        "DescribeCreateAccountStatus",
        "DescribeOrganizationalUnit",
        "DescribePolicy",
        "DescribeResourcePolicy",
        "ListAWSServiceAccessForOrganization",
        "ListAccounts",
        "ListAccountsForParent",
        "ListChildren",
        "ListCreateAccountStatus",
        "ListDelegatedAdministrators",
        "ListDelegatedServicesForAccount",
        "ListHandshakesForOrganization",
        "ListOrganizationalUnitsForParent",
        "ListParents",
        "ListPolicies",
        "ListPoliciesForTarget",
        "ListRoots",
        "ListTagsForResource",
        "ListTargetsForPolicy",
    }
)


def serving_account(caller_account: str, operation: str) -> str | None:
    """The account whose Organizations backend answers `operation` from `caller_account`: None for moto's usual
    one (the caller's own), the management account for a delegated administrator's read. A member asking anything
    else gets AccessDeniedException, as on AWS (resource-based delegation policies are not modelled)."""
    backend = organization_backend_of(caller_account)
    if backend is None or backend.account_id == caller_account or operation in ANY_MEMBER_OPERATIONS:
        return None
    if operation in DELEGATED_ADMIN_READS and is_delegated_admin(backend, caller_account):
        return backend.account_id
    raise SandboxError("AccessDeniedException", "You don't have permissions to access this resource.")


# --- accounts, OUs and SCPs, for the request gate --------------------------------------------------------

SCP_TYPE = "SERVICE_CONTROL_POLICY"
# Backend -> (len(accounts), len(ous), accounts by id, OUs by id). moto keeps lists; a request must not scan them.
_INDEXES: dict[int, tuple[int, int, dict[str, FakeAccount], dict[str, FakeOrganizationalUnit]]] = {}


def _index(backend: OrganizationsBackend, rebuild: bool = False) -> tuple[dict[str, FakeAccount], dict[str, FakeOrganizationalUnit]]:
    cached = _INDEXES.get(id(backend))
    if rebuild or cached is None or cached[0] != len(backend.accounts) or cached[1] != len(backend.ou):
        cached = (
            len(backend.accounts),
            len(backend.ou),
            {a.id: a for a in backend.accounts},
            {o.id: o for o in backend.ou},
        )
        _INDEXES[id(backend)] = cached
        if len(backend.accounts) > 1000:
            # Every full garbage collection would walk a dict of thousands of accounts (the seeding freezes the
            # accounts themselves for the same reason): it lives as long as the organization does.
            gc.freeze()
    return cached[2], cached[3]


def index_accounts(backend: OrganizationsBackend) -> None:
    """Builds the account index now (the seeding calls it before freezing what it created)."""
    _index(backend)


def account_of(backend: OrganizationsBackend, account_id: str) -> FakeAccount | None:
    accounts, _ = _index(backend)
    return accounts.get(account_id) or _index(backend, rebuild=True)[0].get(account_id)


class Membership:
    """An account's place in its organization, looked up once per request."""

    __slots__ = ("backend", "account", "_ous", "_chain")

    def __init__(self, backend: OrganizationsBackend, account: FakeAccount | None, ous: dict[str, FakeOrganizationalUnit]) -> None:
        self.backend = backend
        self.account = account
        self._ous = ous
        self._chain: list[FakeOrganizationalUnit] | None = None

    @property
    def org_id(self) -> str:
        return self.backend.org.id

    def parents(self) -> list[FakeOrganizationalUnit]:
        """The OUs above the account, its parent first and the organization root last."""
        if self._chain is None:
            chain: list[FakeOrganizationalUnit] = []
            parent_id = self.account.parent_id if self.account is not None else None
            while parent_id and all(p.id != parent_id for p in chain):
                parent = self._ous.get(parent_id) or _index(self.backend, rebuild=True)[1].get(parent_id)
                if parent is None:
                    break
                chain.append(parent)
                parent_id = getattr(parent, "parent_id", None)
            self._chain = chain
        return self._chain

    def scp_levels(self) -> list[list[FakePolicy]] | None:
        """The SCPs that govern the account's principals, per level (the root, each OU down the path, the account),
        or None when none do: not all features, or the management account. An account the organization lists
        nowhere gets one empty level, which allows nothing."""
        if self.backend.org.feature_set != "ALL" or (self.account is not None and self.account.id == self.backend.account_id):
            return None
        if self.account is None:
            return [[]]
        levels = [[p for p in level.attached_policies if p.type == SCP_TYPE] for level in reversed(self.parents())]
        levels.append([p for p in self.account.attached_policies if p.type == SCP_TYPE])
        return levels

    def org_paths(self) -> list[str]:
        """aws:PrincipalOrgPaths: o-id/r-id/ou-.../ down to the account's parent."""
        return [f"{self.backend.org.id}/" + "".join(f"{p.id}/" for p in reversed(self.parents()))]


def membership(account_id: str) -> Membership | None:
    backend = organization_backend_of(account_id)
    if backend is None:
        return None
    accounts, ous = _index(backend)
    account = accounts.get(account_id)
    if account is None:
        # An account may have left and another joined since: the lengths match, the index does not.
        accounts, ous = _index(backend, rebuild=True)
        account = accounts.get(account_id)
    return Membership(backend, account, ous)
