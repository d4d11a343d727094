# Tests with a mocked provider: the three kinds' rules, topics and policies, the forwarding template, the switches
# of the two parts, and the refusals. The routing itself (each kind to its own target) is proved against the
# sandbox (__tests__/modules/sandbox-e2e.test.ts and root-activity-kinds.test.ts).
mock_provider "aws" {
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

  mock_resource "aws_cloudwatch_event_bus" {
    defaults = {
      arn = "arn:aws:events:us-east-1:123456789012:event-bus/root-activity-alerts"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/root-activity-alerts-forwarder"
    }
  }
}

override_resource {
  target = aws_sns_topic.this["root_credentials"]
  values = {
    arn = "arn:aws:sns:us-east-1:123456789012:root-activity-alerts-root-credentials"
  }
}

override_resource {
  target = aws_cloudwatch_event_rule.this["root_credentials"]
  values = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/root-activity-alerts/root-activity-alerts-root-credentials"
  }
}

override_resource {
  target = aws_sns_topic.this["assume_root_sessions"]
  values = {
    arn = "arn:aws:sns:us-east-1:123456789012:root-activity-alerts-assume-root-sessions"
  }
}

override_resource {
  target = aws_cloudwatch_event_rule.this["assume_root_sessions"]
  values = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/root-activity-alerts/root-activity-alerts-assume-root-sessions"
  }
}

override_resource {
  target = aws_sns_topic.this["assume_root_calls"]
  values = {
    arn = "arn:aws:sns:us-east-1:123456789012:root-activity-alerts-assume-root-calls"
  }
}

override_resource {
  target = aws_cloudwatch_event_rule.this["assume_root_calls"]
  values = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/root-activity-alerts/root-activity-alerts-assume-root-calls"
  }
}

variables {
  organization_id = "o-exampleorg1"
  target_ou_ids   = ["r-ab12"]
}

run "all_parts_in_one_account" {
  command = apply

  assert {
    condition     = toset(keys(aws_cloudwatch_event_rule.this)) == toset(["root_credentials", "assume_root_sessions", "assume_root_calls"]) && length(aws_sns_topic.this) == 3 && length(aws_cloudwatch_event_target.topic) == 3
    error_message = "One rule, one topic and one topic target per kind on the central bus."
  }

  assert {
    condition     = aws_sns_topic.this["root_credentials"].name == "root-activity-alerts-root-credentials" && aws_sns_topic.this["root_credentials"].tags["Severity"] == "high"
    error_message = "Topics are named by kind and tagged with their severity."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_bus_policy.this[0].policy).Statement[0].Condition.StringEquals["aws:PrincipalOrgID"] == "o-exampleorg1" && jsondecode(aws_cloudwatch_event_bus_policy.this[0].policy).Statement[0].Action == "events:PutEvents"
    error_message = "The bus admits PutEvents from the organization only."
  }

  assert {
    condition     = alltrue([for k, p in aws_sns_topic_policy.this : jsondecode(p.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"] == aws_cloudwatch_event_rule.this[k].arn && jsondecode(p.policy).Statement[0].Principal.Service == "events.amazonaws.com"])
    error_message = "Each topic admits only its own kind's rule."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this["root_credentials"].event_pattern).detail.userIdentity.assumedRoot[0].exists == false && jsondecode(aws_cloudwatch_event_rule.this["root_credentials"].event_pattern).detail.userIdentity.sessionContext.assumedRoot[0].exists == false
    error_message = "Kind (a) excludes assumedRoot in both places CloudTrail may write it."
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_event_rule.this["assume_root_sessions"].event_pattern)["$or"]) == 2 && jsondecode(aws_cloudwatch_event_rule.this["assume_root_calls"].event_pattern).detail.eventName == ["AssumeRoot"]
    error_message = "Kind (b) requires assumedRoot = true in either place; kind (c) is the AssumeRoot call."
  }

  assert {
    condition     = can(regex("\"accessKeyId\": <accessKeyId>", aws_cloudwatch_event_target.topic["assume_root_sessions"].input_transformer[0].input_template)) && aws_cloudwatch_event_target.topic["assume_root_sessions"].input_transformer[0].input_paths["accessKeyId"] == "$.detail.userIdentity.accessKeyId"
    error_message = "The session message carries the session's access key id."
  }

  assert {
    condition     = aws_cloudwatch_event_target.topic["assume_root_calls"].input_transformer[0].input_paths["taskPolicyArn"] == "$.detail.requestParameters.taskPolicyArn.arn" && aws_cloudwatch_event_target.topic["assume_root_calls"].input_transformer[0].input_paths["caller"] == "$.detail.userIdentity.arn"
    error_message = "The AssumeRoot-call message carries the caller and the task."
  }

  assert {
    condition     = aws_cloudformation_stack_set.this[0].name == "root-activity-alerts" && aws_cloudformation_stack_set.this[0].permission_model == "SERVICE_MANAGED" && aws_cloudformation_stack_set.this[0].auto_deployment[0].enabled && contains(aws_cloudformation_stack_set.this[0].capabilities, "CAPABILITY_IAM")
    error_message = "The StackSet is service-managed, auto-deploying, named by var.name (what the posture report looks for)."
  }

  assert {
    condition     = alltrue([for id in ["RootCredentialsRule", "AssumeRootSessionsRule", "AssumeRootCallsRule"] : jsondecode(aws_cloudformation_stack_set.this[0].template_body).Resources[id].Properties.Targets[0].Arn == aws_cloudwatch_event_bus.this[0].arn])
    error_message = "Every member-account rule forwards to the central bus."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack_set.this[0].template_body).Resources.AssumeRootSessionsRule.Properties.EventPattern == jsondecode(aws_cloudwatch_event_rule.this["assume_root_sessions"].event_pattern)
    error_message = "Member accounts forward with the same pattern the central bus routes with."
  }

  assert {
    condition     = toset(keys(aws_cloudformation_stack_set_instance.this)) == toset(["us-east-1"])
    error_message = "Without stack_set_regions the instances go to the provider's region."
  }

  assert {
    condition     = alltrue([for t in aws_cloudwatch_event_target.management : t.arn == aws_cloudwatch_event_bus.this[0].arn && t.role_arn == aws_iam_role.forwarder[0].arn]) && length(aws_cloudwatch_event_rule.management) == 3
    error_message = "The management account forwards each kind to the central bus with its role."
  }

  assert {
    condition     = output.stack_set_name == "root-activity-alerts" && length(output.topic_arns) == 3
    error_message = "Outputs name the StackSet and each kind's topic."
  }
}

run "central_part_only" {
  command = plan

  variables {
    create_stack_set             = false
    create_management_rules      = false
    target_ou_ids                = []
    root_credentials_target_arns = ["arn:aws:sqs:us-east-1:222222222222:siem-root-events"]
  }

  assert {
    condition     = length(aws_cloudformation_stack_set.this) == 0 && length(aws_cloudwatch_event_rule.management) == 0 && length(aws_iam_role.forwarder) == 0
    error_message = "The central part creates no forwarding."
  }

  assert {
    condition     = length(aws_cloudwatch_event_target.extra) == 1 && one(values(aws_cloudwatch_event_target.extra)).rule == "root-activity-alerts-root-credentials" && length(one(values(aws_cloudwatch_event_target.extra)).input_transformer) == 0
    error_message = "An extra target joins its own kind's rule and receives the whole event."
  }

  assert {
    condition     = output.stack_set_name == null && output.management_rule_arns == {}
    error_message = "Outputs survive a part that is off."
  }
}

run "forwarding_part_only" {
  command = plan

  variables {
    create_central        = false
    organization_id       = null
    central_event_bus_arn = "arn:aws:events:us-east-1:333333333333:event-bus/root-activity-alerts"
    stack_set_regions     = ["us-east-1", "eu-west-1"]
    call_as               = "DELEGATED_ADMIN"
  }

  assert {
    condition     = length(aws_cloudwatch_event_bus.this) == 0 && length(aws_sns_topic.this) == 0 && length(aws_cloudwatch_event_rule.this) == 0
    error_message = "The forwarding part creates no bus and no topics."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack_set.this[0].template_body).Resources.RootCredentialsRule.Properties.Targets[0].Arn == "arn:aws:events:us-east-1:333333333333:event-bus/root-activity-alerts" && aws_cloudwatch_event_target.management["assume_root_calls"].arn == "arn:aws:events:us-east-1:333333333333:event-bus/root-activity-alerts"
    error_message = "Member and management rules forward to the given central bus."
  }

  assert {
    condition     = toset(keys(aws_cloudformation_stack_set_instance.this)) == toset(["us-east-1", "eu-west-1"]) && aws_cloudformation_stack_set_instance.this["eu-west-1"].call_as == "DELEGATED_ADMIN"
    error_message = "One stack instance resource per region, called as the delegated administrator."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.forwarder[0].policy).Statement[0].Resource == "arn:aws:events:us-east-1:333333333333:event-bus/root-activity-alerts"
    error_message = "The forwarder role may put events on the central bus only."
  }
}

run "forwarding_without_a_central_bus_is_refused" {
  command = plan

  variables {
    create_central = false
  }

  expect_failures = [aws_cloudformation_stack_set.this, aws_iam_role.forwarder]
}

run "stack_set_without_target_ous_is_refused" {
  command = plan

  variables {
    target_ou_ids = []
  }

  expect_failures = [aws_cloudformation_stack_set.this]
}

run "central_part_without_organization_is_refused" {
  command = plan

  variables {
    organization_id = null
  }

  expect_failures = [aws_cloudwatch_event_bus_policy.this]
}

run "bad_call_as_is_refused" {
  command = plan

  variables {
    call_as = "delegated_admin"
  }

  expect_failures = [var.call_as]
}

run "bad_name_is_refused" {
  command = plan

  variables {
    name = "root_activity"
  }

  expect_failures = [var.name]
}

run "bad_extra_target_is_refused" {
  command = plan

  variables {
    assume_root_call_target_arns = ["siem-queue"]
  }

  expect_failures = [var.assume_root_call_target_arns]
}

run "bad_central_bus_arn_is_refused" {
  command = plan

  variables {
    central_event_bus_arn = "arn:aws:sns:us-east-1:333333333333:not-a-bus"
  }

  expect_failures = [var.central_event_bus_arn]
}

run "disabled_module_creates_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = output.event_bus_arn == null && output.stack_set_name == null && output.topic_arns == {} && output.forwarder_role_arn == null
    error_message = "Outputs must survive a disabled module."
  }
}
