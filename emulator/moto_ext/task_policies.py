"""The five AWS-managed root-task policies, read from the documents vendored in emulator/task-policies/.

A root session is evaluated with every statement of its document (policy_eval, as a session policy that only
denies). Each document's first statement denies everything except its NotAction list: that list is quoted in
the sandbox's AccessDenied messages as what the task allows at most.
"""

from __future__ import annotations

import json
import os

from . import policy_eval

POLICY_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "task-policies")
ARN_PREFIX = "arn:aws:iam::aws:policy/root-task/"

# Credential tasks act on the root user's credentials, governed by the RootCredentialsManagement feature.
CREDENTIAL_TASKS = frozenset(
    {"IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials"}
)


def _load() -> tuple[dict[str, policy_eval.Policy], dict[str, tuple[str, ...]]]:
    documents: dict[str, policy_eval.Policy] = {}
    allowed: dict[str, tuple[str, ...]] = {}
    for file_name in sorted(os.listdir(POLICY_DIR)):
        if not file_name.endswith(".json"):
            continue
        with open(os.path.join(POLICY_DIR, file_name), encoding="utf-8") as handle:
            text = handle.read()
        document = json.loads(text)
        first = document["Statement"][0]
        if first.get("Effect") != "Deny" or "NotAction" not in first:
            raise ValueError(f"{file_name}: the first statement must be a Deny with NotAction")
        name = file_name[: -len(".json")]
        documents[name] = policy_eval.parse(text)
        if documents[name].error:
            raise ValueError(f"{file_name}: {documents[name].error}")
        allowed[name] = tuple(first["NotAction"])
    return documents, allowed


# Task name -> the parsed document; task name -> the actions its first statement leaves allowed.
DOCUMENTS, ALLOWED_ACTIONS = _load()
