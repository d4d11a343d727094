/**
 * root-operator: the role (or IAM Identity Center permission set) allowed to call sts:AssumeRoot, scoped by
 * sts:TaskPolicyArn to the tasks selected for it, plus the read calls the runbooks make before assuming root.
 */
import {
  Construct,
  DataAwsCallerIdentity,
  DataAwsPartition,
  IamRole,
  IamRolePolicy,
  SsoadminPermissionSet,
  SsoadminPermissionSetInlinePolicy,
} from '../lib/aws';
import { HclValue, raw, render } from '../lib/hcl';
import { expr, ModuleConstruct, ModuleInfo, PATTERNS, precondition } from '../lib/module';
import { TASK_POLICY_NAMES, type TaskPolicyName } from '../../aws/root-tasks';

/** The five AWS-managed root-task policies (aws/root-tasks.json, the list the runbooks and the sandbox read too). */
export const TASK_POLICIES = TASK_POLICY_NAMES;
export type TaskPolicy = TaskPolicyName;

/** Named selections of tasks; `custom` takes `tasks` as given. */
export const TASK_PROFILES: Record<'audit-only' | 'unlock-only' | 'full', readonly TaskPolicy[]> = {
  'audit-only': ['IAMAuditRootUserCredentials'],
  'unlock-only': ['S3UnlockBucketPolicy', 'SQSUnlockQueuePolicy'],
  full: TASK_POLICIES,
};
export type TaskProfile = keyof typeof TASK_PROFILES | 'custom';

/**
 * The read calls the runbooks make with the operator's own credentials: account selection, the caller's role for
 * the audit trail, and doctor's checks. AWS answers each of them for the management account and for a delegated
 * administrator alike, so the role works the same in either account.
 */
export const READ_ACTIONS = [
  'iam:ListOrganizationsFeatures',
  'organizations:DescribeAccount',
  'organizations:DescribeOrganization',
  'organizations:DescribePolicy',
  'organizations:ListAWSServiceAccessForOrganization',
  'organizations:ListAccounts',
  'organizations:ListAccountsForParent',
  'organizations:ListDelegatedAdministrators',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListParents',
  'organizations:ListPolicies',
  'organizations:ListRoots',
  'organizations:ListTargetsForPolicy',
];

/** The permissions document, written once against references (concrete values or HCL expressions). */
export function permissionsDocument(partition: string, taskPolicyArns: HclValue): { [key: string]: HclValue } {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AssumeRootForSelectedTasks',
        Effect: 'Allow',
        Action: 'sts:AssumeRoot',
        Resource: `arn:${partition}:iam::*:root`,
        Condition: { StringEquals: { 'sts:TaskPolicyArn': taskPolicyArns } },
      },
      { Sid: 'ReadOrganization', Effect: 'Allow', Action: READ_ACTIONS, Resource: '*' },
    ],
  };
}

/** Resolves a profile (and custom tasks) to task policy names. */
export function selectedTasks(profile: TaskProfile, tasks: readonly string[] = []): string[] {
  return profile === 'custom' ? [...tasks] : [...TASK_PROFILES[profile]];
}

/** The role's permissions policy as the module creates it, in TypeScript (policy proofs, early checks). */
export function renderOperatorPolicy(options: { profile: TaskProfile; tasks?: string[]; partition?: string }): string {
  const partition = options.partition ?? 'aws';
  const arns = selectedTasks(options.profile, options.tasks).map(
    (t) => `arn:${partition}:iam::aws:policy/root-task/${t}`,
  );
  return JSON.stringify(permissionsDocument(partition, arns));
}

export interface RootOperatorProps {
  /** Create anything at all. @default true */
  readonly create?: boolean;
  /** Name of the role and of the permission set. @default "RootOperator" */
  readonly name?: string;
  /** Create the IAM role. @default true */
  readonly createRole?: boolean;
  /** Principals trusted by ARN. @default [] */
  readonly trustedPrincipalArns?: string[];
  /** ARN patterns of this account's principals (e.g. Identity Center roles) trusted via aws:PrincipalArn. @default [] */
  readonly trustedPrincipalArnPatterns?: string[];
  /** Require MFA in the trust policy. @default false */
  readonly requireMfa?: boolean;
  /** Task selection: audit-only, unlock-only, full or custom. @default "full" */
  readonly taskProfile?: TaskProfile;
  /** Task policy names when taskProfile is custom. @default [] */
  readonly tasks?: TaskPolicy[];
  /** Maximum role session duration in seconds. @default 3600 */
  readonly maxSessionDuration?: number;
  /** Also create an IAM Identity Center permission set with the same permissions. @default false */
  readonly createPermissionSet?: boolean;
  /** ARN of the IAM Identity Center instance (required with createPermissionSet). @default null */
  readonly ssoInstanceArn?: string | null;
  /** Tags on the role and permission set. @default {} */
  readonly tags?: Record<string, string>;
}

export const INFO: ModuleInfo = {
  name: 'root-operator',
  purpose:
    'The role, in the management account or the IAM delegated administrator, that may call `sts:AssumeRoot` on ' +
    '`arn:${partition}:iam::*:root`, restricted by `sts:TaskPolicyArn` to its selected tasks (`audit-only`, ' +
    '`unlock-only`, `full` or a custom list), plus the read calls the runbooks need (Organizations list/describe, ' +
    '`iam:ListOrganizationsFeatures`). The trust policy names principals by ARN, or by ARN pattern (for IAM Identity ' +
    'Center roles) with an optional MFA condition. The same permissions can be created as an IAM Identity Center ' +
    'permission set.',
  variables: [
    { name: 'create', type: 'bool', description: 'Whether to create any resource.', default: true },
    {
      name: 'name',
      type: 'string',
      description: 'Name of the role and of the permission set.',
      default: 'RootOperator',
      checks: [PATTERNS.roleName],
    },
    { name: 'create_role', type: 'bool', description: 'Whether to create the IAM role.', default: true },
    {
      name: 'trusted_principal_arns',
      type: 'list(string)',
      description: 'Principals allowed to assume the role, by exact ARN.',
      default: [],
      checks: [PATTERNS.iamArn],
    },
    {
      name: 'trusted_principal_arn_patterns',
      type: 'list(string)',
      description:
        "ARN patterns (ArnLike aws:PrincipalArn) of this account's principals allowed to assume the role, e.g. arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_RootOperator_*.",
      default: [],
      checks: [PATTERNS.iamArn],
    },
    {
      name: 'require_mfa',
      type: 'bool',
      description: 'Require aws:MultiFactorAuthPresent in the trust policy.',
      default: false,
    },
    {
      name: 'task_profile',
      type: 'string',
      description: 'Tasks the role may start: audit-only, unlock-only, full, or custom (then `tasks`).',
      default: 'full',
      checks: [{ kind: 'oneOf', values: ['audit-only', 'unlock-only', 'full', 'custom'] }],
    },
    {
      name: 'tasks',
      type: 'list(string)',
      description: 'Root-task policy names when task_profile = "custom".',
      default: [],
      checks: [{ kind: 'oneOf', values: TASK_POLICIES }],
    },
    {
      name: 'max_session_duration',
      type: 'number',
      description: 'Maximum role session duration in seconds.',
      default: 3600,
    },
    {
      name: 'create_permission_set',
      type: 'bool',
      description: 'Also create an IAM Identity Center permission set with the same permissions.',
      default: false,
    },
    {
      name: 'sso_instance_arn',
      type: 'string',
      description: 'ARN of the IAM Identity Center instance (required when create_permission_set = true).',
      default: null,
      checks: [PATTERNS.ssoInstanceArn],
    },
    { name: 'tags', type: 'map(string)', description: 'Tags for the role and the permission set.', default: {} },
  ],
  examples: [
    {
      name: 'identity-center-operators',
      description: 'An unlock-only operator role for an Identity Center group, with MFA.',
      inputs: {
        name: 'RootUnlockOperator',
        trusted_principal_arn_patterns: [
          'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_RootOperator_*',
        ],
        require_mfa: true,
        task_profile: 'unlock-only',
      },
    },
    {
      name: 'delegated-administrator',
      description:
        'The operator role in the IAM delegated administrator account, so that day-to-day root tasks stay out of the management account.',
      instances: [
        {
          label: 'operator',
          provider: {
            alias: 'delegated_admin',
            comment:
              'The IAM delegated administrator account (registered by centralize-root-access, delegated_administrator_account_id).',
          },
          inputs: {
            trusted_principal_arn_patterns: [
              'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_RootOperator_*',
            ],
            require_mfa: true,
            task_profile: 'full',
          },
        },
      ],
    },
    {
      name: 'custom-tasks-and-permission-set',
      description: 'An audit and password-recovery role plus the same permissions as a permission set.',
      inputs: {
        trusted_principal_arns: ['arn:aws:iam::123456789012:role/BreakGlass'],
        task_profile: 'custom',
        tasks: ['IAMAuditRootUserCredentials', 'IAMCreateRootUserPassword'],
        create_permission_set: true,
        sso_instance_arn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
      },
    },
  ],
  notes: `## Sandbox coverage (what the local moto sandbox carries)

The end-to-end test applies this module against the sandbox, checks that a second plan shows no changes, and
destroys it. moto's IAM policy validator alone rejects the resource \`arn:aws:iam::*:root\` that \`sts:AssumeRoot\`
needs; the project's extension accepts exactly that form (\`arn:<partition>:iam::<account id or *>:root\`), as AWS
does. The sandbox evaluates identity policies and \`sts:TaskPolicyArn\` on every AssumeRoot, so the role is also proved
by real requests: applied with the unlock-only profile, it starts the S3 task and is refused the audit task
(\`__tests__/modules/sandbox-e2e.test.ts\`); the runbook tests run through the role's policy, in the management
account and applied into the IAM delegated administrator account (its read actions are what the runbooks and
\`runbook doctor\` call there). The IAM simulator (it can start exactly its selected tasks) and \`terraform test\`
prove every profile.`,
};

export class RootOperator extends ModuleConstruct {
  constructor(scope: Construct, id: string, props: RootOperatorProps = {}) {
    super(scope, id, INFO, props);
    if (!this.moduleMode) {
      if (props.taskProfile === 'custom' && !props.tasks?.length) {
        throw new Error(
          'RootOperator: taskProfile is "custom" but tasks is empty; allowed: ' + TASK_POLICIES.join(', '),
        );
      }
      if (
        (props.createRole ?? true) &&
        !props.trustedPrincipalArns?.length &&
        !props.trustedPrincipalArnPatterns?.length
      ) {
        throw new Error(
          'RootOperator: the role trusts nobody; give trustedPrincipalArns or trustedPrincipalArnPatterns',
        );
      }
      if (props.createPermissionSet && !props.ssoInstanceArn) {
        throw new Error('RootOperator: createPermissionSet needs ssoInstanceArn');
      }
    }
    const create = this.v('create');
    const partition = `${this.address(this.declare(DataAwsPartition, 'partition', 'current', {}))}.partition`;
    const account = `${this.address(this.declare(DataAwsCallerIdentity, 'caller', 'current', {}))}.account_id`;

    const tasks = this.local(
      'tasks',
      raw(
        // One lookup instead of a conditional: both branches of a conditional are evaluated.
        `merge(${render(TASK_PROFILES as unknown as HclValue)}, { custom = ${this.v('tasks')} })[${this.v('task_profile')}]`,
      ),
    );
    const taskArns = this.local(
      'task_policy_arns',
      raw(`[for t in ${tasks} : "arn:\${${partition}}:iam::aws:policy/root-task/\${t}"]`),
    );
    const mfa = this.local(
      'mfa_condition',
      raw(`{ for k, v in { Bool = { "aws:MultiFactorAuthPresent" = "true" } } : k => v if ${this.v('require_mfa')} }`),
    );
    const arns = this.v('trusted_principal_arns');
    const patterns = this.v('trusted_principal_arn_patterns');
    const byArn = render({
      Sid: 'TrustedPrincipals',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { AWS: raw(arns) },
      Condition: raw(mfa),
    });
    const byPattern = render({
      Sid: 'TrustedPrincipalPatterns',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { AWS: `arn:\${${partition}}:iam::\${${account}}:root` },
      Condition: raw(`merge({ ArnLike = { "aws:PrincipalArn" = ${patterns} } }, ${mfa})`),
    });
    const statementIf = (condition: string, statement: string) =>
      `${condition} ? [${statement.replace(/\n/g, '\n  ')}] : [],`;
    const concat = [
      'concat(',
      `  ${statementIf(`length(${arns}) > 0`, byArn)}`,
      `  ${statementIf(`length(${patterns}) > 0`, byPattern)}`,
      ')',
    ].join('\n');
    const trust = this.local(
      'trust_policy',
      raw(`jsonencode(${render({ Version: '2012-10-17', Statement: raw(concat) })})`),
    );
    const permissions = this.local(
      'permissions_policy',
      raw(`jsonencode(${render(permissionsDocument(`\${${partition}}`, raw(taskArns)))})`),
    );

    const createRole = `${create} && ${this.v('create_role')}`;
    const createPermissionSet = `${create} && ${this.v('create_permission_set')}`;
    const role = this.declare(IamRole, 'role', 'this', {
      count: this.countIf(createRole),
      name: this.str('name'),
      description: 'May call sts:AssumeRoot for its selected root tasks (centralized root access).',
      assumeRolePolicy: expr.string(trust),
      maxSessionDuration: this.num('max_session_duration'),
      tags: this.map('tags'),
      lifecycle: {
        precondition: [
          precondition(
            `length(${arns}) + length(${patterns}) > 0`,
            'The role trusts nobody: set trusted_principal_arns or trusted_principal_arn_patterns.',
          ),
          precondition(
            `length(${tasks}) > 0`,
            'No task selected: task_profile = "custom" needs a non-empty tasks list.',
          ),
        ],
      },
    });
    this.declare(IamRolePolicy, 'role_policy', 'this', {
      count: this.countIf(createRole),
      name: 'assume-root-for-selected-tasks',
      role: expr.string(`${this.address(role)}[0].id`),
      policy: expr.string(permissions),
    });
    const permissionSet = this.declare(SsoadminPermissionSet, 'permission_set', 'this', {
      count: this.countIf(createPermissionSet),
      name: this.str('name'),
      description: 'May call sts:AssumeRoot for its selected root tasks.',
      instanceArn: this.str('sso_instance_arn'),
      sessionDuration: 'PT1H',
      tags: this.map('tags'),
      lifecycle: {
        precondition: [
          precondition(`${this.v('sso_instance_arn')} != null`, 'create_permission_set = true needs sso_instance_arn.'),
        ],
      },
    });
    this.declare(SsoadminPermissionSetInlinePolicy, 'permission_set_policy', 'this', {
      count: this.countIf(createPermissionSet),
      instanceArn: this.str('sso_instance_arn'),
      permissionSetArn: expr.string(`${this.address(permissionSet)}[0].arn`),
      inlinePolicy: expr.string(permissions),
    });
    const roleAddress = this.address(role);
    const permissionSetAddress = this.address(permissionSet);

    this.output({
      name: 'role_arn',
      description: 'ARN of the operator role, or null.',
      value: `try(${roleAddress}[0].arn, null)`,
    });
    this.output({
      name: 'role_name',
      description: 'Name of the operator role, or null.',
      value: `try(${roleAddress}[0].name, null)`,
    });
    this.output({
      name: 'permission_set_arn',
      description: 'ARN of the permission set, or null.',
      value: `try(${permissionSetAddress}[0].arn, null)`,
    });
    this.output({
      name: 'task_policy_arns',
      description: 'Root-task policy ARNs the operator may start.',
      value: `${create} ? ${taskArns} : []`,
    });
    this.output({
      name: 'permissions_policy',
      description: 'The permissions policy document (JSON).',
      value: permissions,
    });
  }
}
