"""IAM calls of the root user, answered from the sandbox's record of the root user's credentials.

An IAM call that omits UserName, made in a root session (credentials from sts:AssumeRoot) or with the root
user's own long-term keys, addresses the root user of the member account. moto has no root user, so the request
gate hands those calls here once they are authorized (a root session's task policy allows nothing else).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.iam.models import iam_backends

from . import query, state
from .errors import Response, SandboxError, no_such_entity, query_xml, validation_error

Params = dict[str, str]
Handler = Callable[["RootUser", Params], "dict[str, Any] | None"]


class RootUser:
    """The member account's root user, as addressed by a root session or by the root user's own keys."""

    __slots__ = ("account_id", "arn")

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.arn = f"arn:aws:iam::{account_id}:root"


def _login_profile(creds: state.RootCredentials) -> dict[str, Any]:
    return {"CreateDate": creds.login_profile_created, "PasswordResetRequired": creds.password_reset_required}


def account_summary_flags(account_id: str) -> dict[str, int]:
    """The GetAccountSummary keys that describe the root user (moto has none, so they come from our record)."""
    creds = state.ROOT_CREDENTIALS.get(account_id)
    return {
        "AccountMFAEnabled": int(bool(creds and any(d.enable_date for d in creds.mfa_devices.values()))),
        "AccountAccessKeysPresent": int(bool(creds and creds.access_keys)),
        "AccountSigningCertificatesPresent": int(bool(creds and creds.signing_certificates)),
    }


def _get_account_summary(root: RootUser, _: Params) -> dict[str, Any]:
    summary = iam_backends[root.account_id]["global"].get_account_summary().summary_map
    return {"SummaryMap": {**summary, **account_summary_flags(root.account_id)}}


def _get_user(root: RootUser, _: Params) -> dict[str, Any]:
    creds = state.root_credentials(root.account_id)
    user: dict[str, Any] = {"UserId": root.account_id, "Arn": root.arn, "CreateDate": state.utcnow()}
    if creds.login_profile_created is not None:
        user["PasswordLastUsed"] = creds.login_profile_created
    return {"User": user}


def _get_login_profile(root: RootUser, _: Params) -> dict[str, Any]:
    creds = state.root_credentials(root.account_id)
    if creds.login_profile_created is None:
        raise no_such_entity("Login Profile for User root cannot be found.")
    return {"LoginProfile": _login_profile(creds)}


def _create_login_profile(root: RootUser, params: Params) -> dict[str, Any]:
    if params.get("Password"):
        # With a root session AWS only re-enables password recovery; the owner of the root e-mail sets it.
        raise validation_error("Password must be omitted when creating the root user's login profile.")
    creds = state.root_credentials(root.account_id)
    with state.LOCK:
        if creds.login_profile_created is not None:
            raise SandboxError("EntityAlreadyExists", "Login Profile for User root already exists.", 409)
        creds.login_profile_created = state.utcnow()
        creds.password_reset_required = True
    return {"LoginProfile": _login_profile(creds)}


def _delete_login_profile(root: RootUser, _: Params) -> None:
    creds = state.root_credentials(root.account_id)
    with state.LOCK:
        if creds.login_profile_created is None:
            raise no_such_entity("Login Profile for User root cannot be found.")
        creds.login_profile_created = None


def _list_access_keys(root: RootUser, _: Params) -> dict[str, Any]:
    keys = state.root_credentials(root.account_id).access_keys.values()
    metadata = [{"AccessKeyId": k.access_key_id, "Status": k.status, "CreateDate": k.create_date} for k in keys]
    return {"AccessKeyMetadata": metadata, "IsTruncated": False}


def _root_access_key(root: RootUser, access_key_id: str) -> state.RootAccessKey:
    key = state.root_credentials(root.account_id).access_keys.get(access_key_id)
    if key is None:
        raise no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


def _get_access_key_last_used(root: RootUser, params: Params) -> dict[str, Any]:
    key = _root_access_key(root, params.get("AccessKeyId", ""))
    last_used: dict[str, Any] = {"Region": key.last_used_region or "N/A", "ServiceName": key.last_used_service or "N/A"}
    if key.last_used is not None:
        last_used["LastUsedDate"] = key.last_used
    return {"AccessKeyLastUsed": last_used}


def _delete_access_key(root: RootUser, params: Params) -> None:
    key = _root_access_key(root, params.get("AccessKeyId", ""))
    with state.LOCK:
        state.root_credentials(root.account_id).access_keys.pop(key.access_key_id, None)


def _list_mfa_devices(root: RootUser, _: Params) -> dict[str, Any]:
    devices = state.root_credentials(root.account_id).mfa_devices.values()
    assigned = [{"SerialNumber": d.serial_number, "EnableDate": d.enable_date} for d in devices if d.enable_date]
    return {"MFADevices": assigned, "IsTruncated": False}


def _deactivate_mfa_device(root: RootUser, params: Params) -> None:
    serial = params.get("SerialNumber", "")
    device = state.root_credentials(root.account_id).mfa_devices.get(serial)
    if device is None or device.enable_date is None:
        raise no_such_entity(f"MFA Device with serial number {serial} does not exist.")
    device.enable_date = None


def _delete_virtual_mfa_device(root: RootUser, params: Params) -> None:
    serial = params.get("SerialNumber", "")
    devices = state.root_credentials(root.account_id).mfa_devices
    device = devices.get(serial)
    if device is None:
        raise no_such_entity(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    if device.enable_date is not None:
        raise SandboxError("DeleteConflict", "MFA Device is still in use.", 409)
    with state.LOCK:
        devices.pop(serial, None)


def _list_signing_certificates(root: RootUser, _: Params) -> dict[str, Any]:
    certs = state.root_credentials(root.account_id).signing_certificates.values()
    listed = [
        {"CertificateId": c.certificate_id, "CertificateBody": c.body, "Status": c.status, "UploadDate": c.upload_date}
        for c in certs
    ]
    return {"Certificates": listed, "IsTruncated": False}


def _delete_signing_certificate(root: RootUser, params: Params) -> None:
    cert_id = params.get("CertificateId", "")
    certs = state.root_credentials(root.account_id).signing_certificates
    if cert_id not in certs:
        raise no_such_entity(f"The Certificate with id {cert_id} cannot be found.")
    with state.LOCK:
        certs.pop(cert_id, None)


HANDLERS: dict[str, Handler] = {
    "GetAccountSummary": _get_account_summary,
    "GetUser": _get_user,
    "GetLoginProfile": _get_login_profile,
    "CreateLoginProfile": _create_login_profile,
    "DeleteLoginProfile": _delete_login_profile,
    "ListAccessKeys": _list_access_keys,
    "GetAccessKeyLastUsed": _get_access_key_last_used,
    "DeleteAccessKey": _delete_access_key,
    "ListMFADevices": _list_mfa_devices,
    "DeactivateMFADevice": _deactivate_mfa_device,
    "DeleteVirtualMFADevice": _delete_virtual_mfa_device,
    "ListSigningCertificates": _list_signing_certificates,
    "DeleteSigningCertificate": _delete_signing_certificate,
}


def answer(account_id: str, action: str, params: Params) -> Response:
    """The response to an authorized IAM request of the root user of `account_id` that names no user."""
    try:
        handler = HANDLERS.get(action)
        if handler is None:
            raise SandboxError("InvalidAction", f"The sandbox does not serve iam:{action} for the root user.", 400)
        return query.render(action, handler(RootUser(account_id), params), query.IAM_XMLNS)
    except SandboxError as error:
        return query_xml(error)
