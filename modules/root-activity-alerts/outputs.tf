output "event_bus_arn" {
  description = "ARN of the central event bus, or null."
  value       = try(aws_cloudwatch_event_bus.this[0].arn, null)
}

output "event_bus_name" {
  description = "Name of the central event bus, or null."
  value       = try(aws_cloudwatch_event_bus.this[0].name, null)
}

output "topic_arns" {
  description = "SNS topic ARN of each kind (root_credentials, assume_root_sessions, assume_root_calls)."
  value       = try({ for k, t in aws_sns_topic.this : k => t.arn }, {})
}

output "rule_arns" {
  description = "ARN of the rule of each kind on the central bus."
  value       = try({ for k, r in aws_cloudwatch_event_rule.this : k => r.arn }, {})
}

output "management_rule_arns" {
  description = "ARN of the forwarding rule of each kind in this account."
  value       = try({ for k, r in aws_cloudwatch_event_rule.management : k => r.arn }, {})
}

output "forwarder_role_arn" {
  description = "ARN of the role the forwarding rules of this account use, or null."
  value       = try(aws_iam_role.forwarder[0].arn, null)
}

output "stack_set_name" {
  description = "Name of the StackSet that deploys the forwarding rules, or null."
  value       = try(aws_cloudformation_stack_set.this[0].name, null)
}

output "event_patterns" {
  description = "The event pattern of each kind (JSON)."
  value       = { for k, v in local.kinds : k => jsonencode(v.pattern) }
}

output "forwarder_template" {
  description = "The rendered CloudFormation template of the member accounts' forwarding rules (JSON)."
  value       = local.forwarder_template
}
