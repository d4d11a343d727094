"""The authorization of one request: the request context, the policies that apply, and policy_eval's decision.

Gathered per request, all O(1) or O(policies attached):
- the caller's identity policies, boundary, session policy and task policy (principals.Caller);
- the SCPs of the caller's account, for every member-account principal, root and root sessions included;
- the resource's own policy: the bucket policy (bucket- and object-level calls), the queue policy, the role's
  trust policy (sts:AssumeRole);
- the condition keys AWS sets: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalOrgPaths,
  aws:PrincipalType, aws:username, aws:userid, aws:AssumedRoot (AssumeRoot sessions only),
  aws:MultiFactorAuthPresent (role sessions: false), aws:ResourceAccount, aws:ResourceOrgID,
  aws:RequestedRegion, aws:SecureTransport, aws:SourceIp, aws:CurrentTime, aws:EpochTime, plus the request's own
  (sts:TaskPolicyArn, sts:ExternalId, sts:RoleSessionName, organizations:ServicePrincipal).

The owning account's root keeps the policy calls of its own bucket (Get/Put/DeleteBucketPolicy) and queue
(Get/SetQueueAttributes, GetQueueUrl) whatever the resource policy says, as AWS lets it (FACTS.md: the S3 owner's
root exception); SCPs and the task policy still apply.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

from moto.iam.models import iam_backends
from moto.s3.models import FakeBucket, s3_backends
from moto.sqs.models import sqs_backends

from . import policy_eval, request_facts, task_policies
from .errors import SandboxError, access_denied
from .organizations_ext import Membership, membership, organization_backend_of
from .principals import DEFAULT_ADMIN, IAM_USER, ROLE_SESSION, ROOT_SESSION, ROOT_USER, Caller

OWNER_ROOT_ACTIONS = frozenset(
    {
        "s3:getbucketpolicy",
        "s3:putbucketpolicy",
        "s3:deletebucketpolicy",
        "sqs:getqueueattributes",
        "sqs:setqueueattributes",
        "sqs:getqueueurl",
    }
)

_PRINCIPAL_TYPE = {ROOT_SESSION: "Account", ROOT_USER: "Account", ROLE_SESSION: "AssumedRole", IAM_USER: "User", DEFAULT_ADMIN: "User"}
_POLICY_WORDS = {
    "identity": ("an", "identity-based policy"),
    "resource": ("a", "resource-based policy"),
    "scp": ("a", "service control policy"),
    "session": ("a", "session policy"),
    "boundary": ("a", "permissions boundary"),
}


_ABSENT = object()


class RequestContext(dict):  # type: ignore[type-arg]
    """The request's condition keys (lower case). Keys that cost a lookup (the organization paths, the time) are
    computed when a policy first asks for them; most requests never do."""

    __slots__ = ("_lazy",)

    def __init__(self, values: dict[str, Any], lazy: dict[str, Callable[[], Any]]) -> None:
        super().__init__(values)
        self._lazy = lazy

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        value = dict.get(self, key, _ABSENT)
        if value is _ABSENT:
            factory = self._lazy.pop(key, None)
            if factory is None:
                return default
            value = factory()
            self[key] = value
        return default if value is None else value


def _now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _context(
    caller: Caller, facts: request_facts.RequestFacts, resource_account: str, member: Membership | None, environ: dict[str, Any]
) -> RequestContext:
    context: dict[str, Any] = {
        "aws:principalarn": caller.principal_arn,
        "aws:principalaccount": caller.account,
        "aws:principaltype": _PRINCIPAL_TYPE[caller.kind],
        "aws:resourceaccount": resource_account,
        "aws:requestedregion": facts.region,
        # The sandbox stands in for AWS's TLS endpoints; the SDK would have used https there.
        "aws:securetransport": "true",
        "aws:sourceip": environ.get("REMOTE_ADDR", "127.0.0.1"),
    }
    lazy: dict[str, Callable[[], Any]] = {
        "aws:currenttime": _now_iso,
        "aws:epochtime": lambda: str(int(time.time())),
    }
    if member is not None:
        context["aws:principalorgid"] = member.org_id
        lazy["aws:principalorgpaths"] = member.org_paths
    if resource_account == caller.account:
        if member is not None:
            context["aws:resourceorgid"] = member.org_id
    else:
        resource_member = organization_backend_of(resource_account)
        if resource_member is not None:
            context["aws:resourceorgid"] = resource_member.org.id
    if caller.kind != DEFAULT_ADMIN:
        lazy["aws:userid"] = caller.user_id
    if caller.kind == ROOT_SESSION:
        context["aws:assumedroot"] = "true"
    elif caller.kind == ROLE_SESSION:
        context["aws:multifactorauthpresent"] = "false"
    elif caller.kind == IAM_USER:
        context["aws:username"] = caller.arn.rsplit("/", 1)[-1]
    context.update(facts.context)
    return RequestContext(context, lazy)


def _scps(member: Membership | None) -> list[list[policy_eval.Policy]] | None:
    levels = member.scp_levels() if member is not None else None
    if levels is None:
        return None
    # Parsed once per content through policy_eval's cache; an edited SCP is a new text, hence re-parsed.
    return [[policy_eval.parse(p.content or "") for p in level] for level in levels]


def _bucket_policy(facts: request_facts.RequestFacts, owner: str) -> policy_eval.Policy | None:
    bucket = s3_backends[owner]["aws"].buckets.get(facts.bucket or "")
    policy = getattr(bucket, "policy", None)
    if not policy:
        return None
    return policy_eval.parse(policy.decode("utf-8") if isinstance(policy, bytes) else policy)


def _queue_policy(facts: request_facts.RequestFacts, owner: str) -> policy_eval.Policy | None:
    region, _, name = facts.queue  # type: ignore[misc]
    if not dict.__contains__(sqs_backends, owner):
        return None
    queue = sqs_backends[owner][region].queues.get(name)
    policy = getattr(queue, "policy", None)
    return policy_eval.parse(policy) if policy else None


def _role_trust(role_arn: str, account: str) -> policy_eval.Policy | None:
    if not dict.__contains__(iam_backends, account):
        return None
    role = next((r for r in iam_backends[account]["global"].roles.values() if r.arn == role_arn), None)
    return policy_eval.parse(role.assume_role_policy_document) if role is not None else None


def _denial(caller: Caller, action: str, resource: str, decision: policy_eval.Decision) -> SandboxError:
    article, words = _POLICY_WORDS[decision.policy_type or "identity"]
    if decision.result == policy_eval.EXPLICIT:
        reason = f"with an explicit deny in {article} {words}"
    else:
        reason = f"because no {words} allows the {action} action"
    message = f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource} {reason}"
    if decision.policy_type == "session" and caller.root_session is not None:
        session = caller.root_session
        allowed = ", ".join(sorted(task_policies.ALLOWED_ACTIONS[session.task_policy_name]))
        message += f" ({session.task_policy_arn} allows only {allowed})"
    return access_denied(message)


def check(caller: Caller, facts: request_facts.RequestFacts, environ: dict[str, Any]) -> SandboxError | None:
    """None when the request may proceed, else the AccessDenied it gets."""
    resource_account = facts.resource_account or caller.account
    if facts.service == "iam":
        facts.resource = request_facts.iam_resource(facts, caller.account, caller.principal_arn, caller.is_root, caller.kind == IAM_USER)
    elif facts.service == "sqs" and facts.queue is not None:
        region, account, name = facts.queue
        facts.resource = f"arn:aws:sqs:{region}:{account or caller.account}:{name}"

    if facts.service == "s3" and facts.bucket is not None and facts.expected_bucket_owner is not None:
        owner = facts.resource_account
        if owner is not None and owner != facts.expected_bucket_owner:
            return access_denied("Access Denied")

    resource_policy: policy_eval.Policy | None = None
    if facts.service == "s3" and facts.resource_account is not None:
        resource_policy = _bucket_policy(facts, facts.resource_account)
    elif facts.service == "sqs" and facts.queue is not None:
        resource_policy = _queue_policy(facts, resource_account)
    elif facts.action == "sts:AssumeRole":
        if caller.is_root:
            return access_denied(f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {facts.resource} because the root user cannot assume roles")
        resource_policy = _role_trust(facts.resource, resource_account)
        if resource_policy is None:
            return access_denied(f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {facts.resource}")
    if caller.is_root and resource_account == caller.account and facts.action.lower() in OWNER_ROOT_ACTIONS:
        resource_policy = None

    member = membership(caller.account)
    context = _context(caller, facts, resource_account, member, environ)
    request = policy_eval.Request(facts.action, facts.resource, resource_account, context)
    identity, boundary, session = caller.policies()
    decision = policy_eval.evaluate(
        request,
        caller.principal,
        identity,
        task=caller.task,
        session=session,
        boundary=boundary,
        scps=_scps(member),
        resource_policy=resource_policy,
    )
    return None if decision.allowed else _denial(caller, facts.action, facts.resource, decision)


def install() -> None:
    """moto checks object calls against the bucket policy itself, without the principal or condition keys (so the
    pipeline role a DenyAllExceptPipeline policy exempts is refused): the gate decides instead."""
    from moto.iam.access_control import PermissionResult

    FakeBucket.get_permission = lambda self, action, resource: PermissionResult.NEUTRAL  # type: ignore[method-assign]
