"""OrganizationAccountAccessRole in every member account has AdministratorAccess, as on AWS.

moto's FakeAccount already creates the role (named by CreateAccount's RoleName, trusting the management account)
for accounts made by CreateAccount and by the sandbox's seeding, but attaches no policy, and moto does not load
AWS-managed policies. Each account gets its own copy of AdministratorAccess (moto keeps AWS policies per account)
attached to that role, so "the member account's admin" is one sts:AssumeRole away and really is an admin.
"""

from __future__ import annotations

import json
from typing import Any

from moto.iam.models import AWSManagedPolicy, IAMBackend, ManagedPolicy, iam_backends
from moto.organizations.models import FakeAccount

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def administrator_access(backend: IAMBackend) -> ManagedPolicy:
    """The account's copy of the AWS-managed AdministratorAccess policy."""
    policy = backend.managed_policies.get(ADMIN_POLICY_ARN)
    if policy is None:
        policy = AWSManagedPolicy(
            "AdministratorAccess",
            account_id=backend.account_id,
            region="us-east-1",
            default_version_id="v1",
            path="/",
            document=ADMIN_DOCUMENT,
            description="Provides full access to AWS services and resources.",
        )
        backend.managed_policies[ADMIN_POLICY_ARN] = policy
    return policy


def install() -> None:
    original_init = FakeAccount.__init__

    def init(self: FakeAccount, organization: Any, **kwargs: Any) -> None:
        original_init(self, organization, **kwargs)
        backend = iam_backends[self.id]["global"]
        role_name = kwargs.get("RoleName") or DEFAULT_ROLE_NAME
        role = next((r for r in backend.roles.values() if r.name == role_name), None)
        if role is not None and ADMIN_POLICY_ARN not in role.managed_policies:
            administrator_access(backend).attach_to(role)

    FakeAccount.__init__ = init  # type: ignore[method-assign]
