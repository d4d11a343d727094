"""A minimal evaluator of role trust policies for sts:AssumeRole (moto assumes any role without checking).

It answers one question: may this principal assume the role? An explicit Deny that matches wins; otherwise
an Allow must match the action, the principal and every condition. Supported: Principal "*" or AWS (an ARN,
an account's root ARN, or a 12-digit account id), and the condition operators StringEquals, StringLike,
ArnEquals, ArnLike (and their negations) on sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalArn and
aws:PrincipalAccount. Anything else does not match, so an unsupported policy fails closed.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any
from urllib.parse import unquote

ASSUME_ACTIONS = {"sts:assumerole", "sts:*", "*"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_matches(principal_block: Any, principal_arn: str, account_id: str) -> bool:
    if principal_block == "*":
        return True
    if not isinstance(principal_block, dict):
        return False
    for entry in _as_list(principal_block.get("AWS", [])):
        if entry in ("*", principal_arn, account_id, f"arn:aws:iam::{account_id}:root"):
            return True
    return False


def _condition_matches(operator: str, key_values: dict[str, Any], context: dict[str, Any]) -> bool:
    negated = "Not" in operator
    base = operator.replace("Not", "").replace("IfExists", "")
    if base not in ("StringEquals", "StringLike", "ArnEquals", "ArnLike"):
        return False
    wildcard = base in ("StringLike", "ArnLike")
    for key, expected in key_values.items():
        lowered = key.lower()
        if lowered not in context:
            return False
        actual = context[lowered]
        if actual is None:
            if operator.endswith("IfExists") or negated:
                continue
            return False
        hit = any(fnmatch.fnmatchcase(actual, e) if wildcard else actual == e for e in _as_list(expected))
        if hit == negated:
            return False
    return True


def _statement_matches(statement: dict[str, Any], principal_arn: str, account_id: str, context: dict[str, Any]) -> bool:
    actions = {a.lower() for a in _as_list(statement.get("Action", []))}
    if not actions & ASSUME_ACTIONS:
        return False
    if not _principal_matches(statement.get("Principal"), principal_arn, account_id):
        return False
    conditions = statement.get("Condition", {})
    return all(_condition_matches(op, kv, context) for op, kv in conditions.items())


def evaluate_trust_policy(document: str, principal_arn: str, account_id: str, context: dict[str, Any]) -> bool:
    try:
        policy = json.loads(document)
    except ValueError:
        policy = json.loads(unquote(document))
    statements = _as_list(policy.get("Statement", []))
    matching = [s for s in statements if _statement_matches(s, principal_arn, account_id, context)]
    if any(s.get("Effect") == "Deny" for s in matching):
        return False
    return any(s.get("Effect") == "Allow" for s in matching)
