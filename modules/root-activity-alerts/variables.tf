variable "create" {
  description = "Whether to create any resource."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the event bus and the StackSet, and prefix of the rules, topics and roles."
  type        = string
  default     = "root-activity-alerts"

  validation {
    condition     = var.name == null ? true : can(regex("^[A-Za-z][A-Za-z0-9-]{0,42}$", var.name))
    error_message = "Each value of name must be a valid name (a letter, then letters, digits, hyphens; at most 43) (matching ^[A-Za-z][A-Za-z0-9-]{0,42}$)."
  }
}

variable "create_central" {
  description = "Create the central event bus, its rules and the SNS topics in this account."
  type        = bool
  default     = true
}

variable "create_stack_set" {
  description = "Create the StackSet that puts the forwarding rules into every account of target_ou_ids."
  type        = bool
  default     = true
}

variable "create_management_rules" {
  description = "Create forwarding rules in this account: the management account, which StackSets never reach."
  type        = bool
  default     = true
}

variable "organization_id" {
  description = "Organization admitted by the bus policy (aws:PrincipalOrgID); required with create_central."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null ? true : can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "Each value of organization_id must be a valid organization id (o-xxxxxxxxxx) (matching ^o-[a-z0-9]{10,32}$)."
  }
}

variable "central_event_bus_arn" {
  description = "The central bus to forward to when it is created elsewhere; null for the one created here."
  type        = string
  default     = null

  validation {
    condition     = var.central_event_bus_arn == null ? true : can(regex("^arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:event-bus/[A-Za-z0-9._/-]{1,256}$", var.central_event_bus_arn))
    error_message = "Each value of central_event_bus_arn must be a valid EventBridge event bus ARN (matching ^arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:event-bus/[A-Za-z0-9._/-]{1,256}$)."
  }
}

variable "target_ou_ids" {
  description = "OUs (ou-…) or the root (r-…) whose accounts get the forwarding rules; required with create_stack_set."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.target_ou_ids : can(regex("^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", x))])
    error_message = "Each value of target_ou_ids must be a valid OU or root id (ou-xxxx-xxxxxxxx, r-xxxx) (matching ^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$)."
  }
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

variable "stack_set_regions" {
  description = "Regions of the member accounts' forwarding rules (include us-east-1, where sign-in and IAM events arrive); empty for the provider's region."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.stack_set_regions : can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", x))])
    error_message = "Each value of stack_set_regions must be a valid region name (matching ^[a-z]{2}(-[a-z]+)+-\\d$)."
  }
}

variable "root_credentials_target_arns" {
  description = "Extra targets of root_credentials (they receive the whole event; SNS, SQS and Lambda need their own resource policy for events.amazonaws.com)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.root_credentials_target_arns : can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:.+$", x))])
    error_message = "Each value of root_credentials_target_arns must be a valid regional resource ARN (matching ^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:.+$)."
  }
}

variable "assume_root_session_target_arns" {
  description = "Extra targets of assume_root_sessions (they receive the whole event; SNS, SQS and Lambda need their own resource policy for events.amazonaws.com)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.assume_root_session_target_arns : can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:.+$", x))])
    error_message = "Each value of assume_root_session_target_arns must be a valid regional resource ARN (matching ^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:.+$)."
  }
}

variable "assume_root_call_target_arns" {
  description = "Extra targets of assume_root_calls (they receive the whole event; SNS, SQS and Lambda need their own resource policy for events.amazonaws.com)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for x in var.assume_root_call_target_arns : can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:.+$", x))])
    error_message = "Each value of assume_root_call_target_arns must be a valid regional resource ARN (matching ^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:.+$)."
  }
}

variable "kms_master_key_id" {
  description = "KMS key of the SNS topics (its key policy must let events.amazonaws.com use it); null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the bus, rules, topics, roles and the StackSet."
  type        = map(string)
  default     = {}
}
