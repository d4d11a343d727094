# Plan-only tests with a mocked provider: the hub's scoping, the rendered spoke template and the StackSet shape.
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

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
}

variables {
  organization_id            = "o-exampleorg1"
  hub_trusted_principal_arns = ["arn:aws:iam::123456789012:role/Operations"]
  target_ou_ids              = ["ou-ab12-11111111", "r-ab12"]
}

run "stack_set_reaches_the_target_ous" {
  command = plan

  variables {
    external_id             = "example-external-id"
    create_management_spoke = true
  }

  assert {
    condition     = aws_cloudformation_stack_set.this[0].permission_model == "SERVICE_MANAGED" && aws_cloudformation_stack_set.this[0].auto_deployment[0].enabled
    error_message = "The StackSet is service-managed with auto deployment."
  }

  assert {
    condition     = tolist(aws_cloudformation_stack_set_instance.this[0].deployment_targets[0].organizational_unit_ids) == tolist(["ou-ab12-11111111", "r-ab12"]) || toset(aws_cloudformation_stack_set_instance.this[0].deployment_targets[0].organizational_unit_ids) == toset(["ou-ab12-11111111", "r-ab12"])
    error_message = "One stack set instance resource targets every OU."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack_set.this[0].template_body).Resources.SpokeRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS == "arn:aws:iam::123456789012:role/HubRole"
    error_message = "The spoke trusts only the hub role."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack_set.this[0].template_body).Resources.SpokeRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals["sts:ExternalId"] == "example-external-id"
    error_message = "The external id is required when given."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.hub[0].policy).Statement[0].Resource == "arn:aws:iam::*:role/SpokeRole"
    error_message = "The hub may assume only the spoke role name."
  }

  assert {
    condition     = jsondecode(aws_iam_role.hub[0].assume_role_policy).Statement[0].Condition.StringEquals["aws:PrincipalOrgID"] == "o-exampleorg1"
    error_message = "The hub trusts principals only inside the organization."
  }

  assert {
    condition     = length(aws_iam_role.management_spoke) == 1 && length(aws_iam_role_policy_attachment.management_spoke) == 1
    error_message = "The management spoke is created when asked."
  }
}

run "no_external_id_no_condition" {
  command = plan

  assert {
    condition     = !contains(keys(jsondecode(aws_cloudformation_stack_set.this[0].template_body).Resources.SpokeRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals), "sts:ExternalId")
    error_message = "No external id condition unless given."
  }
}

run "from_the_stacksets_delegated_administrator" {
  command = plan

  variables {
    call_as = "DELEGATED_ADMIN"
  }

  assert {
    condition     = aws_cloudformation_stack_set.this[0].call_as == "DELEGATED_ADMIN" && alltrue([for i in aws_cloudformation_stack_set_instance.this : i.call_as == "DELEGATED_ADMIN"])
    error_message = "call_as reaches the StackSet and every stack instance: both are called as the delegated administrator."
  }
}

run "bad_call_as_is_refused" {
  command = plan

  variables {
    call_as = "MANAGEMENT"
  }

  expect_failures = [var.call_as]
}

run "bad_ou_is_refused" {
  command = plan

  variables {
    target_ou_ids = ["123456789012"]
  }

  expect_failures = [var.target_ou_ids]
}

run "disabled_module_creates_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = output.hub_role_arn == null && output.stack_set_id == null
    error_message = "Outputs must survive a disabled module."
  }
}
