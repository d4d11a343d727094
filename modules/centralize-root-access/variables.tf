variable "create" {
  description = "Whether to create any resource."
  type        = bool
  default     = true
}

variable "manage_organization" {
  description = "Own aws_organizations_organization (it then owns the whole service principal list). False reads the organization instead (brownfield)."
  type        = bool
  default     = false
}

variable "aws_service_access_principals" {
  description = "Service principals to keep enabled besides iam.amazonaws.com (manage_organization only: every principal not listed is disabled)."
  type        = list(string)
  default     = []
}

variable "enabled_policy_types" {
  description = "Policy types enabled on the organization root (manage_organization only)."
  type        = list(string)
  default     = ["SERVICE_CONTROL_POLICY"]

  validation {
    condition     = alltrue([for x in var.enabled_policy_types : contains(["AISERVICES_OPT_OUT_POLICY", "BACKUP_POLICY", "RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY", "TAG_POLICY"], x)])
    error_message = "enabled_policy_types allows only: AISERVICES_OPT_OUT_POLICY, BACKUP_POLICY, RESOURCE_CONTROL_POLICY, SERVICE_CONTROL_POLICY, TAG_POLICY."
  }
}

variable "enabled_features" {
  description = "Organization features to enable for centralized root access."
  type        = list(string)
  default     = ["RootCredentialsManagement", "RootSessions"]

  validation {
    condition     = length(var.enabled_features) > 0
    error_message = "enabled_features must not be empty."
  }

  validation {
    condition     = alltrue([for x in var.enabled_features : contains(["RootCredentialsManagement", "RootSessions"], x)])
    error_message = "enabled_features allows only: RootCredentialsManagement, RootSessions."
  }
}

variable "delegated_administrator_account_id" {
  description = "Member account to register as delegated administrator for iam.amazonaws.com; null for none."
  type        = string
  default     = null

  validation {
    condition     = var.delegated_administrator_account_id == null ? true : can(regex("^\\d{12}$", var.delegated_administrator_account_id))
    error_message = "Each value of delegated_administrator_account_id must be a valid account id (12 digits) (matching ^\\d{12}$)."
  }
}
