"""Query-protocol (IAM, STS) XML for the answers the sandbox gives without moto.

A small emitter for the few flat shapes involved: moto's generic serializer cost more than everything else on
the fleet-audit path (half a millisecond for one GetAccountSummary).
"""

from __future__ import annotations

import datetime
from typing import Any
from xml.sax.saxutils import escape

from .errors import Response, request_id

IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

# Members of map type in these responses: the query protocol writes them as entry/key/value.
_MAP_MEMBERS = frozenset({"SummaryMap"})


def _xml(value: Any, name: str = "") -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, list):
        return "".join(f"<member>{_xml(item)}</member>" for item in value)
    if isinstance(value, dict):
        if name in _MAP_MEMBERS:
            return "".join(f"<entry><key>{escape(k)}</key><value>{_xml(v)}</value></entry>" for k, v in value.items())
        return "".join(f"<{k}>{_xml(v, k)}</{k}>" for k, v in value.items() if v is not None)
    return escape(str(value))


def render(action: str, result: dict[str, Any] | None, xmlns: str) -> Response:
    """The query-protocol XML answer of `action` carrying `result` (None: an empty result)."""
    body = f"<{action}Result>{_xml(result)}</{action}Result>" if result is not None else ""
    xml = (
        f'<{action}Response xmlns="{xmlns}">{body}'
        f"<ResponseMetadata><RequestId>{request_id()}</RequestId></ResponseMetadata></{action}Response>"
    )
    return 200, {"Content-Type": "text/xml"}, xml
