# Plan-only tests with a mocked provider: task scoping, trust policy shapes and the permission set variant.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
}

run "unlock_only_role_for_identity_center" {
  command = plan

  variables {
    trusted_principal_arn_patterns = ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_RootOperator_*"]
    require_mfa                    = true
    task_profile                   = "unlock-only"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.this[0].policy).Statement[0].Condition.StringEquals["sts:TaskPolicyArn"] == [
      "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
      "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy",
    ]
    error_message = "unlock-only must allow exactly the two unlock tasks."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Principal.AWS == "arn:aws:iam::123456789012:root"
    error_message = "Pattern trust goes through the account principal."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Condition.Bool["aws:MultiFactorAuthPresent"] == "true"
    error_message = "require_mfa adds the MFA condition."
  }

  assert {
    condition     = length(aws_ssoadmin_permission_set.this) == 0
    error_message = "No permission set unless asked."
  }
}

run "custom_tasks_with_permission_set" {
  command = plan

  variables {
    trusted_principal_arns = ["arn:aws:iam::123456789012:role/BreakGlass"]
    task_profile           = "custom"
    tasks                  = ["IAMAuditRootUserCredentials"]
    create_permission_set  = true
    sso_instance_arn       = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
  }

  assert {
    condition     = tolist(output.task_policy_arns) == tolist(["arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"])
    error_message = "custom takes the tasks as given."
  }

  assert {
    condition     = aws_ssoadmin_permission_set_inline_policy.this[0].inline_policy == aws_iam_role_policy.this[0].policy
    error_message = "The permission set carries the same permissions as the role."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Condition == {}
    error_message = "No MFA condition unless asked."
  }
}

run "role_trusting_nobody_fails" {
  command = plan

  expect_failures = [aws_iam_role.this]
}

run "unknown_task_is_refused" {
  command = plan

  variables {
    task_profile = "custom"
    tasks        = ["IAMDeleteEverything"]
  }

  expect_failures = [var.tasks]
}

run "disabled_module_creates_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = output.role_arn == null && length(output.task_policy_arns) == 0
    error_message = "Outputs must survive a disabled module."
  }
}
