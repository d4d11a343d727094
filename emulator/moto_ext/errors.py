"""AWS error responses in each protocol's own shape.

The request gate answers before moto sees a request, and the extension's actions answer 403s that moto's
serializer would turn into 400s, so both build the bodies here. The shapes are what the AWS SDKs parse:
query XML (IAM, STS, SQS query), JSON with the query-compatibility header (SQS JSON), JSON 1.1
(Organizations) and the S3 REST XML.
"""

from __future__ import annotations

import itertools
import json
from xml.sax.saxutils import escape

Response = tuple[int, dict[str, str], str]

# Request ids only need to be unique; a counter avoids a random-number syscall per refused request.
_request_ids = itertools.count(1)


def request_id() -> str:
    return f"sandbox-{next(_request_ids):012d}"


class SandboxError(Exception):
    """An AWS error raised by the extension: code, message and HTTP status, rendered per protocol."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def access_denied(message: str) -> SandboxError:
    return SandboxError("AccessDenied", message, 403)


def validation_error(message: str) -> SandboxError:
    return SandboxError("ValidationError", message, 400)


def no_such_entity(message: str) -> SandboxError:
    return SandboxError("NoSuchEntity", message, 404)


def query_xml(error: SandboxError) -> Response:
    body = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
        f"</Error><RequestId>{request_id()}</RequestId></ErrorResponse>"
    )
    return error.status, {"Content-Type": "text/xml"}, body


def json_query_compatible(error: SandboxError) -> Response:
    # SQS speaks JSON but keeps its query-era error codes in x-amzn-query-error; the SDK reads the code there.
    body = json.dumps({"__type": f"com.amazon.coral.service#{error.code}Exception", "message": error.message})
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-query-error": f"{error.code};Sender"}
    return error.status, headers, body


def json_rpc(error: SandboxError) -> Response:
    code = error.code if error.code.endswith("Exception") else f"{error.code}Exception"
    body = json.dumps({"__type": code, "Message": error.message})
    return error.status, {"Content-Type": "application/x-amz-json-1.1"}, body


def s3_xml(error: SandboxError) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
        f"<RequestId>{request_id()}</RequestId><HostId>sandbox</HostId></Error>"
    )
    return error.status, {"Content-Type": "application/xml"}, body


def as_moto_response(error: SandboxError) -> tuple[str, dict[str, object]]:
    """The (body, headers) pair a moto query-protocol response method may return, keeping the status."""
    status, headers, body = query_xml(error)
    return body, {**headers, "status": status}
