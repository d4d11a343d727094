data "aws_partition" "current" {}

locals {
  exemption = { for k, v in { ArnNotLike = { "aws:PrincipalArn" = var.exclude_principal_arns } } : k => v if length(var.exclude_principal_arns) > 0 }
  catalog = {
    DenyRootExceptAssumeRoot = {
      Sid      = "DenyRootExceptAssumeRoot"
      Effect   = "Deny"
      Action   = "*"
      Resource = "*"
      Condition = merge({
        ArnLike = {
          "aws:PrincipalArn" = "arn:${data.aws_partition.current.partition}:iam::*:root"
        }
        Null = {
          "aws:AssumedRoot" = "true"
        }
      }, local.exemption)
    }
    DenyLeaveOrganization = {
      Sid       = "DenyLeaveOrganization"
      Effect    = "Deny"
      Action    = "organizations:LeaveOrganization"
      Resource  = "*"
      Condition = local.exemption
    }
    DenyIamUserAndAccessKeyCreation = {
      Sid       = "DenyIamUserAndAccessKeyCreation"
      Effect    = "Deny"
      Action    = ["iam:CreateUser", "iam:CreateAccessKey"]
      Resource  = "*"
      Condition = local.exemption
    }
    DenyLoginProfileCreation = {
      Sid      = "DenyLoginProfileCreation"
      Effect   = "Deny"
      Action   = ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"]
      Resource = "*"
      Condition = merge({
        Null = {
          "aws:AssumedRoot" = "true"
        }
      }, local.exemption)
    }
    DenyOutsideAllowedRegions = {
      Sid       = "DenyOutsideAllowedRegions"
      Effect    = "Deny"
      NotAction = var.global_service_actions
      Resource  = "*"
      Condition = merge({
        StringNotEquals = {
          "aws:RequestedRegion" = var.allowed_regions
        }
      }, local.exemption)
    }
    DenyCentralizedRootChanges = {
      Sid    = "DenyCentralizedRootChanges"
      Effect = "Deny"
      Action = [
        "iam:DisableOrganizationsRootCredentialsManagement",
        "iam:DisableOrganizationsRootSessions",
        "organizations:DisableAWSServiceAccess",
        "organizations:DeregisterDelegatedAdministrator",
      ]
      Resource = "*"
      Condition = merge({
        StringEqualsIfExists = {
          "organizations:ServicePrincipal" = "iam.amazonaws.com"
        }
      }, local.exemption)
    }
  }
  statements = [for sid in var.statements : local.catalog[sid]]
  sizes      = [for s in local.statements : length(jsonencode(s))]
  budget     = 5120 - length(jsonencode({ Statement = [], Version = "2012-10-17" }))
  stride     = max(local.budget - max(0, local.sizes...) + 1, 1)
  ends       = [for i in range(length(local.sizes)) : sum(slice(local.sizes, 0, i + 1)) + i]
  windows    = [for end in local.ends : floor(end / local.stride)]
  bins       = [for w in local.windows : index(distinct(local.windows), w)]
  policies   = [for b in range(length(distinct(local.windows))) : jsonencode({ Version = "2012-10-17", Statement = [for i, s in local.statements : s if local.bins[i] == b] })]
  oversize   = [for i, sid in var.statements : sid if local.sizes[i] > local.budget]
}

resource "aws_organizations_policy" "this" {
  count = var.create ? length(local.policies) : 0

  name        = "${var.name}-${count.index + 1}"
  description = join(", ", var.statements)
  type        = "SERVICE_CONTROL_POLICY"
  content     = local.policies[count.index]
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = length(local.oversize) == 0
      error_message = "SCP statement ${join(", ", local.oversize)} cannot fit in one SCP (5120 characters minified); shorten allowed_regions, global_service_actions or exclude_principal_arns."
    }

    precondition {
      condition     = !contains(var.statements, "DenyOutsideAllowedRegions") || length(var.allowed_regions) > 0
      error_message = "DenyOutsideAllowedRegions is selected but allowed_regions is empty."
    }

    precondition {
      condition     = length(var.target_ids) == 0 || length(local.policies) <= 4
      error_message = "The selection needs ${length(local.policies)} SCPs; at most 5 can be attached to a target and FullAWSAccess takes one."
    }
  }
}

resource "aws_organizations_policy_attachment" "this" {
  for_each = { for pair in setproduct(var.target_ids, range(length(local.policies))) : "${pair[0]}/${pair[1] + 1}" => { target_id = pair[0], policy = pair[1] } if var.create }

  policy_id = aws_organizations_policy.this[each.value.policy].id
  target_id = each.value.target_id
}
