# Plan-only tests with a mocked provider: they prove the packing, the exemption and the guards.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
}

run "default_selection_fits_one_policy" {
  command = plan

  variables {
    target_ids             = ["r-ab12", "ou-ab12-11111111"]
    exclude_principal_arns = ["arn:aws:iam::*:role/OrganizationAccountAccessRole"]
  }

  assert {
    condition     = length(aws_organizations_policy.this) == 1
    error_message = "The default statements must pack into one SCP."
  }

  assert {
    condition     = length(aws_organizations_policy_attachment.this) == 2
    error_message = "One attachment per target and policy."
  }

  assert {
    condition     = jsondecode(aws_organizations_policy.this[0].content).Statement[0].Condition.Null["aws:AssumedRoot"] == "true"
    error_message = "The root statement must exempt AssumeRoot sessions."
  }

  assert {
    condition     = jsondecode(aws_organizations_policy.this[0].content).Statement[0].Condition.ArnNotLike["aws:PrincipalArn"][0] == "arn:aws:iam::*:role/OrganizationAccountAccessRole"
    error_message = "Excluded principals must be exempt from every statement."
  }

  assert {
    condition     = length(aws_organizations_policy.this[0].content) <= 5120
    error_message = "An SCP must stay within 5,120 characters."
  }
}

run "large_selection_packs_into_several_policies" {
  command = plan

  variables {
    statements             = ["DenyRootExceptAssumeRoot", "DenyLeaveOrganization", "DenyLoginProfileCreation"]
    exclude_principal_arns = [for i in range(70) : format("arn:aws:iam::*:role/exempt-role-%03d", i)]
  }

  assert {
    condition     = length(aws_organizations_policy.this) == 3
    error_message = "Statements of ~2.6 KB each cannot share a policy: one SCP per statement."
  }

  assert {
    condition     = [for sid in ["DenyRootExceptAssumeRoot", "DenyLeaveOrganization", "DenyLoginProfileCreation"] : output.statement_bins[sid]] == [0, 1, 2]
    error_message = "The packing assigns the statements in order."
  }

  assert {
    condition     = alltrue([for p in aws_organizations_policy.this : length(p.content) <= 5120])
    error_message = "Every SCP must stay within 5,120 characters."
  }
}

run "more_than_four_policies_without_targets" {
  command = plan

  variables {
    exclude_principal_arns = [for i in range(90) : format("arn:aws:iam::*:role/exempt-role-%03d", i)]
  }

  assert {
    condition     = length(aws_organizations_policy.this) == 5
    error_message = "Five statements of ~3.6 KB each need five SCPs, which may exist unattached."
  }
}

run "more_than_four_policies_cannot_be_attached" {
  command = plan

  variables {
    exclude_principal_arns = [for i in range(90) : format("arn:aws:iam::*:role/exempt-role-%03d", i)]
    target_ids             = ["r-ab12"]
  }

  expect_failures = [aws_organizations_policy.this]
}

run "oversize_statement_is_named" {
  command = plan

  variables {
    statements             = ["DenyOutsideAllowedRegions"]
    allowed_regions        = ["us-east-1"]
    global_service_actions = [for i in range(400) : format("service%03d:*", i)]
  }

  expect_failures = [aws_organizations_policy.this]
}

run "bad_target_id_is_refused" {
  command = plan

  variables {
    target_ids = ["ou-nope"]
  }

  expect_failures = [var.target_ids]
}

run "disabled_module_creates_nothing" {
  command = plan

  variables {
    create     = false
    target_ids = ["r-ab12"]
  }

  assert {
    condition     = length(aws_organizations_policy.this) == 0 && length(aws_organizations_policy_attachment.this) == 0
    error_message = "create = false must create nothing."
  }

  assert {
    condition     = length(output.policy_ids) == 0
    error_message = "Outputs must survive a disabled module."
  }
}
