"""The seeding and inspection HTTP API under /_sandbox/, for tests and the demo (JSON in, JSON out).

  GET  /_sandbox/health                                   readiness
  GET  /_sandbox/organization                             summary of the seeded organization
  POST /_sandbox/organization                             seed (see seeding.seed_organization)
  PUT  /_sandbox/accounts/<id>/root-credentials           replace the root user's credentials (returns its keys)
  GET  /_sandbox/accounts/<id>/root-credentials           ground truth of them
  POST /_sandbox/accounts/<id>/locked-bucket              the DenyAllExceptPipeline bucket
  POST /_sandbox/accounts/<id>/locked-queue               a locked-out queue
  POST /_sandbox/accounts/<id>/bucket                     a bucket in a region with a given policy (or none)
  POST /_sandbox/accounts/<id>/queue                      a queue in a region with a given policy (or none)
  POST /_sandbox/accounts/<id>/admin-credentials          an IAM admin user's keys in the account
  GET  /_sandbox/accounts/<id>/buckets/<bucket>/policy    ground truth of a bucket policy
  GET  /_sandbox/accounts/<id>/queue-policy?queueUrl=...  ground truth of a queue policy
  GET  /_sandbox/secrets                                  every secret key and session token issued
  GET  /_sandbox/sessions                                 every temporary session issued (access key ids, no secrets)
  POST /_sandbox/accounts/<id>/cloudtrail-events          CloudTrail records onto the account's default buses
  GET  /_sandbox/event-delivery-failures                  EventBridge deliveries refused or failed, oldest first
  POST /_sandbox/evaluate                                 the policy evaluator on given cases (differential test)
  PUT  /_sandbox/enforcement                              {"enabled": false} turns policy enforcement off
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from . import events_ext, policy_eval, seeding, state
from .organizations_ext import organization_backend_of

PREFIX = "/_sandbox/"
ACCOUNT_ROUTE = re.compile(r"^/_sandbox/accounts/(\d{12})/(.+)$")
StartResponse = Callable[..., Any]


def _reply(start_response: StartResponse, status: int, payload: Any) -> Iterable[bytes]:
    body = json.dumps(payload, default=str).encode("utf-8")
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _json_body(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    if not raw:
        return {}
    parsed = json.loads(raw)
    if not isinstance(parsed, dict):
        raise seeding.SeedError("the request body must be a JSON object")
    return parsed


def _base_url(environ: dict[str, Any]) -> str:
    return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '127.0.0.1')}"


def _cloudtrail_events(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    records = body.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise seeding.SeedError('the body must be {"records": [<CloudTrail record>, ...]}')
    if organization_backend_of(account_id) is None:
        raise LookupError(f"account {account_id} is not in the sandbox's organization")
    try:
        return {"eventIds": events_ext.deliver_cloudtrail_records(account_id, records)}
    except ValueError as error:
        raise seeding.SeedError(str(error)) from error


def _policy(document: Any) -> policy_eval.Policy:
    if not isinstance(document, (dict, str)):
        raise seeding.SeedError(f"a policy must be a JSON object or its text, got {document!r}")
    return policy_eval.parse(document)


def _evaluate_case(case: Any) -> dict[str, Any]:
    """One request against given policies, as the gate would evaluate it (tests only; nothing is stored)."""
    if not isinstance(case, dict):
        raise seeding.SeedError("each case must be an object")
    try:
        principal = case["principal"]
        request = policy_eval.Request(
            case["action"],
            case["resource"],
            case["resourceAccount"],
            {k.lower(): v for k, v in (case.get("context") or {}).items()},
        )
        scps = case.get("scps")
        decision = policy_eval.evaluate(
            request,
            policy_eval.Principal(principal["arn"], principal["account"], principal.get("roleArn")),
            [_policy(d) for d in case.get("identityPolicies") or []],
            task=[_policy(d) for d in case.get("taskPolicies") or []],
            session=None if case.get("sessionPolicy") is None else [_policy(case["sessionPolicy"])],
            boundary=None if case.get("permissionsBoundary") is None else _policy(case["permissionsBoundary"]),
            scps=None if scps is None else [[_policy(d) for d in level] for level in scps],
            resource_policy=None if case.get("resourcePolicy") is None else _policy(case["resourcePolicy"]),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise seeding.SeedError(f"malformed evaluation case: {error!r}") from error
    return {"result": decision.result, "policyType": decision.policy_type}


def _set_enforcement(body: dict[str, Any]) -> dict[str, bool]:
    enabled = body.get("enabled")
    if not isinstance(enabled, bool):
        raise seeding.SeedError(f"enabled must be true or false, got {enabled!r}")
    state.ENFORCE = enabled
    return {"enabled": state.ENFORCE}


def _route(method: str, path: str, environ: dict[str, Any]) -> Any:
    if path == "/_sandbox/health":
        return {"ok": True}
    if path == "/_sandbox/evaluate" and method == "POST":
        cases = _json_body(environ).get("cases")
        if not isinstance(cases, list):
            raise seeding.SeedError("the body must be {\"cases\": [...]}")
        return {"results": [_evaluate_case(c) for c in cases]}
    if path == "/_sandbox/enforcement":
        return _set_enforcement(_json_body(environ)) if method == "PUT" else {"enabled": state.ENFORCE}

    if path == "/_sandbox/secrets" and method == "GET":
        with state.LOCK:
            return {"secrets": list(state.ISSUED_SECRETS)}
    if path == "/_sandbox/sessions" and method == "GET":
        with state.LOCK:
            return {"sessions": list(state.ISSUED_SESSIONS)}
    if path == "/_sandbox/event-delivery-failures" and method == "GET":
        return {"failures": events_ext.failures()}
    if path == "/_sandbox/organization":
        return seeding.seed_organization(_json_body(environ)) if method == "POST" else seeding.describe_organization()
    match = ACCOUNT_ROUTE.match(path)
    if match is None:
        raise LookupError(f"no sandbox route {method} {path}")
    account_id, rest = match.groups()
    if rest == "root-credentials":
        if method == "PUT":
            return seeding.seed_root_credentials(account_id, _json_body(environ))
        return seeding.read_root_credentials(account_id)
    if rest == "locked-bucket" and method == "POST":
        return seeding.seed_locked_bucket(account_id, _json_body(environ))
    if rest == "locked-queue" and method == "POST":
        return seeding.seed_locked_queue(account_id, _json_body(environ), _base_url(environ))
    if rest == "bucket" and method == "POST":
        return seeding.seed_bucket(account_id, _json_body(environ))
    if rest == "queue" and method == "POST":
        return seeding.seed_queue(account_id, _json_body(environ), _base_url(environ))
    if rest == "admin-credentials" and method == "POST":
        return seeding.member_admin_credentials(account_id)
    if rest == "cloudtrail-events" and method == "POST":
        return _cloudtrail_events(account_id, _json_body(environ))
    bucket = re.match(r"^buckets/([^/]+)/policy$", rest)
    if bucket and method == "GET":
        return {"policy": seeding.read_bucket_policy(account_id, bucket.group(1))}
    if rest == "queue-policy" and method == "GET":
        queue_url = parse_qs(environ.get("QUERY_STRING", "")).get("queueUrl", [""])[0]
        return {"policy": seeding.read_queue_policy(account_id, queue_url)}
    raise LookupError(f"no sandbox route {method} {path}")


def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    try:
        return _reply(start_response, 200, _route(method, environ.get("PATH_INFO", ""), environ))
    except (seeding.SeedError, json.JSONDecodeError) as error:
        return _reply(start_response, 400, {"error": str(error)})
    except LookupError as error:
        return _reply(start_response, 404, {"error": str(error)})
