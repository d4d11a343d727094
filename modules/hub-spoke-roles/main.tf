data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  hub_role_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${var.hub_role_name}"
  spoke_trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid    = "HubRoleOnly"
      Effect = "Allow"
      Principal = {
        AWS = local.hub_role_arn
      }
      Action = "sts:AssumeRole"
      Condition = {
        StringEquals = merge({ "aws:PrincipalOrgID" = var.organization_id }, { for k, v in { "sts:ExternalId" = var.external_id } : k => v if var.external_id != null })
      }
    }]
  }
  spoke_template = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Spoke role trusted only by the hub role (hub-spoke-roles module)."
    Resources = {
      SpokeRole = {
        Type = "AWS::IAM::Role"
        Properties = {
          RoleName                 = var.spoke_role_name
          MaxSessionDuration       = var.max_session_duration
          ManagedPolicyArns        = var.spoke_managed_policy_arns
          AssumeRolePolicyDocument = local.spoke_trust_policy
        }
      }
    }
    Outputs = {
      SpokeRoleArn = {
        Value = {
          "Fn::GetAtt" = ["SpokeRole", "Arn"]
        }
      }
    }
  })
}

resource "aws_iam_role" "hub" {
  count = var.create ? 1 : 0

  name        = var.hub_role_name
  description = "Hub role: may assume only the spoke role, inside the organization."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "TrustedPrincipalsInOrganization"
      Effect = "Allow"
      Principal = {
        AWS = var.hub_trusted_principal_arns
      }
      Action = "sts:AssumeRole"
      Condition = {
        StringEquals = {
          "aws:PrincipalOrgID" = var.organization_id
        }
      }
    }]
  })
  max_session_duration = var.max_session_duration
  tags                 = var.tags
}

resource "aws_iam_role_policy" "hub" {
  count = var.create ? 1 : 0

  name = "assume-spoke-role"
  role = aws_iam_role.hub[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "AssumeSpokeRoleInOrganization"
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = "arn:${data.aws_partition.current.partition}:iam::*:role/${var.spoke_role_name}"
      Condition = {
        StringEquals = {
          "aws:ResourceOrgID" = var.organization_id
        }
      }
    }]
  })
}

resource "aws_cloudformation_stack_set" "this" {
  count = var.create ? 1 : 0

  name             = var.stack_set_name
  description      = "Spoke role for the hub-spoke-roles module, in every account of the target OUs."
  permission_model = "SERVICE_MANAGED"
  call_as          = var.call_as
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_body    = local.spoke_template
  tags             = var.tags

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  depends_on = [aws_iam_role.hub]

  lifecycle {
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "this" {
  count = var.create ? 1 : 0

  stack_set_name = aws_cloudformation_stack_set.this[0].name
  call_as        = var.call_as
  region         = coalesce(var.stack_set_region, data.aws_region.current.name)

  deployment_targets {
    organizational_unit_ids = var.target_ou_ids
  }

  operation_preferences {
    failure_tolerance_percentage = 10
    max_concurrent_percentage    = 25
    region_concurrency_type      = "PARALLEL"
  }
}

resource "aws_iam_role" "management_spoke" {
  count = var.create && var.create_management_spoke ? 1 : 0

  name                 = var.spoke_role_name
  description          = "Spoke role of the management account, which StackSets never reach."
  assume_role_policy   = jsonencode(local.spoke_trust_policy)
  max_session_duration = var.max_session_duration
  tags                 = var.tags
  depends_on           = [aws_iam_role.hub]
}

resource "aws_iam_role_policy_attachment" "management_spoke" {
  for_each = var.create && var.create_management_spoke ? toset(var.spoke_managed_policy_arns) : toset([])

  role       = aws_iam_role.management_spoke[0].name
  policy_arn = each.value
}
