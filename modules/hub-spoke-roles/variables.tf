variable "create" {
  description = "Whether to create any resource."
  type        = bool
  default     = true
}

variable "organization_id" {
  description = "Organization id for the aws:PrincipalOrgID and aws:ResourceOrgID conditions."
  type        = string

  validation {
    condition     = var.organization_id == null ? true : can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "Each value of organization_id must be a valid organization id (o-xxxxxxxxxx) (matching ^o-[a-z0-9]{10,32}$)."
  }
}

variable "hub_role_name" {
  description = "Name of the hub role."
  type        = string
  default     = "HubRole"

  validation {
    condition     = var.hub_role_name == null ? true : can(regex("^[\\w+=,.@-]{1,64}$", var.hub_role_name))
    error_message = "Each value of hub_role_name must be a valid IAM role name (matching ^[\\w+=,.@-]{1,64}$)."
  }
}

variable "hub_trusted_principal_arns" {
  description = "Principals allowed to assume the hub role."
  type        = list(string)

  validation {
    condition     = length(var.hub_trusted_principal_arns) > 0
    error_message = "hub_trusted_principal_arns must not be empty."
  }

  validation {
    condition     = alltrue([for x in var.hub_trusted_principal_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$", x))])
    error_message = "Each value of hub_trusted_principal_arns must be a valid IAM or STS ARN (matching ^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$)."
  }
}

variable "spoke_role_name" {
  description = "Name of the spoke role in every target account."
  type        = string
  default     = "SpokeRole"

  validation {
    condition     = var.spoke_role_name == null ? true : can(regex("^[\\w+=,.@-]{1,64}$", var.spoke_role_name))
    error_message = "Each value of spoke_role_name must be a valid IAM role name (matching ^[\\w+=,.@-]{1,64}$)."
  }
}

variable "spoke_managed_policy_arns" {
  description = "Managed policies attached to every spoke role."
  type        = list(string)
  default     = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]

  validation {
    condition     = alltrue([for x in var.spoke_managed_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(\\d{12}|aws):policy/.+$", x))])
    error_message = "Each value of spoke_managed_policy_arns must be a valid IAM policy ARN (matching ^arn:aws[a-z-]*:iam::(\\d{12}|aws):policy/.+$)."
  }
}

variable "external_id" {
  description = "sts:ExternalId the spoke trust policy requires; null for none."
  type        = string
  default     = null
  sensitive   = true
}

variable "target_ou_ids" {
  description = "OUs (ou-…) or the root (r-…) whose accounts get the spoke role."
  type        = list(string)

  validation {
    condition     = length(var.target_ou_ids) > 0
    error_message = "target_ou_ids must not be empty."
  }

  validation {
    condition     = alltrue([for x in var.target_ou_ids : can(regex("^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", x))])
    error_message = "Each value of target_ou_ids must be a valid OU or root id (ou-xxxx-xxxxxxxx, r-xxxx) (matching ^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$)."
  }
}

variable "stack_set_name" {
  description = "Name of the StackSet."
  type        = string
  default     = "hub-spoke-roles-spoke"
}

variable "call_as" {
  description = "SELF from the management account, DELEGATED_ADMIN from a CloudFormation delegated administrator."
  type        = string
  default     = "SELF"

  validation {
    condition     = var.call_as == null ? true : contains(["SELF", "DELEGATED_ADMIN"], var.call_as)
    error_message = "call_as allows only: SELF, DELEGATED_ADMIN."
  }
}

variable "stack_set_region" {
  description = "Region of the stack instances (IAM is global, one region is enough); null for the provider's region."
  type        = string
  default     = null

  validation {
    condition     = var.stack_set_region == null ? true : can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.stack_set_region))
    error_message = "Each value of stack_set_region must be a valid region name (matching ^[a-z]{2}(-[a-z]+)+-\\d$)."
  }
}

variable "create_management_spoke" {
  description = "Also create the spoke role in this account; StackSets never deploy to the management account."
  type        = bool
  default     = false
}

variable "max_session_duration" {
  description = "Maximum session duration of the roles in seconds."
  type        = number
  default     = 3600
}

variable "tags" {
  description = "Tags for the roles and the StackSet."
  type        = map(string)
  default     = {}
}
