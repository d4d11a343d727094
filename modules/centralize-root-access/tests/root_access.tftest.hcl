# Plan-only tests with a mocked provider: both modes, the brownfield guard and the disabled module.
mock_provider "aws" {}

run "managed_organization_merges_iam" {
  command = plan

  variables {
    manage_organization           = true
    aws_service_access_principals = ["sso.amazonaws.com"]
  }

  assert {
    condition     = aws_organizations_organization.this[0].aws_service_access_principals == toset(["iam.amazonaws.com", "sso.amazonaws.com"])
    error_message = "iam.amazonaws.com must be merged into the user's service principals."
  }

  assert {
    condition     = aws_iam_organizations_features.this[0].enabled_features == toset(["RootCredentialsManagement", "RootSessions"])
    error_message = "Both features are enabled by default."
  }

  assert {
    condition     = length(data.aws_organizations_organization.this) == 0
    error_message = "The managed mode does not read the organization."
  }
}

run "brownfield_with_trusted_access" {
  command = plan

  override_data {
    target = data.aws_organizations_organization.this[0]
    values = {
      id                            = "o-exampleorg1"
      master_account_id             = "123456789012"
      feature_set                   = "ALL"
      aws_service_access_principals = ["iam.amazonaws.com"]
    }
  }

  variables {
    enabled_features                   = ["RootSessions"]
    delegated_administrator_account_id = "111111111111"
  }

  assert {
    condition     = length(aws_organizations_organization.this) == 0
    error_message = "Brownfield never declares the organization."
  }

  assert {
    condition     = aws_iam_organizations_features.this[0].enabled_features == toset(["RootSessions"])
    error_message = "Only the selected feature is enabled."
  }

  assert {
    condition     = aws_organizations_delegated_administrator.iam[0].service_principal == "iam.amazonaws.com"
    error_message = "The delegated administrator is registered for IAM."
  }

  assert {
    condition     = output.organization_id == "o-exampleorg1"
    error_message = "The organization id comes from the data source."
  }
}

run "brownfield_without_trusted_access_fails" {
  command = plan

  override_data {
    target = data.aws_organizations_organization.this[0]
    values = {
      feature_set                   = "ALL"
      aws_service_access_principals = ["sso.amazonaws.com"]
    }
  }

  expect_failures = [aws_iam_organizations_features.this]
}

run "brownfield_consolidated_billing_fails" {
  command = plan

  override_data {
    target = data.aws_organizations_organization.this[0]
    values = {
      feature_set                   = "CONSOLIDATED_BILLING"
      aws_service_access_principals = ["iam.amazonaws.com"]
    }
  }

  expect_failures = [aws_iam_organizations_features.this]
}

run "management_account_as_delegated_administrator_is_refused" {
  command = plan

  override_data {
    target = data.aws_organizations_organization.this[0]
    values = {
      id                            = "o-exampleorg1"
      master_account_id             = "123456789012"
      feature_set                   = "ALL"
      aws_service_access_principals = ["iam.amazonaws.com"]
    }
  }

  variables {
    delegated_administrator_account_id = "123456789012"
  }

  expect_failures = [aws_organizations_delegated_administrator.iam]
}

run "bad_delegated_administrator_is_refused" {
  command = plan

  override_data {
    target = data.aws_organizations_organization.this[0]
    values = {
      feature_set                   = "ALL"
      aws_service_access_principals = ["iam.amazonaws.com"]
    }
  }

  variables {
    delegated_administrator_account_id = "12345678901"
  }

  expect_failures = [var.delegated_administrator_account_id]
}

run "unknown_feature_is_refused" {
  command = plan

  variables {
    enabled_features = ["RootPasswords"]
  }

  expect_failures = [var.enabled_features]
}

run "disabled_module_creates_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = output.organization_id == null && length(output.enabled_features) == 0
    error_message = "Outputs must survive a disabled module."
  }
}
