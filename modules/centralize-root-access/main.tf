data "aws_organizations_organization" "this" {
  count = var.create && !var.manage_organization ? 1 : 0
}

resource "aws_organizations_organization" "this" {
  count = var.create && var.manage_organization ? 1 : 0

  feature_set                   = "ALL"
  aws_service_access_principals = sort(distinct(concat(var.aws_service_access_principals, ["iam.amazonaws.com"])))
  enabled_policy_types          = var.enabled_policy_types
}

resource "aws_iam_organizations_features" "this" {
  count = var.create ? 1 : 0

  enabled_features = var.enabled_features
  depends_on       = [aws_organizations_organization.this]

  lifecycle {
    precondition {
      condition     = var.manage_organization || try(contains(data.aws_organizations_organization.this[0].aws_service_access_principals, "iam.amazonaws.com"), false)
      error_message = "Trusted access for iam.amazonaws.com is not enabled in the organization. Enable it (aws organizations enable-aws-service-access --service-principal iam.amazonaws.com) or set manage_organization = true."
    }

    precondition {
      condition     = var.manage_organization || try(data.aws_organizations_organization.this[0].feature_set == "ALL", false)
      error_message = "The organization is not in ALL features mode; centralized root access needs all features enabled."
    }
  }
}

resource "aws_organizations_delegated_administrator" "iam" {
  count = var.create && var.delegated_administrator_account_id != null ? 1 : 0

  account_id        = var.delegated_administrator_account_id
  service_principal = "iam.amazonaws.com"
  depends_on        = [aws_iam_organizations_features.this]

  lifecycle {
    precondition {
      condition     = try(data.aws_organizations_organization.this[0].master_account_id, aws_organizations_organization.this[0].master_account_id, null) != var.delegated_administrator_account_id
      error_message = "delegated_administrator_account_id is the management account: register a member account (the management account already has every right the delegated administrator gets)."
    }
  }
}
