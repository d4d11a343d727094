data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  tasks = merge({
    audit-only  = ["IAMAuditRootUserCredentials"]
    unlock-only = ["S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"]
    full = [
      "IAMAuditRootUserCredentials",
      "IAMCreateRootUserPassword",
      "IAMDeleteRootUserCredentials",
      "S3UnlockBucketPolicy",
      "SQSUnlockQueuePolicy",
    ]
  }, { custom = var.tasks })[var.task_profile]
  task_policy_arns = [for t in local.tasks : "arn:${data.aws_partition.current.partition}:iam::aws:policy/root-task/${t}"]
  mfa_condition    = { for k, v in { Bool = { "aws:MultiFactorAuthPresent" = "true" } } : k => v if var.require_mfa }
  trust_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      length(var.trusted_principal_arns) > 0 ? [{
        Sid    = "TrustedPrincipals"
        Effect = "Allow"
        Action = "sts:AssumeRole"
        Principal = {
          AWS = var.trusted_principal_arns
        }
        Condition = local.mfa_condition
      }] : [],
      length(var.trusted_principal_arn_patterns) > 0 ? [{
        Sid    = "TrustedPrincipalPatterns"
        Effect = "Allow"
        Action = "sts:AssumeRole"
        Principal = {
          AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
        }
        Condition = merge({ ArnLike = { "aws:PrincipalArn" = var.trusted_principal_arn_patterns } }, local.mfa_condition)
      }] : [],
    )
  })
  permissions_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "AssumeRootForSelectedTasks"
        Effect   = "Allow"
        Action   = "sts:AssumeRoot"
        Resource = "arn:${data.aws_partition.current.partition}:iam::*:root"
        Condition = {
          StringEquals = {
            "sts:TaskPolicyArn" = local.task_policy_arns
          }
        }
      },
      {
        Sid    = "ReadOrganization"
        Effect = "Allow"
        Action = [
          "iam:ListOrganizationsFeatures",
          "organizations:DescribeAccount",
          "organizations:DescribeOrganization",
          "organizations:DescribePolicy",
          "organizations:ListAWSServiceAccessForOrganization",
          "organizations:ListAccounts",
          "organizations:ListAccountsForParent",
          "organizations:ListDelegatedAdministrators",
          "organizations:ListOrganizationalUnitsForParent",
          "organizations:ListParents",
          "organizations:ListPolicies",
          "organizations:ListRoots",
          "organizations:ListTargetsForPolicy",
        ]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_role" "this" {
  count = var.create && var.create_role ? 1 : 0

  name                 = var.name
  description          = "May call sts:AssumeRoot for its selected root tasks (centralized root access)."
  assume_role_policy   = local.trust_policy
  max_session_duration = var.max_session_duration
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = length(var.trusted_principal_arns) + length(var.trusted_principal_arn_patterns) > 0
      error_message = "The role trusts nobody: set trusted_principal_arns or trusted_principal_arn_patterns."
    }

    precondition {
      condition     = length(local.tasks) > 0
      error_message = "No task selected: task_profile = \"custom\" needs a non-empty tasks list."
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = var.create && var.create_role ? 1 : 0

  name   = "assume-root-for-selected-tasks"
  role   = aws_iam_role.this[0].id
  policy = local.permissions_policy
}

resource "aws_ssoadmin_permission_set" "this" {
  count = var.create && var.create_permission_set ? 1 : 0

  name             = var.name
  description      = "May call sts:AssumeRoot for its selected root tasks."
  instance_arn     = var.sso_instance_arn
  session_duration = "PT1H"
  tags             = var.tags

  lifecycle {
    precondition {
      condition     = var.sso_instance_arn != null
      error_message = "create_permission_set = true needs sso_instance_arn."
    }
  }
}

resource "aws_ssoadmin_permission_set_inline_policy" "this" {
  count = var.create && var.create_permission_set ? 1 : 0

  instance_arn       = var.sso_instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[0].arn
  inline_policy      = local.permissions_policy
}
