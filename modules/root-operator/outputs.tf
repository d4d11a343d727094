output "role_arn" {
  description = "ARN of the operator role, or null."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "role_name" {
  description = "Name of the operator role, or null."
  value       = try(aws_iam_role.this[0].name, null)
}

output "permission_set_arn" {
  description = "ARN of the permission set, or null."
  value       = try(aws_ssoadmin_permission_set.this[0].arn, null)
}

output "task_policy_arns" {
  description = "Root-task policy ARNs the operator may start."
  value       = var.create ? local.task_policy_arns : []
}

output "permissions_policy" {
  description = "The permissions policy document (JSON)."
  value       = local.permissions_policy
}
