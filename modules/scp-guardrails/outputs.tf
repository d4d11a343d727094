output "policy_ids" {
  description = "Ids of the SCPs, in packing order."
  value       = try(aws_organizations_policy.this[*].id, [])
}

output "policy_arns" {
  description = "ARNs of the SCPs."
  value       = try(aws_organizations_policy.this[*].arn, [])
}

output "policy_contents" {
  description = "The packed SCP documents (minified JSON), in order."
  value       = var.create ? local.policies : []
}

output "statement_bins" {
  description = "Sid → index of the SCP that holds it."
  value       = { for i, sid in var.statements : sid => local.bins[i] }
}
