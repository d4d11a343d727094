"""The five AWS-managed root-task policies, read from the documents vendored in emulator/task-policies/.

Each document's first statement denies everything except its NotAction list, so that list is exactly what
a root session started with the policy may call.
"""

from __future__ import annotations

import json
import os

POLICY_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "task-policies")
ARN_PREFIX = "arn:aws:iam::aws:policy/root-task/"

# Credential tasks act on the root user's credentials, governed by the RootCredentialsManagement feature.
CREDENTIAL_TASKS = frozenset(
    {"IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials"}
)


def _load() -> dict[str, tuple[str, ...]]:
    allowed: dict[str, tuple[str, ...]] = {}
    for file_name in sorted(os.listdir(POLICY_DIR)):
        if not file_name.endswith(".json"):
            continue
        with open(os.path.join(POLICY_DIR, file_name), encoding="utf-8") as handle:
            document = json.load(handle)
        first = document["Statement"][0]
        if first.get("Effect") != "Deny" or "NotAction" not in first:
            raise ValueError(f"{file_name}: the first statement must be a Deny with NotAction")
        allowed[file_name[: -len(".json")]] = tuple(first["NotAction"])
    return allowed


ALLOWED_ACTIONS = _load()
_ALLOWED_LOWER = {name: frozenset(a.lower() for a in actions) for name, actions in ALLOWED_ACTIONS.items()}


def is_allowed(task_policy_name: str, action: str) -> bool:
    # GetCallerIdentity is never denied by any IAM policy.
    if action.lower() == "sts:getcalleridentity":
        return True
    # IAM action names are case-insensitive.
    return action.lower() in _ALLOWED_LOWER.get(task_policy_name, frozenset())
