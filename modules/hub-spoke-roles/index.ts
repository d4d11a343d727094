/**
 * hub-spoke-roles: a hub role in the hub account and a spoke role in every account of the target OUs, deployed by
 * one service-managed CloudFormation StackSet. The resource count stays O(1) whatever the number of accounts:
 * per-account provider aliases would not scale (Terraform cannot loop provider blocks).
 */
import {
  CloudformationStackSet,
  CloudformationStackSetInstance,
  Construct,
  DataAwsCallerIdentity,
  DataAwsPartition,
  DataAwsRegion,
  IamRole,
  IamRolePolicy,
  IamRolePolicyAttachment,
} from '../lib/aws';
import { raw, render } from '../lib/hcl';
import { expr, ModuleConstruct, ModuleInfo, PATTERNS } from '../lib/module';

export interface HubSpokeRolesProps {
  /** Create anything at all. @default true */
  readonly create?: boolean;
  /** The organization id, used in aws:PrincipalOrgID / aws:ResourceOrgID conditions. */
  readonly organizationId: string;
  /** Name of the hub role. @default "HubRole" */
  readonly hubRoleName?: string;
  /** Principals allowed to assume the hub role (within the organization). */
  readonly hubTrustedPrincipalArns: string[];
  /** Name of the spoke role in every target account. @default "SpokeRole" */
  readonly spokeRoleName?: string;
  /** Managed policies attached to every spoke role. @default ["arn:aws:iam::aws:policy/ReadOnlyAccess"] */
  readonly spokeManagedPolicyArns?: string[];
  /** sts:ExternalId required by the spoke trust policy. @default none */
  readonly externalId?: string | null;
  /** OUs (or the root) whose accounts get the spoke role, including accounts that join later. */
  readonly targetOuIds: string[];
  /** Name of the StackSet. @default "hub-spoke-roles-spoke" */
  readonly stackSetName?: string;
  /** SELF from the management account, DELEGATED_ADMIN from a CloudFormation delegated administrator. @default "SELF" */
  readonly callAs?: 'SELF' | 'DELEGATED_ADMIN';
  /** Region the stack instances are created in (IAM is global: one is enough). @default the provider's region */
  readonly stackSetRegion?: string | null;
  /** Also create the spoke role in this account (StackSets never reach the management account). @default false */
  readonly createManagementSpoke?: boolean;
  /** Maximum session duration of both roles in seconds. @default 3600 */
  readonly maxSessionDuration?: number;
  /** Tags. @default {} */
  readonly tags?: Record<string, string>;
}

export const INFO: ModuleInfo = {
  name: 'hub-spoke-roles',
  purpose:
    'The assume-spoke-role pattern at organization scale. A hub role in the hub account trusts the given principals ' +
    'under `aws:PrincipalOrgID` and may only `sts:AssumeRole` on `arn:${partition}:iam::*:role/<spoke name>` inside ' +
    'the organization. The spoke role is deployed to every account of the target OUs, including accounts that join ' +
    'later, by one service-managed CloudFormation StackSet (`SERVICE_MANAGED`, `auto_deployment`, ' +
    '`CAPABILITY_NAMED_IAM`, optional `call_as`); the module renders the spoke template, which trusts only the hub ' +
    'role (optionally requiring `sts:ExternalId`) and attaches the given managed policies. An optional plain spoke ' +
    'role covers the management account, which StackSets never reach. The Terraform resource count is constant, ' +
    'whatever the number of accounts.',
  variables: [
    { name: 'create', type: 'bool', description: 'Whether to create any resource.', default: true },
    {
      name: 'organization_id',
      type: 'string',
      description: 'Organization id for the aws:PrincipalOrgID and aws:ResourceOrgID conditions.',
      checks: [PATTERNS.organizationId],
    },
    {
      name: 'hub_role_name',
      type: 'string',
      description: 'Name of the hub role.',
      default: 'HubRole',
      checks: [PATTERNS.roleName],
    },
    {
      name: 'hub_trusted_principal_arns',
      type: 'list(string)',
      description: 'Principals allowed to assume the hub role.',
      checks: [{ kind: 'nonEmpty' }, PATTERNS.iamArn],
    },
    {
      name: 'spoke_role_name',
      type: 'string',
      description: 'Name of the spoke role in every target account.',
      default: 'SpokeRole',
      checks: [PATTERNS.roleName],
    },
    {
      name: 'spoke_managed_policy_arns',
      type: 'list(string)',
      description: 'Managed policies attached to every spoke role.',
      default: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      checks: [PATTERNS.policyArn],
    },
    {
      name: 'external_id',
      type: 'string',
      description: 'sts:ExternalId the spoke trust policy requires; null for none.',
      default: null,
      sensitive: true,
    },
    {
      name: 'target_ou_ids',
      type: 'list(string)',
      description: 'OUs (ou-…) or the root (r-…) whose accounts get the spoke role.',
      checks: [{ kind: 'nonEmpty' }, PATTERNS.ouOrRoot],
    },
    { name: 'stack_set_name', type: 'string', description: 'Name of the StackSet.', default: 'hub-spoke-roles-spoke' },
    {
      name: 'call_as',
      type: 'string',
      description: 'SELF from the management account, DELEGATED_ADMIN from a CloudFormation delegated administrator.',
      default: 'SELF',
      checks: [{ kind: 'oneOf', values: ['SELF', 'DELEGATED_ADMIN'] }],
    },
    {
      name: 'stack_set_region',
      type: 'string',
      description:
        "Region of the stack instances (IAM is global, one region is enough); null for the provider's region.",
      default: null,
      checks: [PATTERNS.region],
    },
    {
      name: 'create_management_spoke',
      type: 'bool',
      description: 'Also create the spoke role in this account; StackSets never deploy to the management account.',
      default: false,
    },
    {
      name: 'max_session_duration',
      type: 'number',
      description: 'Maximum session duration of the roles in seconds.',
      default: 3600,
    },
    { name: 'tags', type: 'map(string)', description: 'Tags for the roles and the StackSet.', default: {} },
  ],
  examples: [
    {
      name: 'organization-wide-spokes',
      description: 'Spokes in every account of two OUs, trusted from an operations role, with an external id.',
      inputs: {
        organization_id: 'o-exampleorg1',
        hub_trusted_principal_arns: ['arn:aws:iam::123456789012:role/Operations'],
        target_ou_ids: ['ou-ab12-11111111', 'ou-ab12-22222222'],
        external_id: 'example-external-id',
        create_management_spoke: true,
      },
    },
    {
      name: 'from-delegated-administrator',
      description:
        'Applied in the StackSets delegated administrator account (call_as = "DELEGATED_ADMIN"): the hub role lives there, the spokes in every account of the OU.',
      instances: [
        {
          label: 'hub_spoke',
          provider: {
            alias: 'delegated_admin',
            comment:
              'The account registered as delegated administrator for member.org.stacksets.cloudformation.amazonaws.com (often also the IAM one).',
          },
          inputs: {
            organization_id: 'o-exampleorg1',
            hub_trusted_principal_arns: ['arn:aws:iam::222222222222:role/Operations'],
            target_ou_ids: ['ou-ab12-11111111'],
            external_id: 'example-external-id',
            call_as: 'DELEGATED_ADMIN',
          },
        },
      ],
    },
  ],
  notes: `## Sandbox coverage (what the local moto sandbox carries)

The end-to-end test applies this module against the sandbox (moto 5.2.1 with the project's extension), checks
that a second plan shows no changes, and destroys it. The extension keeps the StackSet's \`AutoDeployment\`,
\`Capabilities\`, \`PermissionModel\` and \`CallAs\` as the provider reads them, and honours
\`DeploymentTargets.OrganizationalUnitIds\` (nested OUs included, the management account never targeted) on
creating, listing and deleting stack instances. Each stack instance really deploys the rendered template into its
member account, so the test assumes the hub role, then the spoke role in every account of the target OU (with the
external id; without it the spoke refuses), and sees the spokes gone after destroy.

Still not carried: moto does not load AWS-managed policies (the test attaches none); auto deployment is stored
but not acted on (an account moved into a target OU later gets no spoke); \`CAPABILITY_NAMED_IAM\` is stored,
not required; operation preferences are ignored.
`,
};

export class HubSpokeRoles extends ModuleConstruct {
  constructor(scope: Construct, id: string, props?: HubSpokeRolesProps) {
    super(scope, id, INFO, props ?? {});
    const create = this.v('create');
    const partition = `${this.address(this.declare(DataAwsPartition, 'partition', 'current', {}))}.partition`;
    const account = `${this.address(this.declare(DataAwsCallerIdentity, 'caller', 'current', {}))}.account_id`;
    const region = this.address(this.declare(DataAwsRegion, 'region', 'current', {}));
    const org = this.v('organization_id');
    const hubArn = this.local(
      'hub_role_arn',
      `arn:\${${partition}}:iam::\${${account}}:role/\${${this.v('hub_role_name')}}`,
    );
    const spokeTrust = this.local('spoke_trust_policy', {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'HubRoleOnly',
          Effect: 'Allow',
          Principal: { AWS: raw(hubArn) },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: raw(
              `merge({ "aws:PrincipalOrgID" = ${org} }, { for k, v in { "sts:ExternalId" = ${this.v('external_id')} } : k => v if ${this.v('external_id')} != null })`,
            ),
          },
        },
      ],
    });
    const template = this.local(
      'spoke_template',
      raw(
        `jsonencode(${render({
          AWSTemplateFormatVersion: '2010-09-09',
          Description: 'Spoke role trusted only by the hub role (hub-spoke-roles module).',
          Resources: {
            SpokeRole: {
              Type: 'AWS::IAM::Role',
              Properties: {
                RoleName: raw(this.v('spoke_role_name')),
                MaxSessionDuration: raw(this.v('max_session_duration')),
                ManagedPolicyArns: raw(this.v('spoke_managed_policy_arns')),
                AssumeRolePolicyDocument: raw(spokeTrust),
              },
            },
          },
          Outputs: { SpokeRoleArn: { Value: { 'Fn::GetAtt': ['SpokeRole', 'Arn'] } } },
        })})`,
      ),
    );

    const hub = this.declare(IamRole, 'hub_role', 'hub', {
      count: this.countIf(create),
      name: this.str('hub_role_name'),
      description: 'Hub role: may assume only the spoke role, inside the organization.',
      assumeRolePolicy: expr.json({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TrustedPrincipalsInOrganization',
            Effect: 'Allow',
            Principal: { AWS: raw(this.v('hub_trusted_principal_arns')) },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': raw(org) } },
          },
        ],
      }),
      maxSessionDuration: this.num('max_session_duration'),
      tags: this.map('tags'),
    });
    const hubAddress = this.address(hub);
    this.declare(IamRolePolicy, 'hub_role_policy', 'hub', {
      count: this.countIf(create),
      name: 'assume-spoke-role',
      role: expr.string(`${hubAddress}[0].id`),
      policy: expr.json({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AssumeSpokeRoleInOrganization',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: `arn:\${${partition}}:iam::*:role/\${${this.v('spoke_role_name')}}`,
            Condition: { StringEquals: { 'aws:ResourceOrgID': raw(org) } },
          },
        ],
      }),
    });

    const stackSet = this.declare(CloudformationStackSet, 'stack_set', 'this', {
      count: this.countIf(create),
      name: this.str('stack_set_name'),
      description: 'Spoke role for the hub-spoke-roles module, in every account of the target OUs.',
      permissionModel: 'SERVICE_MANAGED',
      callAs: this.str('call_as'),
      capabilities: ['CAPABILITY_NAMED_IAM'],
      templateBody: expr.string(template),
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      tags: this.map('tags'),
      dependsOn: [hub],
      // AWS fills administration_role_arn for SERVICE_MANAGED sets; without this every plan shows a diff.
      lifecycle: { ignoreChanges: ['administration_role_arn'] },
    });
    this.declare(CloudformationStackSetInstance, 'stack_set_instance', 'this', {
      count: this.countIf(create),
      stackSetName: expr.string(`${this.address(stackSet)}[0].name`),
      callAs: this.str('call_as'),
      region: expr.string(`coalesce(${this.v('stack_set_region')}, ${region}.name)`),
      deploymentTargets: { organizationalUnitIds: this.list('target_ou_ids') },
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: 'PARALLEL',
      },
    });

    const createManagementSpoke = `${create} && ${this.v('create_management_spoke')}`;
    const managementSpoke = this.declare(IamRole, 'management_spoke', 'management_spoke', {
      count: this.countIf(createManagementSpoke),
      name: this.str('spoke_role_name'),
      description: 'Spoke role of the management account, which StackSets never reach.',
      assumeRolePolicy: expr.string(`jsonencode(${spokeTrust})`),
      maxSessionDuration: this.num('max_session_duration'),
      tags: this.map('tags'),
      dependsOn: [hub],
    });
    const mgmt = this.address(managementSpoke);
    this.declare(
      IamRolePolicyAttachment,
      'management_spoke_policy',
      'management_spoke',
      { role: expr.string(`${mgmt}[0].name`), policyArn: expr.string('each.value') },
      `${createManagementSpoke} ? toset(${this.v('spoke_managed_policy_arns')}) : toset([])`,
    );
    const stackSetAddress = this.address(stackSet);

    this.output({
      name: 'hub_role_arn',
      description: 'ARN of the hub role, or null.',
      value: `try(${hubAddress}[0].arn, null)`,
    });
    this.output({
      name: 'spoke_role_name',
      description: 'Name of the spoke role in every target account.',
      value: this.v('spoke_role_name'),
    });
    this.output({
      name: 'stack_set_id',
      description: 'Id of the StackSet, or null.',
      value: `try(${stackSetAddress}[0].id, null)`,
    });
    this.output({
      name: 'management_spoke_role_arn',
      description: 'ARN of the management-account spoke role, or null.',
      value: `try(${mgmt}[0].arn, null)`,
    });
    this.output({
      name: 'spoke_template',
      description: 'The rendered spoke CloudFormation template (JSON); sensitive because it holds the external id.',
      value: template,
      sensitive: true,
    });
  }
}
