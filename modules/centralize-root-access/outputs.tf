output "organization_id" {
  description = "Id of the organization (managed or read)."
  value       = try(aws_organizations_organization.this[0].id, data.aws_organizations_organization.this[0].id, null)
}

output "enabled_features" {
  description = "Organization features enabled for centralized root access."
  value       = try(aws_iam_organizations_features.this[0].enabled_features, [])
}

output "delegated_administrator_account_id" {
  description = "Account registered as IAM delegated administrator, or null."
  value       = try(aws_organizations_delegated_administrator.iam[0].account_id, null)
}
