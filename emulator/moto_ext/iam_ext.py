"""IAM: the organization features of centralized root access, and the root user's credentials.

In a root session (credentials from sts:AssumeRoot) an IAM call that omits UserName addresses the root user
of the member account. moto has no root user, so those calls are answered from `state.ROOT_CREDENTIALS`;
every other call goes to moto unchanged. Naming another user in a root session is refused, as the second
statement of every IAM task policy denies any resource but `arn:aws:iam::*:root`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.iam.responses import IamResponse

from . import state
from .errors import SandboxError, access_denied, as_moto_response, no_such_entity, validation_error
from .organizations_ext import iam_trusted_access, is_iam_delegated_admin, organization_backend_of

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


# --- the root user's credentials ----------------------------------------------------------------------


def _root_target(response: IamResponse) -> state.RootSession | None:
    """The root session of this request when it addresses the root user (UserName omitted), else None."""
    session = state.ROOT_SESSIONS.get(response.get_access_key())
    if session is None:
        return None
    user_name = response._get_param("UserName")
    if user_name:
        raise access_denied(
            f"User: {session.arn} is not authorized to perform: {response._get_action()} on resource: "
            f"user {user_name} with an explicit deny in a session policy ({session.task_policy_arn})"
        )
    return session


def _root_or_moto(name: str, root_handler: Callable[[IamResponse, state.RootSession], Any]) -> Callable[[Any], Any]:
    original = getattr(IamResponse, name)

    @_answers_errors
    def method(self: IamResponse) -> Any:
        session = _root_target(self)
        if session is None:
            return original(self)
        return root_handler(self, session)

    method.__name__ = name
    return method


def _login_profile(creds: state.RootCredentials) -> dict[str, Any]:
    return {"CreateDate": creds.login_profile_created, "PasswordResetRequired": creds.password_reset_required}


def _get_user(self: IamResponse, session: state.RootSession) -> Any:
    creds = state.root_credentials(session.account_id)
    user: dict[str, Any] = {"UserId": session.account_id, "Arn": session.arn, "CreateDate": state.utcnow()}
    if creds.login_profile_created is not None:
        user["PasswordLastUsed"] = creds.login_profile_created
    return ActionResult({"User": user})


def _get_login_profile(self: IamResponse, session: state.RootSession) -> Any:
    creds = state.root_credentials(session.account_id)
    if creds.login_profile_created is None:
        raise no_such_entity("Login Profile for User root cannot be found.")
    return ActionResult({"LoginProfile": _login_profile(creds)})


def _create_login_profile(self: IamResponse, session: state.RootSession) -> Any:
    if self._get_param("Password"):
        # With a root session AWS only re-enables password recovery; the owner of the root e-mail sets it.
        raise validation_error("Password must be omitted when creating the root user's login profile.")
    creds = state.root_credentials(session.account_id)
    with state.LOCK:
        if creds.login_profile_created is not None:
            raise SandboxError("EntityAlreadyExists", "Login Profile for User root already exists.", 409)
        creds.login_profile_created = state.utcnow()
        creds.password_reset_required = True
    return ActionResult({"LoginProfile": _login_profile(creds)})


def _delete_login_profile(self: IamResponse, session: state.RootSession) -> Any:
    creds = state.root_credentials(session.account_id)
    with state.LOCK:
        if creds.login_profile_created is None:
            raise no_such_entity("Login Profile for User root cannot be found.")
        creds.login_profile_created = None
    return EmptyResult()


def _list_access_keys(self: IamResponse, session: state.RootSession) -> Any:
    keys = state.root_credentials(session.account_id).access_keys.values()
    metadata = [{"AccessKeyId": k.access_key_id, "Status": k.status, "CreateDate": k.create_date} for k in keys]
    return ActionResult({"AccessKeyMetadata": metadata, "IsTruncated": False})


def _root_access_key(session: state.RootSession, access_key_id: str) -> state.RootAccessKey:
    key = state.root_credentials(session.account_id).access_keys.get(access_key_id)
    if key is None:
        raise no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


def _get_access_key_last_used(self: IamResponse, session: state.RootSession) -> Any:
    key = _root_access_key(session, self._get_param("AccessKeyId"))
    last_used: dict[str, Any] = {
        "Region": key.last_used_region or "N/A",
        "ServiceName": key.last_used_service or "N/A",
    }
    if key.last_used is not None:
        last_used["LastUsedDate"] = key.last_used
    return ActionResult({"AccessKeyLastUsed": last_used})


def _delete_access_key(self: IamResponse, session: state.RootSession) -> Any:
    key = _root_access_key(session, self._get_param("AccessKeyId"))
    with state.LOCK:
        state.root_credentials(session.account_id).access_keys.pop(key.access_key_id, None)
    return EmptyResult()


def _list_mfa_devices(self: IamResponse, session: state.RootSession) -> Any:
    devices = state.root_credentials(session.account_id).mfa_devices.values()
    assigned = [{"SerialNumber": d.serial_number, "EnableDate": d.enable_date} for d in devices if d.enable_date]
    return ActionResult({"MFADevices": assigned, "IsTruncated": False})


def _deactivate_mfa_device(self: IamResponse, session: state.RootSession) -> Any:
    serial = self._get_param("SerialNumber")
    device = state.root_credentials(session.account_id).mfa_devices.get(serial)
    if device is None or device.enable_date is None:
        raise no_such_entity(f"MFA Device with serial number {serial} does not exist.")
    device.enable_date = None
    return EmptyResult()


def _delete_virtual_mfa_device(self: IamResponse, session: state.RootSession) -> Any:
    serial = self._get_param("SerialNumber")
    devices = state.root_credentials(session.account_id).mfa_devices
    device = devices.get(serial)
    if device is None:
        raise no_such_entity(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    if device.enable_date is not None:
        raise SandboxError("DeleteConflict", "MFA Device is still in use.", 409)
    with state.LOCK:
        devices.pop(serial, None)
    return EmptyResult()


def _list_signing_certificates(self: IamResponse, session: state.RootSession) -> Any:
    certs = state.root_credentials(session.account_id).signing_certificates.values()
    listed = [
        {"CertificateId": c.certificate_id, "CertificateBody": c.body, "Status": c.status, "UploadDate": c.upload_date}
        for c in certs
    ]
    return ActionResult({"Certificates": listed, "IsTruncated": False})


def _delete_signing_certificate(self: IamResponse, session: state.RootSession) -> Any:
    cert_id = self._get_param("CertificateId")
    certs = state.root_credentials(session.account_id).signing_certificates
    if cert_id not in certs:
        raise no_such_entity(f"The Certificate with id {cert_id} cannot be found.")
    with state.LOCK:
        certs.pop(cert_id, None)
    return EmptyResult()


ROOT_HANDLERS: dict[str, Callable[[IamResponse, state.RootSession], Any]] = {
    "get_user": _get_user,
    "get_login_profile": _get_login_profile,
    "create_login_profile": _create_login_profile,
    "delete_login_profile": _delete_login_profile,
    "list_access_keys": _list_access_keys,
    "get_access_key_last_used": _get_access_key_last_used,
    "delete_access_key": _delete_access_key,
    "list_mfa_devices": _list_mfa_devices,
    "deactivate_mfa_device": _deactivate_mfa_device,
    "delete_virtual_mfa_device": _delete_virtual_mfa_device,
    "list_signing_certificates": _list_signing_certificates,
    "delete_signing_certificate": _delete_signing_certificate,
}


def _patch_account_summary() -> None:
    original = IamResponse.get_account_summary

    def get_account_summary(self: IamResponse) -> Any:
        result = original(self)
        creds = state.ROOT_CREDENTIALS.get(self.current_account)
        summary = result.result["SummaryMap"]
        # These three keys describe the root user in AWS; moto has none, so they come from our record.
        summary["AccountMFAEnabled"] = int(bool(creds and any(d.enable_date for d in creds.mfa_devices.values())))
        summary["AccountAccessKeysPresent"] = int(bool(creds and creds.access_keys))
        summary["AccountSigningCertificatesPresent"] = int(bool(creds and creds.signing_certificates))
        return result

    IamResponse.get_account_summary = get_account_summary  # type: ignore[method-assign]


def install() -> None:
    for feature, stem in (("RootCredentialsManagement", "root_credentials_management"), ("RootSessions", "root_sessions")):
        setattr(IamResponse, f"enable_organizations_{stem}", _feature_switch(feature, True))
        setattr(IamResponse, f"disable_organizations_{stem}", _feature_switch(feature, False))
    IamResponse.list_organizations_features = list_organizations_features  # type: ignore[attr-defined]
    for name, handler in ROOT_HANDLERS.items():
        setattr(IamResponse, name, _root_or_moto(name, handler))
    _patch_account_summary()
