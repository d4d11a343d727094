"""CloudFormation StackSets as the terraform provider (hashicorp/aws 5.x) drives them for service-managed roll-outs.

moto 5.2.1 drops AutoDeployment and Capabilities (so a second plan wants to replace the StackSet), ignores
DeploymentTargets on DeleteStackInstances (so destroy ends in StackSetNotEmptyException), never reports a stack
instance's OrganizationalUnitId (which the provider filters OU-targeted instances by) and ignores CallAs.
This module stores and returns those fields and honours OU targets, with the organization taken from the
sandbox's Organizations backend. A SERVICE_MANAGED instance already deploys its template into the member
account (moto's hidden stack creates the resources there), so the spoke role really exists in each account.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import StackInstance, StackInstances, StackSet
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.moto_api._internal import mock_random
from moto.organizations.models import OrganizationsBackend

from .organizations_ext import STACKSETS_PRINCIPAL, organization_backend_of

CALL_AS = ("SELF", "DELEGATED_ADMIN")
SERVICE_MANAGED_TARGETS = "StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target"

# Every StackSet action takes CallAs; the provider sends it on each of them when `call_as` is set.
_STACK_SET_ACTIONS = (
    "create_stack_set",
    "update_stack_set",
    "delete_stack_set",
    "describe_stack_set",
    "create_stack_instances",
    "update_stack_instances",
    "delete_stack_instances",
    "describe_stack_instance",
    "list_stack_instances",
    "list_stack_sets",
    "describe_stack_set_operation",
    "list_stack_set_operations",
    "list_stack_set_operation_results",
    "stop_stack_set_operation",
)


def _check_call_as(response: CloudFormationResponse) -> None:
    call_as = response._get_param("CallAs")
    if call_as is None or call_as == "SELF":
        return
    if call_as not in CALL_AS:
        raise ValidationError(
            message=f"1 validation error detected: Value '{call_as}' at 'callAs' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(CALL_AS)}]"
        )
    # DELEGATED_ADMIN: the caller must be registered as the StackSets delegated administrator of its organization.
    # (Its stack sets live in its own account, as on AWS.)
    account_id = response.current_account
    backend = organization_backend_of(account_id)
    registered = backend is not None and any(
        admin.account.id == account_id and STACKSETS_PRINCIPAL in admin.services for admin in backend.admins
    )
    if not registered:
        raise ValidationError(message="Failed to check account is Delegated Administrator")


def _checks_call_as(method: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(method)
    def wrapper(self: CloudFormationResponse) -> Any:
        _check_call_as(self)
        return method(self)

    return wrapper


# --- the StackSet's own fields ------------------------------------------------------------------------


def _store_settings(response: CloudFormationResponse, stackset: StackSet, creating: bool) -> None:
    """AutoDeployment, Capabilities and PermissionModel as sent; on update, absent means unchanged."""
    auto = response._get_param("AutoDeployment")
    capabilities = response._get_param("Capabilities")
    model = response._get_param("PermissionModel")
    if model is not None:
        stackset.permission_model = model
    if auto is not None:
        if stackset.permission_model != "SERVICE_MANAGED":
            raise ValidationError(message="AutoDeployment is only supported for SERVICE_MANAGED permission model")
        enabled = auto.get("Enabled") in (True, "true")
        stackset.auto_deployment = {
            "Enabled": enabled,
            "RetainStacksOnAccountRemoval": enabled and auto.get("RetainStacksOnAccountRemoval") in (True, "true"),
        }
    elif creating:
        stackset.auto_deployment = None
    if capabilities is not None or creating:
        stackset.capabilities = list(capabilities or [])


def _patch_create_and_update() -> None:
    create_original = CloudFormationResponse.create_stack_set
    update_original = CloudFormationResponse.update_stack_set

    def create_stack_set(self: CloudFormationResponse) -> Any:
        result = create_original(self)
        _store_settings(self, self.cloudformation_backend.stacksets[result.result["StackSetId"]], creating=True)
        return result

    def update_stack_set(self: CloudFormationResponse) -> Any:
        stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
        _store_settings(self, stackset, creating=False)
        return update_original(self)

    CloudFormationResponse.create_stack_set = create_stack_set  # type: ignore[method-assign]
    CloudFormationResponse.update_stack_set = update_stack_set  # type: ignore[method-assign]


# --- OU targets ---------------------------------------------------------------------------------------


def _ou_subtree(org: OrganizationsBackend, ou_ids: list[str]) -> set[str]:
    """The OUs given and every OU below them, at any depth (AWS targets nested OUs too)."""
    found = set(ou_ids)
    frontier = list(ou_ids)
    while frontier:
        parent = frontier.pop()
        for ou in org.ou:
            if ou.parent_id == parent and ou.id not in found:
                found.add(ou.id)
                frontier.append(ou.id)
    return found


def _accounts_by_ou(org: OrganizationsBackend, ou_ids: list[str]) -> list[tuple[str, str]]:
    """(account id, the target OU it was reached through) for each member account below the given OUs.

    The management account is never a target of a service-managed StackSet, even inside a target OU.
    """
    pairs: list[tuple[str, str]] = []
    for target in ou_ids:
        subtree = _ou_subtree(org, [target])
        pairs.extend(
            (account.id, target)
            for account in org.accounts
            if account.parent_id in subtree and account.id != org.account_id
        )
    return pairs


def create_instances(
    self: StackInstances,
    accounts: list[str],
    regions: list[str],
    parameters: list[dict[str, Any]] | None,
    deployment_targets: dict[str, Any],
    permission_model: str,
) -> list[dict[str, Any]]:
    """moto's create_instances, with nested OUs, the OU recorded on each instance and no duplicates."""
    targets: list[tuple[str, str | None]] = [(account, None) for account in accounts]
    ou_ids = deployment_targets.get("OrganizationalUnitIds") or []
    if ou_ids:
        org = organization_backend_of(self.account_id)
        if org is None:
            raise ValidationError(message="The account is not a member of an organization")
        targets.extend(_accounts_by_ou(org, ou_ids))
    existing = {(i.account_id, i.region_name) for i in self.stack_instances}
    new_instances = []
    for region in regions:
        for account, ou_id in targets:
            if (account, region) in existing:
                continue
            existing.add((account, region))
            instance = StackInstance(
                account_id=account,
                region_name=region,
                stackset_id=self.stackset_id,
                stack_name=self.stack_name,
                name=self.stackset_name,
                template=self.template,
                parameters=parameters,
                permission_model=permission_model,
            )
            instance.organizational_unit_id = ou_id  # type: ignore[attr-defined]
            new_instances.append(instance)
    self.stack_instances += new_instances
    return [i.to_dict() for i in new_instances]


def _patch_instance_summary() -> None:
    original = StackInstance.to_dict

    def to_dict(self: StackInstance) -> dict[str, Any]:
        summary = original(self)
        ou_id = getattr(self, "organizational_unit_id", None)
        if ou_id is not None:
            summary["OrganizationalUnitId"] = ou_id
        return summary

    StackInstance.to_dict = to_dict  # type: ignore[method-assign]


def delete_stack_instances(self: CloudFormationResponse) -> Any:
    """DeleteStackInstances by Accounts (self-managed) or DeploymentTargets.OrganizationalUnitIds (service-managed)."""
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    regions = self._get_param("Regions", [])
    accounts = self._get_param("Accounts", [])
    ou_ids = (self._get_param("DeploymentTargets") or {}).get("OrganizationalUnitIds") or []
    if stackset.permission_model == "SERVICE_MANAGED":
        if not ou_ids:
            raise ValidationError(message=SERVICE_MANAGED_TARGETS)
        org = organization_backend_of(self.cloudformation_backend.account_id)
        reached = {account for account, _ in _accounts_by_ou(org, ou_ids)} if org is not None else set()
        chosen = [
            i
            for i in stackset.stack_instances
            if i.region_name in regions
            and (getattr(i, "organizational_unit_id", None) in ou_ids or i.account_id in reached)
        ]
    else:
        if ou_ids:
            raise ValidationError(message="StackSets with SELF_MANAGED permission model can only have accounts as target")
        chosen = [i for i in stackset.stack_instances if i.region_name in regions and i.account_id in accounts]
    retain = self._get_param("RetainStacks") in (True, "true")
    for instance in chosen:
        if not retain:
            instance.delete()
        stackset.stack_instances.remove(instance)
    operation_id = self._get_param("OperationId") or str(mock_random.uuid4())
    stackset._create_operation(
        operation_id=operation_id,
        action="DELETE",
        status="SUCCEEDED",
        accounts=sorted({i.account_id for i in chosen}),
        regions=regions,
    )
    return ActionResult({"OperationId": operation_id})


def list_stack_instances(self: CloudFormationResponse) -> Any:
    """ListStackInstances with the StackInstanceRegion / StackInstanceAccount filters the provider relies on."""
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    region = self._get_param("StackInstanceRegion")
    account = self._get_param("StackInstanceAccount")
    summaries = [
        i.to_dict()
        for i in stackset.stack_instances
        if (region is None or i.region_name == region) and (account is None or i.account_id == account)
    ]
    return ActionResult({"Summaries": summaries})


def install() -> None:
    StackSet.auto_deployment = None  # type: ignore[attr-defined]
    StackSet.capabilities = []  # type: ignore[attr-defined]
    StackInstances.create_instances = create_instances  # type: ignore[method-assign]
    _patch_instance_summary()
    _patch_create_and_update()
    CloudFormationResponse.delete_stack_instances = delete_stack_instances  # type: ignore[method-assign]
    CloudFormationResponse.list_stack_instances = list_stack_instances  # type: ignore[method-assign]
    for action in _STACK_SET_ACTIONS:
        setattr(CloudFormationResponse, action, _checks_call_as(getattr(CloudFormationResponse, action)))
