"""The request gate: a WSGI layer in front of moto that authorizes every signed request as AWS would.

1. Who is calling (principals.resolve): expired sessions get ExpiredToken, deleted or inactive keys
   InvalidClientTokenId.
2. What is asked (request_facts.read): the IAM action, the resource and its owner.
3. May they (authorize.check, with the one policy evaluator policy_eval): identity policies, task and session
   policies, boundaries, SCPs, resource policies, account boundaries; refusals are AccessDenied (403).
4. What moto lacks is answered here: sts:AssumeRoot (assume_root) and the root user's IAM calls (root_iam).
5. moto serves the rest, in the right account: the caller's, the queue owner's for an allowed cross-account
   queue call, or the management account's for a delegated administrator's Organizations read (a member's other
   Organizations calls are refused there, organizations_ext.serving_account). A client-sent x-moto-account-id is dropped, so the access key alone decides the account.

The answers use the protocol of the service called (query XML, SQS JSON, JSON 1.1, S3 XML). Doing this before moto
parses the request keeps one code path for every service, S3 included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from . import (
    assume_root,
    authorize,
    errors,
    install_stacksets,
    organizations_ext,
    principals,
    request_facts,
    root_iam,
    state,
    task_policies,
)

StartResponse = Callable[..., Any]

# The codes a bad access key gets, per protocol family.
_INVALID_KEY = {"s3": ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")}
_JSON_RPC_INVALID_KEY = "UnrecognizedClientException"


def _render(error: errors.SandboxError, environ: dict[str, Any], service: str) -> errors.Response:
    if error.code == "InvalidClientTokenId":
        if service in _INVALID_KEY:
            error = errors.SandboxError(*_INVALID_KEY[service], error.status)
        elif environ.get("HTTP_X_AMZ_TARGET") and service != "sqs":
            error = errors.SandboxError(_JSON_RPC_INVALID_KEY, error.message, error.status)
    if environ.get("HTTP_X_AMZ_TARGET"):
        return errors.json_query_compatible(error) if service == "sqs" else errors.json_rpc(error)
    if service == "s3":
        return errors.s3_xml(error)
    return errors.query_xml(error)


def _legacy_check(caller: principals.Caller, facts: request_facts.RequestFacts) -> errors.SandboxError | None:
    """With enforcement off (benchmarks only): a root session's action against its task's allowed list."""
    session = caller.root_session
    if session is None or facts.action.lower() == "sts:getcalleridentity":
        return None
    allowed = task_policies.ALLOWED_ACTIONS[session.task_policy_name]
    if facts.action.lower() in {a.lower() for a in allowed}:
        return None
    return errors.access_denied(f"User: {session.arn} is not authorized to perform: {facts.action}")


def answer(environ: dict[str, Any]) -> errors.Response | None:
    """The response this request gets instead of reaching moto, or None to let it through."""
    environ.pop("HTTP_X_MOTO_ACCOUNT_ID", None)
    credential = request_facts.credential(environ)
    if credential is None:
        return None
    access_key, region, service = credential
    if service == "cloudformation":
        install_stacksets()
    try:
        caller = principals.resolve(access_key, service)
        facts = request_facts.read(environ, service, region)
        assume_root_request = None
        if service == "sts" and facts.operation == "AssumeRoot":
            assume_root_request = assume_root.parse(facts.params)
        denial = authorize.check(caller, facts, environ) if state.ENFORCE else _legacy_check(caller, facts)
        if denial is not None:
            raise denial
        organizations_account = (
            organizations_ext.serving_account(caller.account, facts.operation) if service == "organizations" else None
        )
    except errors.SandboxError as error:
        return _render(error, environ, service)

    if assume_root_request is not None:
        return assume_root.answer(caller, assume_root_request)
    if caller.is_root:
        if service == "iam" and not facts.params.get("UserName") and (
            facts.operation in root_iam.HANDLERS or facts.operation in request_facts.SELF_USER_ACTIONS or caller.root_session
        ):
            return root_iam.answer(caller.account, facts.operation, facts.params)
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = caller.account  # moto knows no root keys
    if facts.queue is not None and facts.queue[1] and facts.queue[1] != caller.account:
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = facts.queue[1]
    if organizations_account is not None:
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = organizations_account
    return None


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
