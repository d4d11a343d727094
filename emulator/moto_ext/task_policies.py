"""The five AWS-managed root-task policies: the list from aws/root-tasks.json (the project's one list, shared
with the TypeScript side), each read from its document vendored in emulator/task-policies/.

Each document's first statement denies everything except its NotAction list, so that list is exactly what
a root session started with the policy may call.
"""

from __future__ import annotations

import json
import os

_EMULATOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICY_DIR = os.path.join(_EMULATOR_DIR, "task-policies")
TASKS_FILE = os.path.join(os.path.dirname(_EMULATOR_DIR), "aws", "root-tasks.json")
ARN_PREFIX = "arn:aws:iam::aws:policy/root-task/"


def _load_tasks() -> dict[str, dict]:
    with open(TASKS_FILE, encoding="utf-8") as handle:
        return json.load(handle)["policies"]


TASKS = _load_tasks()

# Credential tasks act on the root user's credentials, governed by the RootCredentialsManagement feature.
CREDENTIAL_TASKS = frozenset(name for name, task in TASKS.items() if task["actsOn"] == "root-credentials")


def _load() -> dict[str, tuple[str, ...]]:
    allowed: dict[str, tuple[str, ...]] = {}
    for name in sorted(TASKS):
        file_name = f"{name}.json"
        with open(os.path.join(POLICY_DIR, file_name), encoding="utf-8") as handle:
            document = json.load(handle)
        first = document["Statement"][0]
        if first.get("Effect") != "Deny" or "NotAction" not in first:
            raise ValueError(f"{file_name}: the first statement must be a Deny with NotAction")
        allowed[name] = tuple(first["NotAction"])
    return allowed


ALLOWED_ACTIONS = _load()
_ALLOWED_LOWER = {name: frozenset(a.lower() for a in actions) for name, actions in ALLOWED_ACTIONS.items()}


def is_allowed(task_policy_name: str, action: str) -> bool:
    # GetCallerIdentity is never denied by any IAM policy.
    if action.lower() == "sts:getcalleridentity":
        return True
    # IAM action names are case-insensitive.
    return action.lower() in _ALLOWED_LOWER.get(task_policy_name, frozenset())
