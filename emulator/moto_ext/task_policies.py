"""The five AWS-managed root-task policies: the list from aws/root-tasks.json (the project's one list, shared
with the TypeScript side), each read from its document vendored in emulator/task-policies/.

A root session is evaluated with every statement of its document (policy_eval, as a session policy that only
denies). Each document's first statement denies everything except its NotAction list: that list is quoted in
the sandbox's AccessDenied messages as what the task allows at most.
"""

from __future__ import annotations

import json
import os

from . import policy_eval

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


def _load() -> tuple[dict[str, policy_eval.Policy], dict[str, tuple[str, ...]]]:
    documents: dict[str, policy_eval.Policy] = {}
    allowed: dict[str, tuple[str, ...]] = {}
    for name in sorted(TASKS):
        file_name = f"{name}.json"
        with open(os.path.join(POLICY_DIR, file_name), encoding="utf-8") as handle:
            text = handle.read()
        document = json.loads(text)
        first = document["Statement"][0]
        if first.get("Effect") != "Deny" or "NotAction" not in first:
            raise ValueError(f"{file_name}: the first statement must be a Deny with NotAction")
        documents[name] = policy_eval.parse(text)
        if documents[name].error:
            raise ValueError(f"{file_name}: {documents[name].error}")
        allowed[name] = tuple(first["NotAction"])
    return documents, allowed


# Task name -> the parsed document; task name -> the actions its first statement leaves allowed.
DOCUMENTS, ALLOWED_ACTIONS = _load()
