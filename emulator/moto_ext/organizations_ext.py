"""Organizations: trusted access and delegated administration for IAM, and O(1) organization lookups."""

from __future__ import annotations

from moto.organizations.models import (
    FakeDelegatedAdministrator,
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
