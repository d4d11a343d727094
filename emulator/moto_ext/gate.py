"""The request gate: a WSGI layer in front of moto that enforces what moto does not.

1. Expired sessions (root sessions and AssumeRole sessions) are refused with ExpiredToken.
2. A request signed with a root session is refused with AccessDenied unless its action is allowed by the
   session's task policy.
3. An allowed IAM request of a root session is answered by root_iam (moto has no root user), and
   sts:AssumeRoot by assume_root (moto has no AssumeRoot).
The answers use the protocol of the service called (query XML, SQS JSON, JSON 1.1, S3 XML). Doing this
before moto parses the request keeps one code path for every service, S3 included.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from . import assume_root, errors, root_iam, state, task_policies
from .perf import account_for_access_key

CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/\d{8}/([^/]+)/([^/]+)/")
S3_SUBRESOURCE_ACTIONS = {
    "acl": "Acl",
    "tagging": "Tagging",
    "versioning": "Versioning",
    "cors": "Cors",
    "lifecycle": "Lifecycle",
    "encryption": "Encryption",
    "publicAccessBlock": "PublicAccessBlock",
    "ownershipControls": "OwnershipControls",
    "website": "Website",
    "logging": "Logging",
    "notification": "Notification",
    "replication": "Replication",
    "policyStatus": "PolicyStatus",
}
S3_VERBS = {"GET": "Get", "HEAD": "Get", "PUT": "Put", "DELETE": "Delete", "POST": "Put"}

StartResponse = Callable[..., Any]


def _credential(environ: dict[str, Any]) -> tuple[str, str, str] | None:
    """(access key id, region, service) of a SigV4-signed request, from the header or a presigned URL."""
    match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1), match.group(2), match.group(3)
    presigned = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
    if presigned:
        parts = presigned[0].split("/")
        if len(parts) >= 4:
            return parts[0], parts[2], parts[3]
    return None


def _s3_action(environ: dict[str, Any]) -> str:
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    segments = [s for s in environ.get("PATH_INFO", "/").split("/") if s]
    host = environ.get("HTTP_HOST", "").split(":")[0]
    # Virtual-hosted style puts the bucket in the host name (bucket.localhost, bucket.s3.<region>...).
    bucket_in_host = host.endswith(".localhost") or bool(re.match(r"^.+\.s3[.-]", host))
    has_bucket = bucket_in_host or bool(segments)
    has_key = len(segments) >= (1 if bucket_in_host else 2)
    if not has_bucket:
        return "ListAllMyBuckets"
    if not has_key:
        if "policy" in query:
            return f"{S3_VERBS.get(method, 'Get')}BucketPolicy"
        if "location" in query:
            return "GetBucketLocation"
        for sub, name in S3_SUBRESOURCE_ACTIONS.items():
            if sub in query:
                return f"{S3_VERBS.get(method, 'Get')}Bucket{name}"
        return {"PUT": "CreateBucket", "DELETE": "DeleteBucket", "POST": "DeleteObject"}.get(method, "ListBucket")
    return {"PUT": "PutObject", "POST": "PutObject", "DELETE": "DeleteObject"}.get(method, "GetObject")


def _query_params(environ: dict[str, Any]) -> dict[str, str]:
    """The parameters of a query-protocol request, from its URL and its form-encoded body."""
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # moto reads the body again, so hand it a fresh stream.
        environ["wsgi.input"] = io.BytesIO(body)
        params.update({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    return params


def _action(environ: dict[str, Any], service: str, params: dict[str, str]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.split('.')[-1]}"
    if service == "s3":
        return f"s3:{_s3_action(environ)}"
    return f"{service}:{params.get('Action', 'Unknown')}"


def _render(error: errors.SandboxError, environ: dict[str, Any], service: str) -> errors.Response:
    if environ.get("HTTP_X_AMZ_TARGET"):
        return errors.json_query_compatible(error) if service == "sqs" else errors.json_rpc(error)
    if service == "s3":
        return errors.s3_xml(error)
    return errors.query_xml(error)


def _expired(service: str) -> errors.SandboxError:
    message = "The provided token has expired." if service == "s3" else "The security token included in the request is expired"
    return errors.SandboxError("ExpiredToken", message, 403)


def answer(environ: dict[str, Any]) -> errors.Response | None:
    """The response this request gets instead of reaching moto, or None to let it through."""
    credential = _credential(environ)
    if credential is None:
        return None
    access_key, region, service = credential
    session = state.ROOT_SESSIONS.get(access_key)
    if session is None:
        expiry = state.TEMP_KEY_EXPIRY.get(access_key)
        if expiry is not None and state.utcnow() >= expiry:
            return _render(_expired(service), environ, service)
        if service == "sts" and not environ.get("HTTP_X_AMZ_TARGET"):
            params = _query_params(environ)
            if params.get("Action") == "AssumeRoot":
                # moto's own precedence: an explicit account header, then the access key.
                caller_account = environ.get("HTTP_X_MOTO_ACCOUNT_ID") or account_for_access_key(access_key)
                return assume_root.answer(access_key, caller_account, region, params)
        return None
    if session.expired():
        return _render(_expired(service), environ, service)
    query = service != "s3" and not environ.get("HTTP_X_AMZ_TARGET")
    params = _query_params(environ) if query else {}
    action = _action(environ, service, params)
    if task_policies.is_allowed(session.task_policy_name, action):
        return root_iam.answer(session, params.get("Action", ""), params) if service == "iam" else None
    message = (
        f"User: {session.arn} is not authorized to perform: {action} with an explicit deny in a session policy "
        f"({session.task_policy_arn} allows only {', '.join(sorted(task_policies.ALLOWED_ACTIONS[session.task_policy_name]))})"
    )
    return _render(errors.access_denied(message), environ, service)


class RequestGate:
    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answered = answer(environ)
        if answered is None:
            return self.app(environ, start_response)
        status, headers, body = answered
        payload = body.encode("utf-8")
        headers = {**headers, "Content-Length": str(len(payload)), "x-amzn-RequestId": errors.request_id()}
        start_response(f"{status} {HTTPStatus(status).phrase}", list(headers.items()))
        return [payload]
