"""What a signed request asks for, read once per request before moto parses it: the IAM action, the resource it
acts on (ARN) and the account that owns it, and the request's own condition keys.

Per protocol: S3 REST (bucket and key from the path or the host, the action from method and sub-resource), SQS
JSON or query (the queue from QueueUrl), IAM/STS/CloudFormation query, Organizations JSON 1.1. A resource the
sandbox cannot name is "*" (only statements with Resource "*" match it, never a narrower Allow).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from moto.iam.models import iam_backends
from moto.s3.models import s3_backends

CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/\d{8}/([^/]+)/([^/]+)/")
TASK_ARN_PARAM = "TaskPolicyArn.arn"

# Bucket sub-resource -> (IAM action for GET, PUT, DELETE). DELETE of most configurations is a Put in IAM terms.
_BUCKET_SUBRESOURCES: dict[str, tuple[str, str, str]] = {
    "policy": ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
    "policyStatus": ("GetBucketPolicyStatus", "GetBucketPolicyStatus", "GetBucketPolicyStatus"),
    "location": ("GetBucketLocation", "GetBucketLocation", "GetBucketLocation"),
    "acl": ("GetBucketAcl", "PutBucketAcl", "PutBucketAcl"),
    "tagging": ("GetBucketTagging", "PutBucketTagging", "PutBucketTagging"),
    "versioning": ("GetBucketVersioning", "PutBucketVersioning", "PutBucketVersioning"),
    "cors": ("GetBucketCORS", "PutBucketCORS", "PutBucketCORS"),
    "lifecycle": ("GetLifecycleConfiguration", "PutLifecycleConfiguration", "PutLifecycleConfiguration"),
    "encryption": ("GetEncryptionConfiguration", "PutEncryptionConfiguration", "PutEncryptionConfiguration"),
    "publicAccessBlock": ("GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "PutBucketPublicAccessBlock"),
    "ownershipControls": ("GetBucketOwnershipControls", "PutBucketOwnershipControls", "PutBucketOwnershipControls"),
    "website": ("GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"),
    "logging": ("GetBucketLogging", "PutBucketLogging", "PutBucketLogging"),
    "notification": ("GetBucketNotification", "PutBucketNotification", "PutBucketNotification"),
    "replication": ("GetReplicationConfiguration", "PutReplicationConfiguration", "PutReplicationConfiguration"),
    "object-lock": ("GetBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration"),
    "accelerate": ("GetAccelerateConfiguration", "PutAccelerateConfiguration", "PutAccelerateConfiguration"),
    "requestPayment": ("GetBucketRequestPayment", "PutBucketRequestPayment", "PutBucketRequestPayment"),
    "analytics": ("GetAnalyticsConfiguration", "PutAnalyticsConfiguration", "PutAnalyticsConfiguration"),
    "metrics": ("GetMetricsConfiguration", "PutMetricsConfiguration", "PutMetricsConfiguration"),
    "inventory": ("GetInventoryConfiguration", "PutInventoryConfiguration", "PutInventoryConfiguration"),
    "intelligent-tiering": ("GetIntelligentTieringConfiguration", "PutIntelligentTieringConfiguration", "PutIntelligentTieringConfiguration"),
    "versions": ("ListBucketVersions", "ListBucketVersions", "ListBucketVersions"),
    "uploads": ("ListBucketMultipartUploads", "ListBucketMultipartUploads", "ListBucketMultipartUploads"),
}
_OBJECT_SUBRESOURCES: dict[str, tuple[str, str, str]] = {
    "acl": ("GetObjectAcl", "PutObjectAcl", "PutObjectAcl"),
    "tagging": ("GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging"),
    "retention": ("GetObjectRetention", "PutObjectRetention", "PutObjectRetention"),
    "legal-hold": ("GetObjectLegalHold", "PutObjectLegalHold", "PutObjectLegalHold"),
    "attributes": ("GetObjectAttributes", "GetObjectAttributes", "GetObjectAttributes"),
}
_VERB = {"GET": 0, "HEAD": 0, "PUT": 1, "POST": 1, "DELETE": 2}

# IAM actions that, without UserName, act on the caller itself (the root user, for a root principal).
SELF_USER_ACTIONS = frozenset(
    {
        "GetUser", "ListAccessKeys", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "GetAccessKeyLastUsed",
        "ListSigningCertificates", "UploadSigningCertificate", "UpdateSigningCertificate", "DeleteSigningCertificate",
        "ListMFADevices", "EnableMFADevice", "DeactivateMFADevice", "ResyncMFADevice", "DeleteVirtualMFADevice",
        "GetLoginProfile", "CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile", "ListSSHPublicKeys",
        "ListServiceSpecificCredentials", "ChangePassword",
    }
)  # fmt: skip


class RequestFacts:
    __slots__ = (
        "service", "region", "action", "operation", "params", "resource", "resource_account", "context",
        "bucket", "queue", "role_arn", "expected_bucket_owner",
    )  # fmt: skip

    def __init__(self, service: str, region: str) -> None:
        self.service = service
        self.region = region
        self.action = f"{service}:Unknown"
        self.operation = ""  # the API operation (query Action, JSON target or S3 action)
        self.params: dict[str, Any] = {}
        self.resource = "*"
        self.resource_account: str | None = None  # None: the caller's own account
        self.context: dict[str, str] = {}  # request-specific condition keys (lower case)
        self.bucket: str | None = None
        self.queue: tuple[str, str, str] | None = None  # (region, account, name)
        self.role_arn: str | None = None
        self.expected_bucket_owner: str | None = None


def credential(environ: dict[str, Any]) -> tuple[str, str, str] | None:
    """(access key id, region, service) of a SigV4-signed request, from the header or a presigned URL."""
    match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1), match.group(2), match.group(3)
    query = environ.get("QUERY_STRING", "")
    if "X-Amz-Credential" in query:
        presigned = parse_qs(query).get("X-Amz-Credential")
        if presigned:
            parts = presigned[0].split("/")
            if len(parts) >= 4:
                return parts[0], parts[2], parts[3]
    return None


def _body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)  # moto reads the body again
    return body


def _query_params(environ: dict[str, Any]) -> dict[str, str]:
    """The parameters of a query-protocol request, from its URL and its form-encoded body."""
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        params.update({k: v[0] for k, v in parse_qs(_body(environ).decode("utf-8", "replace")).items()})
    return params


def _json_params(environ: dict[str, Any]) -> dict[str, Any]:
    try:
        parsed = json.loads(_body(environ) or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def read(environ: dict[str, Any], service: str, region: str) -> RequestFacts:
    facts = RequestFacts(service, region)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if service == "s3":
        _s3(environ, facts)
        return facts
    if target:
        facts.operation = target.rsplit(".", 1)[-1]
        facts.params = _json_params(environ) if service in ("sqs", "organizations") else {}
    else:
        facts.params = _query_params(environ)
        facts.operation = facts.params.get("Action", "Unknown")
    facts.action = f"{service}:{facts.operation}"
    if service == "sqs":
        _sqs(environ, facts)
    elif service == "sts":
        _sts(facts)
    elif service == "organizations":
        principal = facts.params.get("ServicePrincipal")
        if isinstance(principal, str):
            facts.context["organizations:serviceprincipal"] = principal
    return facts


# --- S3 -----------------------------------------------------------------------------------------------------


def _s3(environ: dict[str, Any], facts: RequestFacts) -> None:
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    path = environ.get("PATH_INFO", "/")
    host = environ.get("HTTP_HOST", "").split(":")[0]
    # Virtual-hosted style puts the bucket in the host name (bucket.localhost, bucket.s3.<region>...).
    hosted = re.match(r"^(.+?)\.(?:localhost|s3[.-].*)$", host)
    if hosted:
        bucket, key = hosted.group(1), path.lstrip("/")
    else:
        bucket, _, key = path.lstrip("/").partition("/")
    facts.expected_bucket_owner = environ.get("HTTP_X_AMZ_EXPECTED_BUCKET_OWNER")
    verb = _VERB.get(method, 0)
    if not bucket:
        facts.operation = "ListAllMyBuckets"
    elif not key:
        facts.bucket = bucket
        facts.resource = f"arn:aws:s3:::{bucket}"
        sub = next((s for s in _BUCKET_SUBRESOURCES if s in query), None)
        if sub is not None:
            facts.operation = _BUCKET_SUBRESOURCES[sub][verb]
        elif method == "POST" and "delete" in query:
            facts.operation, facts.resource = "DeleteObject", f"arn:aws:s3:::{bucket}/*"
        else:
            facts.operation = ("ListBucket", "CreateBucket", "DeleteBucket")[verb]
    else:
        facts.bucket = bucket
        facts.resource = f"arn:aws:s3:::{bucket}/{key}"
        sub = next((s for s in _OBJECT_SUBRESOURCES if s in query), None)
        if sub is not None:
            facts.operation = _OBJECT_SUBRESOURCES[sub][verb]
        elif "uploadId" in query:
            facts.operation = ("ListMultipartUploadParts", "PutObject", "AbortMultipartUpload")[verb]
        elif "versionId" in query and verb != 1:
            facts.operation = ("GetObjectVersion", "PutObject", "DeleteObjectVersion")[verb]
        else:
            facts.operation = ("GetObject", "PutObject", "DeleteObject")[verb]
    facts.action = f"s3:{facts.operation}"
    if facts.bucket is not None:
        owner = s3_backends.bucket_accounts.get(facts.bucket)
        facts.resource_account = owner[1] if owner else None


# --- SQS ----------------------------------------------------------------------------------------------------

_QUEUE_HOST_REGION = re.compile(r"^(?:sqs\.([a-z0-9-]+)\.|([a-z0-9-]+)\.queue\.)amazonaws\.com(?:\.cn)?$")


def _queue_from_url(url: str, default_region: str) -> tuple[str, str, str] | None:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or not re.fullmatch(r"\d{12}", segments[-2]):
        return None
    host_region = _QUEUE_HOST_REGION.match(parts.hostname or "")
    region = (host_region.group(1) or host_region.group(2)) if host_region else default_region
    return region, segments[-2], segments[-1]


def _sqs(environ: dict[str, Any], facts: RequestFacts) -> None:
    params = facts.params
    queue = None
    url = params.get("QueueUrl")
    if isinstance(url, str) and url:
        queue = _queue_from_url(url, facts.region)
    if queue is None:
        # The query protocol may post to the queue URL itself.
        queue = _queue_from_url(environ.get("PATH_INFO", ""), facts.region)
    name = params.get("QueueName")
    if queue is None and isinstance(name, str) and name and facts.operation in ("CreateQueue", "GetQueueUrl"):
        owner = params.get("QueueOwnerAWSAccountId")
        queue = (facts.region, owner if isinstance(owner, str) and owner else "", name)
    if queue is not None:
        facts.queue = queue
        facts.resource_account = queue[1] or None


# --- STS ----------------------------------------------------------------------------------------------------

_ROOT_TARGET = re.compile(r"^(?:(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root)$")


def _sts(facts: RequestFacts) -> None:
    params = facts.params
    if facts.operation == "AssumeRole":
        facts.role_arn = params.get("RoleArn") or ""
        facts.resource = facts.role_arn
        account = re.match(r"^arn:aws[\w-]*:iam::(\d{12}):role/", facts.role_arn)
        facts.resource_account = account.group(1) if account else None
        if params.get("ExternalId") is not None:
            facts.context["sts:externalid"] = params["ExternalId"]
        if params.get("RoleSessionName"):
            facts.context["sts:rolesessionname"] = params["RoleSessionName"]
    elif facts.operation == "AssumeRoot":
        target = _ROOT_TARGET.match(params.get("TargetPrincipal", ""))
        if target:
            account = target.group(1) or target.group(2)
            facts.resource = f"arn:aws:iam::{account}:root"
            # The organization stands in for a resource policy: the caller's identity policies decide alone.
            facts.context["aws:resourceaccount"] = account
        if params.get(TASK_ARN_PARAM):
            facts.context["sts:taskpolicyarn"] = params[TASK_ARN_PARAM]


# --- IAM ----------------------------------------------------------------------------------------------------


def iam_resource(facts: RequestFacts, account: str, caller_arn: str, caller_is_root: bool, caller_is_user: bool) -> str:
    """The ARN an IAM request acts on, in the caller's account."""
    params, operation = facts.params, facts.operation
    user_name = params.get("UserName")
    if operation in SELF_USER_ACTIONS and not user_name and (caller_is_root or caller_is_user):
        return caller_arn
    if not (user_name or params.get("RoleName") or params.get("GroupName")):
        return _named_iam_resource(params, operation, account)
    backend = iam_backends[account]["global"]
    if user_name:
        user = backend.users.get(user_name)
        path = user.path if user is not None else params.get("Path") or "/"
        return f"arn:aws:iam::{account}:user{path}{user_name}"
    role_name = params.get("RoleName")
    if role_name:
        role = next((r for r in backend.roles.values() if r.name == role_name), None)
        path = role.path if role is not None else params.get("Path") or "/"
        return f"arn:aws:iam::{account}:role{path}{role_name}"
    group_name = params.get("GroupName")
    if group_name:
        group = backend.groups.get(group_name)
        path = getattr(group, "path", None) or params.get("Path") or "/"
        return f"arn:aws:iam::{account}:group{path}{group_name}"
    return "*"


def _named_iam_resource(params: dict[str, Any], operation: str, account: str) -> str:
    if params.get("PolicyArn"):
        return params["PolicyArn"]
    if operation == "CreatePolicy" and params.get("PolicyName"):
        return f"arn:aws:iam::{account}:policy{params.get('Path') or '/'}{params['PolicyName']}"
    if params.get("InstanceProfileName"):
        return f"arn:aws:iam::{account}:instance-profile{params.get('Path') or '/'}{params['InstanceProfileName']}"
    return "*"
