output "hub_role_arn" {
  description = "ARN of the hub role, or null."
  value       = try(aws_iam_role.hub[0].arn, null)
}

output "spoke_role_name" {
  description = "Name of the spoke role in every target account."
  value       = var.spoke_role_name
}

output "stack_set_id" {
  description = "Id of the StackSet, or null."
  value       = try(aws_cloudformation_stack_set.this[0].id, null)
}

output "management_spoke_role_arn" {
  description = "ARN of the management-account spoke role, or null."
  value       = try(aws_iam_role.management_spoke[0].arn, null)
}

output "spoke_template" {
  description = "The rendered spoke CloudFormation template (JSON); sensitive because it holds the external id."
  value       = local.spoke_template
  sensitive   = true
}
