variable "create" {
  description = "Whether to create any resource."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the role and of the permission set."
  type        = string
  default     = "RootOperator"

  validation {
    condition     = var.name == null ? true : can(regex("^[\\w+=,.@-]{1,64}$", var.name))
    error_message = "Each value of name must be a valid IAM role name (matching ^[\\w+=,.@-]{1,64}$)."
  }
}

variable "create_role" {
  description = "Whether to create the IAM role."
  type        = bool
  default     = true
}

variable "trusted_principal_arns" {
  description = "Principals allowed to assume the role, by exact ARN."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.trusted_principal_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$", x))])
    error_message = "Each value of trusted_principal_arns must be a valid IAM or STS ARN (matching ^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$)."
  }
}

variable "trusted_principal_arn_patterns" {
  description = "ARN patterns (ArnLike aws:PrincipalArn) of this account's principals allowed to assume the role, e.g. arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_RootOperator_*."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.trusted_principal_arn_patterns : can(regex("^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$", x))])
    error_message = "Each value of trusted_principal_arn_patterns must be a valid IAM or STS ARN (matching ^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$)."
  }
}

variable "require_mfa" {
  description = "Require aws:MultiFactorAuthPresent in the trust policy."
  type        = bool
  default     = false
}

variable "task_profile" {
  description = "Tasks the role may start: audit-only, unlock-only, full, or custom (then `tasks`)."
  type        = string
  default     = "full"

  validation {
    condition     = var.task_profile == null ? true : contains(["audit-only", "unlock-only", "full", "custom"], var.task_profile)
    error_message = "task_profile allows only: audit-only, unlock-only, full, custom."
  }
}

variable "tasks" {
  description = "Root-task policy names when task_profile = \"custom\"."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.tasks : contains(["IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials", "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"], x)])
    error_message = "tasks allows only: IAMAuditRootUserCredentials, IAMCreateRootUserPassword, IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy."
  }
}

variable "max_session_duration" {
  description = "Maximum role session duration in seconds."
  type        = number
  default     = 3600
}

variable "create_permission_set" {
  description = "Also create an IAM Identity Center permission set with the same permissions."
  type        = bool
  default     = false
}

variable "sso_instance_arn" {
  description = "ARN of the IAM Identity Center instance (required when create_permission_set = true)."
  type        = string
  default     = null

  validation {
    condition     = var.sso_instance_arn == null ? true : can(regex("^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$", var.sso_instance_arn))
    error_message = "Each value of sso_instance_arn must be a valid Identity Center instance ARN (matching ^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$)."
  }
}

variable "tags" {
  description = "Tags for the role and the permission set."
  type        = map(string)
  default     = {}
}
