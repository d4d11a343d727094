/**
 * centralize-root-access: IAM trusted access plus the organization features RootCredentialsManagement and
 * RootSessions. Two modes, because aws_organizations_organization owns the *whole* list of service principals:
 * managing it in a brownfield organization would disable every principal it does not list.
 */
import {
  Construct,
  DataAwsOrganizationsOrganization,
  IamOrganizationsFeatures,
  OrganizationsDelegatedAdministrator,
  OrganizationsOrganization,
} from '../lib/aws';
import { expr, ModuleConstruct, ModuleInfo, PATTERNS, precondition } from '../lib/module';

export const FEATURES = ['RootCredentialsManagement', 'RootSessions'] as const;
export type Feature = (typeof FEATURES)[number];

export interface CentralizeRootAccessProps {
  /** Create anything at all. @default true */
  readonly create?: boolean;
  /** Own aws_organizations_organization (greenfield/import) instead of only reading it (brownfield). @default false */
  readonly manageOrganization?: boolean;
  /** Service principals kept enabled besides iam.amazonaws.com; only with manageOrganization. @default [] */
  readonly awsServiceAccessPrincipals?: string[];
  /** Policy types enabled on the root; only with manageOrganization. @default ['SERVICE_CONTROL_POLICY'] */
  readonly enabledPolicyTypes?: string[];
  /** Organization features to enable. @default both */
  readonly enabledFeatures?: Feature[];
  /** Account registered as IAM delegated administrator. @default none */
  readonly delegatedAdministratorAccountId?: string | null;
}

export const INFO: ModuleInfo = {
  name: 'centralize-root-access',
  purpose:
    'Enables centralized root access for an AWS Organization: trusted access for `iam.amazonaws.com` and the ' +
    'organization features `RootCredentialsManagement` and `RootSessions` (`aws_iam_organizations_features`), ' +
    'optionally with an IAM delegated administrator. With `manage_organization = true` it owns ' +
    '`aws_organizations_organization` and merges `iam.amazonaws.com` into your service principals; otherwise ' +
    '(brownfield) it only reads the organization and fails the plan when trusted access for IAM is missing or the ' +
    'organization is not in ALL features mode.',
  variables: [
    { name: 'create', type: 'bool', description: 'Whether to create any resource.', default: true },
    {
      name: 'manage_organization',
      type: 'bool',
      description:
        'Own aws_organizations_organization (it then owns the whole service principal list). False reads the organization instead (brownfield).',
      default: false,
    },
    {
      name: 'aws_service_access_principals',
      type: 'list(string)',
      description:
        'Service principals to keep enabled besides iam.amazonaws.com (manage_organization only: every principal not listed is disabled).',
      default: [],
    },
    {
      name: 'enabled_policy_types',
      type: 'list(string)',
      description: 'Policy types enabled on the organization root (manage_organization only).',
      default: ['SERVICE_CONTROL_POLICY'],
      checks: [
        {
          kind: 'oneOf',
          values: [
            'AISERVICES_OPT_OUT_POLICY',
            'BACKUP_POLICY',
            'RESOURCE_CONTROL_POLICY',
            'SERVICE_CONTROL_POLICY',
            'TAG_POLICY',
          ],
        },
      ],
    },
    {
      name: 'enabled_features',
      type: 'list(string)',
      description: 'Organization features to enable for centralized root access.',
      default: [...FEATURES],
      checks: [{ kind: 'nonEmpty' }, { kind: 'oneOf', values: FEATURES }],
    },
    {
      name: 'delegated_administrator_account_id',
      type: 'string',
      description: 'Member account to register as delegated administrator for iam.amazonaws.com; null for none.',
      default: null,
      checks: [PATTERNS.accountId],
    },
  ],
  examples: [
    {
      name: 'brownfield',
      description: 'An existing organization where trusted access for IAM is already enabled.',
      inputs: {},
    },
    {
      name: 'delegated-administrator',
      description:
        'Brownfield, with a member account registered as IAM delegated administrator: the runbooks, doctor and the root-operator role work from there; enable stays with the management account.',
      inputs: { delegated_administrator_account_id: '222222222222' },
    },
    {
      name: 'managed-organization',
      description: 'This configuration owns the organization; existing ones are imported first.',
      inputs: {
        manage_organization: true,
        aws_service_access_principals: ['sso.amazonaws.com'],
        enabled_features: ['RootCredentialsManagement', 'RootSessions'],
      },
    },
  ],
  notes: `## Importing an existing organization

With \`manage_organization = true\`, import the organization and the features before the first apply:

\`\`\`hcl
import {
  to = module.centralize_root_access.aws_organizations_organization.this[0]
  id = "o-exampleorgid"
}

import {
  to = module.centralize_root_access.aws_iam_organizations_features.this[0]
  id = "o-exampleorgid"
}
\`\`\`

Destroying \`aws_iam_organizations_features\` disables the features; enabling them removes root credentials only
from accounts created afterwards (use the delete-root-credentials runbook for existing ones).

## Working from the IAM delegated administrator

AWS recommends keeping day-to-day work out of the management account. The management account applies this
module once with \`delegated_administrator_account_id\` (the [\`delegated-administrator\`](examples/delegated-administrator)
example): trusted access, the features and the registration stay its own to change (\`runbook enable\` from any
other account is refused, as AWS answers CallerIsNotManagementAccountException). The registered account then holds
the operator role (root-operator's \`delegated-administrator\` example, applied with a provider for that account).
StackSet modules (\`hub-spoke-roles\`, \`root-activity-alerts\`) applied from an account registered as the StackSets
delegated administrator take \`call_as = "DELEGATED_ADMIN"\`. From the delegated administrator, \`runbook doctor\`
reports the caller as "the IAM delegated administrator" and checks its registration; every runbook and fleet
command (s3-unlock, sqs-unlock, root-password-reset, restore, audit, delete-root-credentials, exec, credentials)
works there as from the management account, and the audit trail records \`callerRole: "delegated-admin"\`.`,
};

export class CentralizeRootAccess extends ModuleConstruct {
  /** Address of the features resource, for references from other constructs in the same stack. */
  readonly featuresAddress: string;

  constructor(scope: Construct, id: string, props: CentralizeRootAccessProps = {}) {
    super(scope, id, INFO, props);
    const create = this.v('create');
    const manage = this.v('manage_organization');
    const adminAccount = this.v('delegated_administrator_account_id');

    const data = this.declare(DataAwsOrganizationsOrganization, 'organization_data', 'this', {
      count: this.countIf(`${create} && !${manage}`),
    });
    const organization = this.declare(OrganizationsOrganization, 'organization', 'this', {
      count: this.countIf(`${create} && ${manage}`),
      featureSet: 'ALL',
      awsServiceAccessPrincipals: expr.list(
        `sort(distinct(concat(${this.v('aws_service_access_principals')}, ["iam.amazonaws.com"])))`,
      ),
      enabledPolicyTypes: this.list('enabled_policy_types'),
    });
    const readOrganization = this.address(data);
    const features = this.declare(IamOrganizationsFeatures, 'features', 'this', {
      count: this.countIf(create),
      enabledFeatures: this.list('enabled_features'),
      dependsOn: [organization],
      lifecycle: {
        precondition: [
          precondition(
            `${manage} || try(contains(${readOrganization}[0].aws_service_access_principals, "iam.amazonaws.com"), false)`,
            'Trusted access for iam.amazonaws.com is not enabled in the organization. Enable it (aws organizations enable-aws-service-access --service-principal iam.amazonaws.com) or set manage_organization = true.',
          ),
          precondition(
            `${manage} || try(${readOrganization}[0].feature_set == "ALL", false)`,
            'The organization is not in ALL features mode; centralized root access needs all features enabled.',
          ),
        ],
      },
    });
    this.featuresAddress = this.address(features);
    const org = this.address(organization);
    const admin = this.declare(OrganizationsDelegatedAdministrator, 'delegated_administrator', 'iam', {
      count: this.countIf(`${create} && ${adminAccount} != null`),
      accountId: expr.string(adminAccount),
      servicePrincipal: 'iam.amazonaws.com',
      dependsOn: [features],
      lifecycle: {
        precondition: [
          // Organizations refuses it too, but only at apply, after the features changed: the plan says it first.
          precondition(
            `try(${readOrganization}[0].master_account_id, ${org}[0].master_account_id, null) != ${adminAccount}`,
            'delegated_administrator_account_id is the management account: register a member account (the management account already has every right the delegated administrator gets).',
          ),
        ],
      },
    });
    const adminAddress = this.address(admin);

    this.output({
      name: 'organization_id',
      description: 'Id of the organization (managed or read).',
      value: `try(${org}[0].id, ${readOrganization}[0].id, null)`,
    });
    this.output({
      name: 'enabled_features',
      description: 'Organization features enabled for centralized root access.',
      value: `try(${this.featuresAddress}[0].enabled_features, [])`,
    });
    this.output({
      name: 'delegated_administrator_account_id',
      description: 'Account registered as IAM delegated administrator, or null.',
      value: `try(${adminAddress}[0].account_id, null)`,
    });
  }
}
