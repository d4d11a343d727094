data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  kinds = {
    root_credentials = {
      slug        = "root-credentials"
      severity    = "high"
      description = "A root user's own credentials were used: console sign-in or long-term access keys."
      pattern = {
        detail-type = ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"]
        detail = {
          userIdentity = {
            type = ["Root"]
            invokedBy = [{
              exists = false
            }]
            assumedRoot = [{
              exists = false
            }]
            sessionContext = {
              assumedRoot = [{
                exists = false
              }]
            }
          }
        }
      }
      input_paths = {
        account         = "$.account"
        region          = "$.region"
        time            = "$.time"
        sourceIPAddress = "$.detail.sourceIPAddress"
        eventId         = "$.detail.eventID"
        eventName       = "$.detail.eventName"
        eventSource     = "$.detail.eventSource"
        accessKeyId     = "$.detail.userIdentity.accessKeyId"
        mfaUsed         = "$.detail.additionalEventData.MFAUsed"
      }
      input_template = "{\"kind\": \"root-credentials\", \"severity\": \"high\", \"summary\": \"The root user's own credentials were used\", \"account\": <account>, \"region\": <region>, \"time\": <time>, \"eventSource\": <eventSource>, \"eventName\": <eventName>, \"accessKeyId\": <accessKeyId>, \"mfaUsed\": <mfaUsed>, \"sourceIPAddress\": <sourceIPAddress>, \"eventId\": <eventId>}"
    }
    assume_root_sessions = {
      slug        = "assume-root-sessions"
      severity    = "informational"
      description = "An AssumeRoot session acted in a member account (centralized root access; the access key id joins it to its AssumeRoot call)."
      pattern = {
        detail-type = ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"]
        detail = {
          userIdentity = {
            type = ["Root"]
          }
        }
        "$or" = [
          {
            detail = {
              userIdentity = {
                assumedRoot = ["true"]
              }
            }
          },
          {
            detail = {
              userIdentity = {
                sessionContext = {
                  assumedRoot = ["true"]
                }
              }
            }
          },
        ]
      }
      input_paths = {
        account         = "$.account"
        region          = "$.region"
        time            = "$.time"
        sourceIPAddress = "$.detail.sourceIPAddress"
        eventId         = "$.detail.eventID"
        eventName       = "$.detail.eventName"
        eventSource     = "$.detail.eventSource"
        accessKeyId     = "$.detail.userIdentity.accessKeyId"
      }
      input_template = "{\"kind\": \"assume-root-session\", \"severity\": \"informational\", \"summary\": \"An AssumeRoot session acted in a member account\", \"account\": <account>, \"region\": <region>, \"time\": <time>, \"task\": {\"eventSource\": <eventSource>, \"eventName\": <eventName>}, \"accessKeyId\": <accessKeyId>, \"sourceIPAddress\": <sourceIPAddress>, \"eventId\": <eventId>}"
    }
    assume_root_calls = {
      slug        = "assume-root-calls"
      severity    = "medium"
      description = "sts:AssumeRoot was called (management or IAM delegated administrator account): who, for which account and task."
      pattern = {
        source      = ["aws.sts"]
        detail-type = ["AWS API Call via CloudTrail"]
        detail = {
          eventSource = ["sts.amazonaws.com"]
          eventName   = ["AssumeRoot"]
          userIdentity = {
            type = [{
              anything-but = "Root"
            }]
          }
        }
      }
      input_paths = {
        account            = "$.account"
        region             = "$.region"
        time               = "$.time"
        sourceIPAddress    = "$.detail.sourceIPAddress"
        eventId            = "$.detail.eventID"
        caller             = "$.detail.userIdentity.arn"
        targetPrincipal    = "$.detail.requestParameters.targetPrincipal"
        taskPolicyArn      = "$.detail.requestParameters.taskPolicyArn.arn"
        sessionAccessKeyId = "$.detail.responseElements.credentials.accessKeyId"
        errorCode          = "$.detail.errorCode"
      }
      input_template = "{\"kind\": \"assume-root-call\", \"severity\": \"medium\", \"summary\": \"sts:AssumeRoot was called\", \"account\": <account>, \"region\": <region>, \"time\": <time>, \"caller\": <caller>, \"targetPrincipal\": <targetPrincipal>, \"task\": <taskPolicyArn>, \"sessionAccessKeyId\": <sessionAccessKeyId>, \"errorCode\": <errorCode>, \"sourceIPAddress\": <sourceIPAddress>, \"eventId\": <eventId>}"
    }
  }
  central_event_bus_arn = var.create_central ? try(aws_cloudwatch_event_bus.this[0].arn, null) : var.central_event_bus_arn
  extra_targets = merge([for kind, arns in {
    root_credentials     = var.root_credentials_target_arns
    assume_root_sessions = var.assume_root_session_target_arns
    assume_root_calls    = var.assume_root_call_target_arns
  } : { for arn in arns : "${kind} ${arn}" => { kind = kind, arn = arn } }]...)
  forwarder_template = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Root activity forwarding rules (root-activity-alerts module): each kind to the central bus."
    Resources = {
      ForwarderRole = {
        Type = "AWS::IAM::Role"
        Properties = {
          AssumeRolePolicyDocument = {
            Version = "2012-10-17"
            Statement = [{
              Sid    = "EventBridgeOfThisAccount"
              Effect = "Allow"
              Principal = {
                Service = "events.amazonaws.com"
              }
              Action = "sts:AssumeRole"
              Condition = {
                StringEquals = {
                  "aws:SourceAccount" = {
                    Ref = "AWS::AccountId"
                  }
                }
              }
            }]
          }
          Policies = [{
            PolicyName = "put-events-on-central-bus"
            PolicyDocument = {
              Version = "2012-10-17"
              Statement = [{
                Sid      = "PutEventsOnCentralBus"
                Effect   = "Allow"
                Action   = "events:PutEvents"
                Resource = local.central_event_bus_arn
              }]
            }
          }]
        }
      }
      RootCredentialsRule = {
        Type = "AWS::Events::Rule"
        Properties = {
          Name         = "${var.name}-root-credentials"
          Description  = "A root user's own credentials were used: console sign-in or long-term access keys."
          State        = "ENABLED"
          EventPattern = local.kinds.root_credentials.pattern
          Targets = [{
            Id  = "central-bus"
            Arn = local.central_event_bus_arn
            RoleArn = {
              "Fn::GetAtt" = ["ForwarderRole", "Arn"]
            }
          }]
        }
      }
      AssumeRootSessionsRule = {
        Type = "AWS::Events::Rule"
        Properties = {
          Name         = "${var.name}-assume-root-sessions"
          Description  = "An AssumeRoot session acted in a member account (centralized root access; the access key id joins it to its AssumeRoot call)."
          State        = "ENABLED"
          EventPattern = local.kinds.assume_root_sessions.pattern
          Targets = [{
            Id  = "central-bus"
            Arn = local.central_event_bus_arn
            RoleArn = {
              "Fn::GetAtt" = ["ForwarderRole", "Arn"]
            }
          }]
        }
      }
      AssumeRootCallsRule = {
        Type = "AWS::Events::Rule"
        Properties = {
          Name         = "${var.name}-assume-root-calls"
          Description  = "sts:AssumeRoot was called (management or IAM delegated administrator account): who, for which account and task."
          State        = "ENABLED"
          EventPattern = local.kinds.assume_root_calls.pattern
          Targets = [{
            Id  = "central-bus"
            Arn = local.central_event_bus_arn
            RoleArn = {
              "Fn::GetAtt" = ["ForwarderRole", "Arn"]
            }
          }]
        }
      }
    }
  })
}

resource "aws_cloudwatch_event_bus" "this" {
  count = var.create && var.create_central ? 1 : 0

  name = var.name
  tags = var.tags
}

resource "aws_cloudwatch_event_bus_policy" "this" {
  count = var.create && var.create_central ? 1 : 0

  event_bus_name = aws_cloudwatch_event_bus.this[0].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OrganizationPutEvents"
      Effect    = "Allow"
      Principal = "*"
      Action    = "events:PutEvents"
      Resource  = aws_cloudwatch_event_bus.this[0].arn
      Condition = {
        StringEquals = {
          "aws:PrincipalOrgID" = var.organization_id
        }
      }
    }]
  })

  lifecycle {
    precondition {
      condition     = var.organization_id != null
      error_message = "create_central needs organization_id: the bus admits PutEvents from the accounts of that organization."
    }
  }
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = var.create && var.create_central ? { for k, v in local.kinds : k => v.slug } : {}

  name           = "${var.name}-${each.value}"
  description    = local.kinds[each.key].description
  event_bus_name = aws_cloudwatch_event_bus.this[0].name
  event_pattern  = jsonencode(local.kinds[each.key].pattern)
  tags           = var.tags
}

resource "aws_sns_topic" "this" {
  for_each = var.create && var.create_central ? { for k, v in local.kinds : k => v.slug } : {}

  name              = "${var.name}-${each.value}"
  kms_master_key_id = var.kms_master_key_id
  tags              = merge(var.tags, { Severity = local.kinds[each.key].severity })
}

resource "aws_sns_topic_policy" "this" {
  for_each = var.create && var.create_central ? { for k, v in local.kinds : k => v.slug } : {}

  arn = aws_sns_topic.this[each.key].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "EventBridgeRuleOfThisKind"
      Effect = "Allow"
      Principal = {
        Service = "events.amazonaws.com"
      }
      Action   = "sns:Publish"
      Resource = aws_sns_topic.this[each.key].arn
      Condition = {
        ArnEquals = {
          "aws:SourceArn" = aws_cloudwatch_event_rule.this[each.key].arn
        }
      }
    }]
  })
}

resource "aws_cloudwatch_event_target" "topic" {
  for_each = var.create && var.create_central ? { for k, v in local.kinds : k => v.slug } : {}

  rule           = aws_cloudwatch_event_rule.this[each.key].name
  event_bus_name = aws_cloudwatch_event_bus.this[0].name
  target_id      = "sns-topic"
  arn            = aws_sns_topic.this[each.key].arn

  input_transformer {
    input_paths    = local.kinds[each.key].input_paths
    input_template = local.kinds[each.key].input_template
  }
}

resource "aws_cloudwatch_event_target" "extra" {
  for_each = var.create && var.create_central ? local.extra_targets : {}

  rule           = aws_cloudwatch_event_rule.this[each.value.kind].name
  event_bus_name = aws_cloudwatch_event_bus.this[0].name
  target_id      = "extra-${substr(sha1(each.value.arn), 0, 16)}"
  arn            = each.value.arn
}

resource "aws_iam_role" "forwarder" {
  count = var.create && var.create_management_rules ? 1 : 0

  name        = "${var.name}-forwarder"
  description = "Lets EventBridge forward root activity from this account to the central bus."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "EventBridgeOfThisAccount"
      Effect = "Allow"
      Principal = {
        Service = "events.amazonaws.com"
      }
      Action = "sts:AssumeRole"
      Condition = {
        StringEquals = {
          "aws:SourceAccount" = data.aws_caller_identity.current.account_id
        }
      }
    }]
  })
  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.central_event_bus_arn != null
      error_message = "The forwarding rules need a central bus: set create_central = true or central_event_bus_arn."
    }
  }
}

resource "aws_iam_role_policy" "forwarder" {
  count = var.create && var.create_management_rules ? 1 : 0

  name = "put-events-on-central-bus"
  role = aws_iam_role.forwarder[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "PutEventsOnCentralBus"
      Effect   = "Allow"
      Action   = "events:PutEvents"
      Resource = local.central_event_bus_arn
    }]
  })
}

resource "aws_cloudwatch_event_rule" "management" {
  for_each = var.create && var.create_management_rules ? { for k, v in local.kinds : k => v.slug } : {}

  name          = "${var.name}-${each.value}"
  description   = local.kinds[each.key].description
  event_pattern = jsonencode(local.kinds[each.key].pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "management" {
  for_each = var.create && var.create_management_rules ? { for k, v in local.kinds : k => v.slug } : {}

  rule      = aws_cloudwatch_event_rule.management[each.key].name
  target_id = "central-bus"
  arn       = local.central_event_bus_arn
  role_arn  = aws_iam_role.forwarder[0].arn
}

resource "aws_cloudformation_stack_set" "this" {
  count = var.create && var.create_stack_set ? 1 : 0

  name             = var.name
  description      = "Root activity forwarding rules (root-activity-alerts module), in every account of the target OUs."
  permission_model = "SERVICE_MANAGED"
  call_as          = var.call_as
  capabilities     = ["CAPABILITY_IAM"]
  template_body    = local.forwarder_template
  tags             = var.tags

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  lifecycle {
    ignore_changes = [administration_role_arn]

    precondition {
      condition     = local.central_event_bus_arn != null
      error_message = "The forwarding rules need a central bus: set create_central = true or central_event_bus_arn."
    }

    precondition {
      condition     = length(var.target_ou_ids) > 0
      error_message = "create_stack_set needs target_ou_ids: the OUs (or the root) whose accounts get the forwarding rules."
    }
  }
}

resource "aws_cloudformation_stack_set_instance" "this" {
  for_each = var.create && var.create_stack_set ? toset(length(var.stack_set_regions) > 0 ? var.stack_set_regions : [data.aws_region.current.name]) : toset([])

  stack_set_name = aws_cloudformation_stack_set.this[0].name
  call_as        = var.call_as
  region         = each.value

  deployment_targets {
    organizational_unit_ids = var.target_ou_ids
  }

  operation_preferences {
    failure_tolerance_percentage = 10
    max_concurrent_percentage    = 25
    region_concurrency_type      = "PARALLEL"
  }
}
