variable "create" {
  description = "Whether to create any resource."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name prefix of the policies; each policy gets a \"-<n>\" suffix."
  type        = string
  default     = "centralized-root-guardrails"
}

variable "statements" {
  description = "Catalog statements (Sids) to enforce, in packing order."
  type        = list(string)
  default = [
    "DenyRootExceptAssumeRoot",
    "DenyLeaveOrganization",
    "DenyIamUserAndAccessKeyCreation",
    "DenyLoginProfileCreation",
    "DenyCentralizedRootChanges",
  ]

  validation {
    condition     = length(var.statements) > 0
    error_message = "statements must not be empty."
  }

  validation {
    condition     = alltrue([for x in var.statements : contains(["DenyRootExceptAssumeRoot", "DenyLeaveOrganization", "DenyIamUserAndAccessKeyCreation", "DenyLoginProfileCreation", "DenyOutsideAllowedRegions", "DenyCentralizedRootChanges"], x)])
    error_message = "statements allows only: DenyRootExceptAssumeRoot, DenyLeaveOrganization, DenyIamUserAndAccessKeyCreation, DenyLoginProfileCreation, DenyOutsideAllowedRegions, DenyCentralizedRootChanges."
  }
}

variable "allowed_regions" {
  description = "Regions allowed by DenyOutsideAllowedRegions (required when that statement is selected)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.allowed_regions : can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", x))])
    error_message = "Each value of allowed_regions must be a valid region name (matching ^[a-z]{2}(-[a-z]+)+-\\d$)."
  }
}

variable "global_service_actions" {
  description = "Actions of global services exempt from DenyOutsideAllowedRegions."
  type        = list(string)
  default = [
    "account:*",
    "budgets:*",
    "ce:*",
    "cloudfront:*",
    "health:*",
    "iam:*",
    "organizations:*",
    "route53:*",
    "sts:*",
    "support:*",
    "waf:*",
  ]
}

variable "exclude_principal_arns" {
  description = "Principal ARN patterns exempt from every statement (ArnNotLike aws:PrincipalArn), e.g. arn:aws:iam::*:role/OrganizationAccountAccessRole."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.exclude_principal_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$", x))])
    error_message = "Each value of exclude_principal_arns must be a valid IAM or STS ARN (matching ^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$)."
  }
}

variable "target_ids" {
  description = "Roots (r-…), OUs (ou-…) and accounts (12 digits) to attach every policy to."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.target_ids : can(regex("^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\\d{12})$", x))])
    error_message = "Each value of target_ids must be a valid root, OU or account id (r-xxxx, ou-xxxx-xxxxxxxx, 12 digits) (matching ^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\\d{12})$)."
  }
}

variable "tags" {
  description = "Tags for the policies."
  type        = map(string)
  default     = {}
}
