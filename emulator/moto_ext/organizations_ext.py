"""Organizations: trusted access and delegated administration for IAM, O(1) organization and account lookups,
and the SCPs that govern an account."""

from __future__ import annotations

from moto.organizations.models import (
    FakeAccount,
    FakeDelegatedAdministrator,
    FakeOrganizationalUnit,
    FakePolicy,
    FakeServiceAccess,
    OrganizationsBackend,
    organizations_backends,
)

IAM_PRINCIPAL = "iam.amazonaws.com"


def install() -> None:
    # moto refuses principals it does not list; centralized root access needs IAM's (trusted access and a
    # delegated administrator). ListAWSServiceAccessForOrganization already reflects what is enabled.
    for allowed in (FakeServiceAccess.TRUSTED_SERVICES, FakeDelegatedAdministrator.SUPPORTED_SERVICES):
        if IAM_PRINCIPAL not in allowed:
            allowed.append(IAM_PRINCIPAL)


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
    return cached[2], cached[3]


def account_of(backend: OrganizationsBackend, account_id: str) -> FakeAccount | None:
    accounts, _ = _index(backend)
    account = accounts.get(account_id)
    if account is None:
        # An account may have left and another joined since: the lengths match, the index does not.
        account = _index(backend, rebuild=True)[0].get(account_id)
    return account


def scp_levels(account_id: str) -> list[list[FakePolicy]] | None:
    """The SCPs that govern principals of `account_id`, per level (root, each OU down the path, the account),
    or None when none do: no organization, not all features, or the management account."""
    backend = organization_backend_of(account_id)
    if backend is None or backend.org.feature_set != "ALL" or account_id == backend.account_id:
        return None
    account = account_of(backend, account_id)
    if account is None:
        return None
    _, ous = _index(backend)
    levels = [[p for p in account.attached_policies if p.type == SCP_TYPE]]
    parent_id = account.parent_id
    seen = set()
    while parent_id and parent_id not in seen:
        seen.add(parent_id)
        parent = ous.get(parent_id)
        if parent is None:
            parent = _index(backend, rebuild=True)[1].get(parent_id)
            if parent is None:
                break
        levels.append([p for p in parent.attached_policies if p.type == SCP_TYPE])
        parent_id = getattr(parent, "parent_id", None)
    levels.reverse()
    return levels


def org_paths(account_id: str) -> list[str] | None:
    """aws:PrincipalOrgPaths / aws:ResourceOrgPaths: o-id/r-id/ou-.../ of the account's parent."""
    backend = organization_backend_of(account_id)
    if backend is None:
        return None
    account = account_of(backend, account_id)
    if account is None:
        return None
    _, ous = _index(backend)
    chain = []
    parent_id = account.parent_id
    while parent_id and parent_id not in chain:
        chain.append(parent_id)
        parent = ous.get(parent_id)
        parent_id = getattr(parent, "parent_id", None) if parent is not None else None
    return [f"{backend.org.id}/" + "".join(f"{p}/" for p in reversed(chain))]
