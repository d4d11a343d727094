/**
 * The provider bindings the constructs use, each imported from its own path: importing the package root of
 * @cdktf/provider-aws costs about 2 s and 500 MB. This file and its siblings in modules/lib/ are the only seam to
 * cdktf, so a move to the cdktn fork changes one folder.
 */
export { CloudformationStackSet } from '@cdktf/provider-aws/lib/cloudformation-stack-set';
export { CloudformationStackSetInstance } from '@cdktf/provider-aws/lib/cloudformation-stack-set-instance';
export { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
export { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
export { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
export { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
export { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
export { DataAwsOrganizationsOrganization } from '@cdktf/provider-aws/lib/data-aws-organizations-organization';
export { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
export { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
export { IamOrganizationsFeatures } from '@cdktf/provider-aws/lib/iam-organizations-features';
export { IamRole } from '@cdktf/provider-aws/lib/iam-role';
export { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
export { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
export { OrganizationsDelegatedAdministrator } from '@cdktf/provider-aws/lib/organizations-delegated-administrator';
export { OrganizationsOrganization } from '@cdktf/provider-aws/lib/organizations-organization';
export { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
export { OrganizationsPolicyAttachment } from '@cdktf/provider-aws/lib/organizations-policy-attachment';
export { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
export { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
export { SsoadminPermissionSet } from '@cdktf/provider-aws/lib/ssoadmin-permission-set';
export { SsoadminPermissionSetInlinePolicy } from '@cdktf/provider-aws/lib/ssoadmin-permission-set-inline-policy';
export { Construct } from 'constructs';
