"""IAM: the organization features of centralized root access, and the root user in GetAccountSummary.

(IAM calls of root sessions never reach moto: see root_iam.py.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.iam.policy_validation import BaseIAMPolicyValidator
from moto.iam.responses import IamResponse

from . import state
from .errors import SandboxError, as_moto_response
from .organizations_ext import iam_trusted_access, is_iam_delegated_admin, organization_backend_of
from .root_iam import account_summary_flags

FEATURES = ("RootCredentialsManagement", "RootSessions")


def _answers_errors(method: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(method)
    def wrapper(self: Any) -> Any:
        try:
            return method(self)
        except SandboxError as error:
            return as_moto_response(error)

    return wrapper


# --- organization features ---------------------------------------------------------------------------


def _organization_for_features(response: IamResponse, management_only: bool) -> Any:
    """The caller's organization, after the checks AWS makes, in AWS's order."""
    account_id = response.current_account
    backend = organization_backend_of(account_id)
    if backend is None:
        raise SandboxError(
            "OrganizationNotFoundException", "The request was rejected because no organization is associated with your account."
        )
    is_management = backend.account_id == account_id
    if not is_management and not is_iam_delegated_admin(backend, account_id):
        raise SandboxError(
            "AccountNotManagementOrDelegatedAdministratorException",
            "The request was rejected because the account making the request is not the management account or "
            "delegated administrator account for centralized root access.",
        )
    if management_only and not is_management:
        raise SandboxError(
            "CallerIsNotManagementAccountException",
            "The request was rejected because the account making the request is not the management account for "
            "the organization.",
        )
    if backend.org.feature_set != "ALL":
        raise SandboxError(
            "OrganizationNotInAllFeaturesModeException",
            "The request was rejected because your organization does not have All features enabled.",
        )
    if not iam_trusted_access(backend):
        raise SandboxError(
            "ServiceAccessNotEnabledException",
            "The request was rejected because trusted access is not enabled for IAM in AWS Organizations "
            "(enable the service principal iam.amazonaws.com).",
        )
    return backend.org


def _features_result(org_id: str) -> ActionResult:
    enabled = sorted(state.ORG_FEATURES.get(org_id, set()))
    return ActionResult({"OrganizationId": org_id, "EnabledFeatures": enabled})


def _feature_switch(feature: str, enable: bool) -> Callable[[Any], Any]:
    @_answers_errors
    def switch(self: IamResponse) -> Any:
        org = _organization_for_features(self, management_only=True)
        with state.LOCK:
            enabled = state.ORG_FEATURES.setdefault(org.id, set())
            if enable:
                enabled.add(feature)
            else:
                enabled.discard(feature)
        return _features_result(org.id)

    return switch


@_answers_errors
def list_organizations_features(self: IamResponse) -> Any:
    org = _organization_for_features(self, management_only=False)
    return _features_result(org.id)


def _patch_account_summary() -> None:
    original = IamResponse.get_account_summary

    def get_account_summary(self: IamResponse) -> Any:
        result = original(self)
        result.result["SummaryMap"].update(account_summary_flags(self.current_account))
        return result

    IamResponse.get_account_summary = get_account_summary  # type: ignore[method-assign]


# --- policy validation ---------------------------------------------------------------------------------

# The account root as a resource, `arn:<partition>:iam::<account or *>:root`: what `sts:AssumeRoot` is granted on.
# AWS accepts it; moto's validator allows only the IAM resource paths it lists (user/, role/, …).
_ROOT_RESOURCE = re.compile(r"^arn:[a-z-]+:iam::(\d{12}|\*):root$")


def _patch_policy_validation() -> None:
    original = BaseIAMPolicyValidator._validate_resource_format

    def validate_resource_format(self: BaseIAMPolicyValidator, resource: str) -> None:
        if isinstance(resource, str) and _ROOT_RESOURCE.match(resource):
            return
        original(self, resource)

    BaseIAMPolicyValidator._validate_resource_format = validate_resource_format  # type: ignore[method-assign]


def install() -> None:
    for feature, stem in (("RootCredentialsManagement", "root_credentials_management"), ("RootSessions", "root_sessions")):
        setattr(IamResponse, f"enable_organizations_{stem}", _feature_switch(feature, True))
        setattr(IamResponse, f"disable_organizations_{stem}", _feature_switch(feature, False))
    IamResponse.list_organizations_features = list_organizations_features  # type: ignore[attr-defined]
    _patch_account_summary()
    _patch_policy_validation()
