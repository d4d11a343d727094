"""EventBridge delivery as AWS does it, for the targets the root-activity-alerts module uses.

moto 5.2.1 raises NotImplementedError for SNS targets; delivers to an SQS target in the rule's account whatever its
ARN says, and without the queue policy; forwards to another event bus without its resource policy or the rule's
role, as a new event stamped with the receiving account; delivers for DISABLED rules; and accepts `aws.*` sources
on PutEvents, which only AWS services may use. This module:

- delivers to SNS topics (published through moto's SNS backend, so the topic's SQS subscriptions receive the
  message), SQS queues (in the account and region of the ARN) and event buses (the event kept as it is: id,
  account, region, time), each only when AWS would authorize it: without a role the target's resource policy must
  allow `events.amazonaws.com` (with `aws:SourceArn` = the rule, `aws:SourceAccount` = its account); with a role,
  the role must exist in the rule's account, trust `events.amazonaws.com` and allow the action, and a target in
  another account must allow the role's account in its resource policy (`aws:PrincipalOrgID` included). A role is
  required for an event bus in another region or in the same account. What fails is dropped, as EventBridge
  drops it (FailedInvocations), and recorded in `FAILURES` for the tests;
- skips rules that are not ENABLED;
- refuses `aws.*` sources on PutEvents with `NotAuthorizedForSourceException`; `deliver_cloudtrail_records` is how
  CloudTrail's events reach an account's default bus (the seeding API serves it).

The resource and role policies are read by a small evaluator: Allow/Deny, Principal "*", AWS (account id, account
root, ARN) or Service, Action and Resource with wildcards, and the String/Arn Equals/Like operators (with Not and
IfExists). Whatever it cannot read fails closed: such an Allow allows nothing and such a Deny denies.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import threading
import uuid
from typing import Any
from urllib.parse import unquote

from jsonpath_ng.ext import parse as jsonpath
from moto.core.utils import iso_8601_datetime_without_milliseconds, utcfromtimestamp
from moto.events.models import EventsBackend, Rule, events_backends
from moto.iam.models import iam_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.utilities.arns import parse_arn

from .organizations_ext import organization_backend_of

EVENTS_SERVICE = "events.amazonaws.com"
# How CloudTrail names its events on EventBridge, by the record's eventType.
CLOUDTRAIL_DETAIL_TYPES = {
    "AwsApiCall": "AWS API Call via CloudTrail",
    "AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
    "AwsConsoleAction": "AWS Console Action via CloudTrail",
    "AwsServiceEvent": "AWS Service Event via CloudTrail",
}
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# A rule forwarding to a bus whose rule forwards back would loop; AWS stops such chains, so does this.
MAX_HOPS = 8

LOCK = threading.Lock()
FAILURES: list[dict[str, str]] = []
_hops = threading.local()


class DeliveryError(Exception):
    """Why one target did not receive an event (recorded, never raised to the caller of PutEvents)."""


# --- the policy reader ------------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_matches(block: Any, principal: dict[str, str]) -> bool | None:
    """None: a Principal element this reader does not understand."""
    if block == "*":
        return True
    if not isinstance(block, dict) or not set(block) <= {"AWS", "Service"}:
        return None
    if "service" in principal:
        return principal["service"] in _as_list(block.get("Service", []))
    account, arn = principal["account"], principal["arn"]
    return any(
        entry in ("*", account, f"arn:aws:iam::{account}:root", arn) for entry in _as_list(block.get("AWS", []))
    )


def _condition_holds(operator: str, values: Any, context: dict[str, str]) -> bool | None:
    negated = "Not" in operator
    base = operator.replace("Not", "", 1).removesuffix("IfExists")
    if base not in ("StringEquals", "StringLike", "ArnEquals", "ArnLike") or not isinstance(values, dict):
        return None
    for key, expected in values.items():
        actual = context.get(key.lower())
        if actual is None:
            if operator.endswith("IfExists") or negated:
                continue
            return False
        like = base in ("StringLike", "ArnLike")
        hit = any(fnmatch.fnmatchcase(actual, e) if like else actual == e for e in _as_list(expected))
        if hit == negated:
            return False
    return True


def _statement_applies(
    statement: dict[str, Any], principal: dict[str, str] | None, action: str, resource: str, context: dict[str, str]
) -> bool | None:
    """Whether the statement covers this request; None when it holds an element this reader cannot evaluate.
    `principal` None: an identity policy (no Principal element)."""
    if {"NotAction", "NotResource", "NotPrincipal"} & set(statement):
        return None
    if principal is not None:
        matched = _principal_matches(statement.get("Principal"), principal)
        if matched is not True:
            return matched
    actions = [a.lower() for a in _as_list(statement.get("Action", []))]
    if not any(fnmatch.fnmatchcase(action.lower(), a) for a in actions):
        return False
    if not any(fnmatch.fnmatchcase(resource, r) for r in _as_list(statement.get("Resource", "*"))):
        return False
    results = [_condition_holds(op, kv, context) for op, kv in (statement.get("Condition") or {}).items()]
    if None in results:
        return None
    return all(results)


def _statements(document: str | dict[str, Any]) -> list[Any]:
    """A policy's statements; moto keeps documents as JSON text (sometimes URL-encoded) or, from CloudFormation,
    as objects."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            document = json.loads(unquote(document))
    return _as_list(document.get("Statement", [])) if isinstance(document, dict) else []


def policy_allows(
    documents: list[Any],
    principal: dict[str, str] | None,
    action: str,
    resource: str,
    context: dict[str, str],
) -> bool:
    """An explicit Deny (or one that cannot be read) wins; otherwise some readable Allow must cover the request."""
    allowed = False
    for document in documents:
        if not document:
            continue
        try:
            statements = _statements(document)
        except ValueError:
            continue
        for statement in statements:
            if not isinstance(statement, dict):
                continue
            applies = _statement_applies(statement, principal, action, resource, context)
            if statement.get("Effect") == "Deny" and applies is not False:
                return False
            if statement.get("Effect") == "Allow" and applies is True:
                allowed = True
    return allowed


# --- delivery --------------------------------------------------------------------------------------------


def _role(rule: Rule, target: dict[str, Any], action: str, resource: str) -> dict[str, str] | None:
    """The principal EventBridge acts as: the target's role (checked as IAM would), or None for the service."""
    role_arn = target.get("RoleArn")
    if not role_arn:
        return None
    if parse_arn(role_arn).account != rule.account_id:
        raise DeliveryError(f"the role {role_arn} is not in the rule's account {rule.account_id}")
    try:
        role = iam_backends[rule.account_id]["aws"].get_role_by_arn(role_arn)
    except Exception as error:  # moto's IAMNotFoundException
        raise DeliveryError(f"the role {role_arn} does not exist") from error
    service = {"service": EVENTS_SERVICE}
    # EventBridge assumes the role on behalf of this rule: the confused-deputy keys name it.
    on_behalf = {"aws:sourcearn": rule.arn, "aws:sourceaccount": rule.account_id}
    if not policy_allows([role.assume_role_policy_document], service, "sts:AssumeRole", role_arn, on_behalf):
        raise DeliveryError(f"the role {role_arn} does not trust {EVENTS_SERVICE}")
    documents = list(role.policies.values()) + [
        getattr(p, "document", None) for p in role.managed_policies.values()
    ]
    if not policy_allows(documents, None, action, resource, {}):
        raise DeliveryError(f"the role {role_arn} is not allowed {action} on {resource}")
    return {"account": rule.account_id, "arn": role_arn}


def _authorize(
    rule: Rule,
    target: dict[str, Any],
    action: str,
    resource: str,
    resource_policy: str | None,
    as_account: bool = False,
) -> None:
    """Raises DeliveryError unless AWS would let this rule's target receive the event. Without a role the service
    itself calls SNS and SQS (`as_account` False), while an event bus in another account sees the rule's account."""
    role = _role(rule, target, action, resource)
    if role is not None and parse_arn(resource).account == rule.account_id:
        return  # the role's own permissions suffice in its account
    context = {"aws:sourcearn": rule.arn, "aws:sourceaccount": rule.account_id}
    if role is None and not as_account:
        principal = {"service": EVENTS_SERVICE}
    else:
        principal = role or {"account": rule.account_id, "arn": f"arn:aws:iam::{rule.account_id}:root"}
        context.update({"aws:principalaccount": rule.account_id, "aws:principalarn": principal["arn"]})
        org = organization_backend_of(rule.account_id)
        if org is not None:
            context["aws:principalorgid"] = org.org.id
    if not policy_allows([resource_policy], principal, action, resource, context):
        who = principal.get("arn", EVENTS_SERVICE)
        raise DeliveryError(f"the resource policy of {resource} does not allow {who} {action}")


_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def _fill(template: str, values: dict[str, Any]) -> str:
    """An InputTemplate with its placeholders filled as EventBridge does: outside a JSON string a value goes in as
    JSON (a string quoted, a missing path as null), inside one as its text, escaped. moto pastes raw text
    everywhere, so `{"account": <account>}`, the documented form, came out as invalid JSON."""
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        c = template[i]
        if in_string and c == "\\":
            out.append(template[i : i + 2])
            i += 2
            continue
        match = _PLACEHOLDER.match(template, i)
        if match and match.group(1) in values:
            value = values[match.group(1)]
            if in_string:
                text = value if isinstance(value, str) else "" if value is None else json.dumps(value)
                out.append(json.dumps(text)[1:-1])
            else:
                out.append(json.dumps(value))
            i = match.end()
            continue
        if c == '"':
            in_string = not in_string
        out.append(c)
        i += 1
    return "".join(out)


def _first(path: str, event: dict[str, Any]) -> Any:
    matches = jsonpath(path).find(event)
    return matches[0].value if matches else None


def _payload(rule: Rule, target: dict[str, Any], event: dict[str, Any]) -> str:
    """What the target receives: the event, a constant Input, the value at InputPath, or the InputTransformer's
    output."""
    if "Input" in target:
        return str(target["Input"])
    if "InputPath" in target:
        return json.dumps(_first(target["InputPath"], event))
    transformer = target.get("InputTransformer")
    if not transformer:
        return json.dumps(event)
    values = {name: _first(path, event) for name, path in (transformer.get("InputPathsMap") or {}).items()}
    values.update(
        {
            "aws.events.rule-arn": rule.arn,
            "aws.events.rule-name": rule.name,
            "aws.events.event.json": event,
            "aws.events.event": {k: v for k, v in event.items() if k != "detail"},
        }
    )
    return _fill(transformer["InputTemplate"], values)


def _to_sns(rule: Rule, target: dict[str, Any], event: dict[str, Any]) -> None:
    arn = parse_arn(target["Arn"])
    topic = sns_backends[arn.account][arn.region].topics.get(target["Arn"])
    if topic is None:
        raise DeliveryError(f"the topic {target['Arn']} does not exist")
    _authorize(rule, target, "sns:Publish", topic.arn, topic.policy)
    sns_backends[arn.account][arn.region].publish(message=_payload(rule, target, event), arn=topic.arn)


def _to_sqs(rule: Rule, target: dict[str, Any], event: dict[str, Any]) -> None:
    arn = parse_arn(target["Arn"])
    backend = sqs_backends[arn.account][arn.region]
    queue = backend.queues.get(arn.resource_id)
    if queue is None:
        raise DeliveryError(f"the queue {target['Arn']} does not exist")
    _authorize(rule, target, "sqs:SendMessage", queue.queue_arn, queue.policy)
    group_id = target.get("SqsParameters", {}).get("MessageGroupId")
    backend.send_message(queue_name=arn.resource_id, message_body=_payload(rule, target, event), group_id=group_id)


def _to_event_bus(rule: Rule, target: dict[str, Any], event: dict[str, Any]) -> None:
    arn = parse_arn(target["Arn"])
    bus = events_backends[arn.account][arn.region].event_buses.get(arn.resource_id)
    if bus is None:
        raise DeliveryError(f"the event bus {target['Arn']} does not exist")
    same_account = arn.account == rule.account_id
    if not target.get("RoleArn") and (same_account or arn.region != rule.region_name):
        raise DeliveryError(f"a role is required to send events to {target['Arn']} (same account or another region)")
    _authorize(rule, target, "events:PutEvents", bus.arn, bus.policy, as_account=True)
    dispatch(bus.rules.values(), event)


_DELIVER = {("sns", ""): _to_sns, ("sqs", ""): _to_sqs, ("events", "event-bus"): _to_event_bus}


def _route(target: dict[str, Any]) -> Any:
    arn = parse_arn(target["Arn"])
    return _DELIVER.get((arn.service, arn.resource_type if arn.service == "events" else ""))


def _record_failure(rule: Rule, target: dict[str, Any], reason: str) -> None:
    with LOCK:
        FAILURES.append({"rule": rule.arn, "target": target["Arn"], "reason": reason})


def dispatch(rules: Any, event: dict[str, Any]) -> None:
    """Hands one event to every rule of a bus (each rule gets its own copy, as with moto's put_events)."""
    depth = getattr(_hops, "depth", 0)
    if depth >= MAX_HOPS:
        return
    _hops.depth = depth + 1
    try:
        for rule in list(rules):
            rule.send_to_targets(copy.deepcopy(event))
    finally:
        _hops.depth = depth


def _patch_send_to_targets() -> None:
    original = Rule.send_to_targets

    def send_to_targets(self: Rule, original_event: Any, transform_input: bool = True) -> None:
        if self.state != "ENABLED" or not self.event_pattern.matches_event(original_event):
            return
        # moto's put_events keeps the time as a number and adds its own "ingestion-time" (its senders convert and
        # keep them); EventBridge delivers the time as ISO 8601 and no such field.
        event = {k: v for k, v in original_event.items() if k != "ingestion-time"}
        if isinstance(event.get("time"), (int, float)):
            event["time"] = iso_8601_datetime_without_milliseconds(utcfromtimestamp(event["time"]))
        theirs = []
        for target in self.targets:
            deliver = _route(target)
            if deliver is None:
                theirs.append(target)
                continue
            try:
                deliver(self, target, copy.deepcopy(event))
            except (DeliveryError, ValueError) as error:
                # ValueError: an input transformer whose output is not JSON.
                _record_failure(self, target, str(error))
        if theirs:
            # moto's own delivery for the other target types (log groups, archives, API destinations).
            clone = copy.copy(self)
            clone.targets = theirs
            original(clone, original_event, transform_input)

    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]


def _patch_put_events() -> None:
    original = EventsBackend.put_events

    def put_events(self: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(events) > 10:
            return original(self, events)  # moto's own ValidationException
        entries: list[dict[str, Any]] = []
        for event in events:
            if str(event.get("Source", "")).startswith("aws."):
                entries.append(
                    {"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."}
                )
            else:
                entries.extend(original(self, [event]))
        return entries

    EventsBackend.put_events = put_events  # type: ignore[method-assign]


# --- CloudTrail → EventBridge -------------------------------------------------------------------------------


def cloudtrail_event(account_id: str, record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(region, EventBridge event) of one CloudTrail record, as CloudTrail hands it to the account's default bus."""
    event_type = record.get("eventType")
    if event_type not in CLOUDTRAIL_DETAIL_TYPES:
        raise ValueError(f"eventType must be one of {', '.join(CLOUDTRAIL_DETAIL_TYPES)}, got {event_type!r}")
    source = record.get("eventSource")
    if not isinstance(source, str) or not source.endswith(".amazonaws.com"):
        raise ValueError(f"eventSource must be a service host such as sts.amazonaws.com, got {source!r}")
    region = record.get("awsRegion")
    if not isinstance(region, str) or not REGION.match(region):
        raise ValueError(f"awsRegion must be a region name, got {region!r}")
    recipient = record.get("recipientAccountId", account_id)
    if recipient != account_id:
        raise ValueError(f"recipientAccountId {recipient!r} is not the account {account_id}")
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": CLOUDTRAIL_DETAIL_TYPES[event_type],
        "source": "aws." + source.split(".")[0],
        "account": account_id,
        "time": record.get("eventTime", ""),
        "region": region,
        "resources": [],
        "detail": record,
    }
    return region, event


def deliver_cloudtrail_records(account_id: str, records: list[dict[str, Any]]) -> list[str]:
    """Puts each record on the account's default bus in its region; returns the EventBridge event ids."""
    events = [cloudtrail_event(account_id, record) for record in records]  # every record checked first
    for region, event in events:
        dispatch(events_backends[account_id][region].event_buses["default"].rules.values(), event)
    return [event["id"] for _, event in events]


def failures() -> list[dict[str, str]]:
    with LOCK:
        return list(FAILURES)


def install() -> None:
    _patch_send_to_targets()
    _patch_put_events()
