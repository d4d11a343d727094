/**
 * root-activity-alerts: root activity across the organization, told apart in three kinds (kinds.ts), each to its
 * own SNS topic and optional extra targets. Forwarding rules reach every member account through one
 * service-managed StackSet (and the management account, which StackSets never reach, through plain rules); they
 * send to a central event bus whose policy admits the organization. Two parts, each with its switch, because they
 * belong to different accounts: the central part (bus, rules, topics) with a provider for the security account,
 * the forwarding part (StackSet, management rules) with one for the management or delegated administrator account.
 */
import {
  CloudformationStackSet,
  CloudformationStackSetInstance,
  CloudwatchEventBus,
  CloudwatchEventBusPolicy,
  CloudwatchEventRule,
  CloudwatchEventTarget,
  Construct,
  DataAwsCallerIdentity,
  DataAwsRegion,
  IamRole,
  IamRolePolicy,
  SnsTopic,
  SnsTopicPolicy,
} from '../lib/aws';
import { HclValue, raw, render } from '../lib/hcl';
import { expr, ModuleConstruct, ModuleInfo, PATTERNS, precondition } from '../lib/module';
import { inputTemplate, KINDS, type Pattern } from './kinds';

export { KINDS } from './kinds';

export interface RootActivityAlertsProps {
  /** Create anything at all. @default true */
  readonly create?: boolean;
  /** Name of the bus and the StackSet, and prefix of the rules, topics and roles. @default "root-activity-alerts" */
  readonly name?: string;
  /** Create the central part (event bus, its rules, the SNS topics) in this account. @default true */
  readonly createCentral?: boolean;
  /** Create the StackSet that puts forwarding rules into every account of the target OUs. @default true */
  readonly createStackSet?: boolean;
  /** Create forwarding rules in this account (the management account, which StackSets never reach). @default true */
  readonly createManagementRules?: boolean;
  /** The organization id admitted by the bus policy (aws:PrincipalOrgID); needed with createCentral. @default null */
  readonly organizationId?: string | null;
  /** The central bus when it is created elsewhere (createCentral false). @default the bus created here */
  readonly centralEventBusArn?: string | null;
  /** OUs (or the root) whose accounts get the forwarding rules, including accounts that join later. @default [] */
  readonly targetOuIds?: string[];
  /** SELF from the management account, DELEGATED_ADMIN from a CloudFormation delegated administrator. @default "SELF" */
  readonly callAs?: 'SELF' | 'DELEGATED_ADMIN';
  /** Regions of the forwarding rules in the member accounts. @default the provider's region */
  readonly stackSetRegions?: string[];
  /** Extra targets of kind (a), root credentials used; they receive the whole event. @default [] */
  readonly rootCredentialsTargetArns?: string[];
  /** Extra targets of kind (b), AssumeRoot sessions in member accounts. @default [] */
  readonly assumeRootSessionTargetArns?: string[];
  /** Extra targets of kind (c), AssumeRoot calls. @default [] */
  readonly assumeRootCallTargetArns?: string[];
  /** KMS key of the SNS topics (its key policy must let events.amazonaws.com use it). @default none */
  readonly kmsMasterKeyId?: string | null;
  /** Tags. @default {} */
  readonly tags?: Record<string, string>;
}

const kindList = KINDS.map((k) => `\`${k.key}\` (${k.severity})`).join(', ');

export const INFO: ModuleInfo = {
  name: 'root-activity-alerts',
  purpose:
    'Alerts on root activity across the organization and tells three kinds apart, each to its own SNS topic ' +
    `and optional extra targets: ${kindList}. (a) is the root user's own credentials (console sign-in, long-term ` +
    'keys: `userIdentity.type = "Root"` without `assumedRoot`); (b) is an AssumeRoot session acting in a member ' +
    'account (`assumedRoot = "true"`), with the action it took and its access key id; (c) is the `sts:AssumeRoot` ' +
    'call itself, with the caller, the target account, the task policy and the issued access key id, which joins ' +
    'it to (b). Forwarding rules reach every account of the target OUs, including accounts that join later, ' +
    'through one service-managed CloudFormation StackSet (`SERVICE_MANAGED`, `auto_deployment`, ' +
    '`CAPABILITY_IAM`, optional `call_as`), and the management account through plain rules; they forward to a ' +
    'central event bus whose policy admits the organization (`aws:PrincipalOrgID`), with a role, as AWS ' +
    'recommends for bus targets. The central part lives in the account of the provider: apply it with a provider ' +
    'for the security account (`create_stack_set = false`, `create_management_rules = false`), and the forwarding ' +
    'part with one for the management or delegated administrator account (`create_central = false`, ' +
    '`central_event_bus_arn`). No per-account provider blocks; the resource count is constant.',
  variables: [
    { name: 'create', type: 'bool', description: 'Whether to create any resource.', default: true },
    {
      name: 'name',
      type: 'string',
      description: 'Name of the event bus and the StackSet, and prefix of the rules, topics and roles.',
      default: 'root-activity-alerts',
      checks: [
        {
          kind: 'pattern',
          pattern: '^[A-Za-z][A-Za-z0-9-]{0,42}$',
          what: 'name (a letter, then letters, digits, hyphens; at most 43)',
        },
      ],
    },
    {
      name: 'create_central',
      type: 'bool',
      description: 'Create the central event bus, its rules and the SNS topics in this account.',
      default: true,
    },
    {
      name: 'create_stack_set',
      type: 'bool',
      description: 'Create the StackSet that puts the forwarding rules into every account of target_ou_ids.',
      default: true,
    },
    {
      name: 'create_management_rules',
      type: 'bool',
      description: 'Create forwarding rules in this account: the management account, which StackSets never reach.',
      default: true,
    },
    {
      name: 'organization_id',
      type: 'string',
      description: 'Organization admitted by the bus policy (aws:PrincipalOrgID); required with create_central.',
      default: null,
      checks: [PATTERNS.organizationId],
    },
    {
      name: 'central_event_bus_arn',
      type: 'string',
      description: 'The central bus to forward to when it is created elsewhere; null for the one created here.',
      default: null,
      checks: [PATTERNS.eventBusArn],
    },
    {
      name: 'target_ou_ids',
      type: 'list(string)',
      description:
        'OUs (ou-…) or the root (r-…) whose accounts get the forwarding rules; required with create_stack_set.',
      default: [],
      checks: [PATTERNS.ouOrRoot],
    },
    {
      name: 'call_as',
      type: 'string',
      description: 'SELF from the management account, DELEGATED_ADMIN from a CloudFormation delegated administrator.',
      default: 'SELF',
      checks: [{ kind: 'oneOf', values: ['SELF', 'DELEGATED_ADMIN'] }],
    },
    {
      name: 'stack_set_regions',
      type: 'list(string)',
      description:
        "Regions of the member accounts' forwarding rules (include us-east-1, where sign-in and IAM events arrive); empty for the provider's region.",
      default: [],
      checks: [PATTERNS.region],
    },
    ...KINDS.map((k) => ({
      name: k.targetsVariable,
      type: 'list(string)',
      description: `Extra targets of ${k.key} (they receive the whole event; SNS, SQS and Lambda need their own resource policy for events.amazonaws.com).`,
      default: [],
      checks: [PATTERNS.regionalArn],
    })),
    {
      name: 'kms_master_key_id',
      type: 'string',
      description: 'KMS key of the SNS topics (its key policy must let events.amazonaws.com use it); null for none.',
      default: null,
    },
    {
      name: 'tags',
      type: 'map(string)',
      description: 'Tags for the bus, rules, topics, roles and the StackSet.',
      default: {},
    },
  ],
  examples: [
    {
      name: 'security-account-and-management',
      description:
        'The central bus and topics in the security account, the forwarding rules from the management account.',
      instances: [
        {
          label: 'central',
          provider: { alias: 'security', comment: 'The security (audit) account, where the bus and topics live.' },
          inputs: {
            organization_id: 'o-exampleorg1',
            create_stack_set: false,
            create_management_rules: false,
            root_credentials_target_arns: ['arn:aws:sqs:us-east-1:222222222222:siem-root-events'],
          },
        },
        {
          label: 'forwarding',
          inputs: {
            create_central: false,
            central_event_bus_arn: raw('module.central.event_bus_arn'),
            target_ou_ids: ['r-ab12'],
            stack_set_regions: ['us-east-1', 'eu-west-1'],
          },
        },
      ],
    },
    {
      name: 'single-account',
      description:
        'Everything in the management account (a lab, or when the management account is the security account).',
      inputs: { organization_id: 'o-exampleorg1', target_ou_ids: ['r-ab12'] },
    },
  ],
  notes: `## The three kinds

| kind | severity | event pattern (the same on every forwarding rule and on the central bus) |
|------|----------|--------------------------------------------------------------------------|
${KINDS.map((k) => `| \`${k.key}\` | ${k.severity} | \`${JSON.stringify(k.pattern).replace(/\|/g, '\\|')}\` |`).join('\n')}

The patterns are disjoint, so an event reaches one kind's targets and no other's. CloudTrail marks AssumeRoot
sessions with \`assumedRoot = "true"\`, documented under \`userIdentity\` and written by CloudTrail in
\`userIdentity.sessionContext\`: both are matched. As in the CIS benchmark's root-usage filter, root actions that
an AWS service takes on the root's behalf (\`invokedBy\`) are not alerted on. A member account's root event does not
name its task policy: the (b) message carries the action and the session's access key id, and the (c) message of
the AssumeRoot call that issued that key carries the task policy.

From a CloudFormation delegated administrator (\`call_as = "DELEGATED_ADMIN"\`), apply the forwarding part there with
\`create_management_rules = false\` (the StackSet already reaches that member account, and the same rule names would
clash) and a third instance in the management account with only \`create_management_rules\`.

Each SNS topic receives a JSON message from an input transformer (\`kind\`, \`severity\`, \`account\`, \`region\`,
\`time\`, the fields of the kind, \`eventId\`); a refused AssumeRoot call has its \`errorCode\` and no
\`sessionAccessKeyId\` (null in the sandbox). Extra targets receive the whole event. Subscribe to the topics
through \`topic_arns\`. The forwarding rules must exist in every region where root activity is to be seen: sign-in and IAM
events arrive in us-east-1, AssumeRoot calls in the region of the STS endpoint used.

## Sandbox coverage (what the local moto sandbox carries)

The end-to-end test applies both parts against the sandbox (moto 5.2.1 with the project's extension), the central
part with a provider for a member account (the security account), the forwarding part from the management account.
It puts CloudTrail records of each kind on the default buses of member accounts inside and outside the target OU
and of the management account, as CloudTrail does, and reads SQS queues subscribed to the three topics and an SQS
extra target: each kind reaches its own topic and no other, and nothing from an account outside the target OU
arrives. The extension delivers EventBridge targets as AWS authorizes them: SNS and SQS targets need their resource
policy to allow \`events.amazonaws.com\` (with \`aws:SourceArn\`), a bus in another account needs its policy to admit
the sender (\`aws:PrincipalOrgID\`), and a rule's role must exist, trust \`events.amazonaws.com\` and allow the call.
The StackSet instance deploys its template (the role and the three rules) into each member account of the OU.

Still not carried: moto does not enforce the SQS queue policies of SNS subscriptions, nor KMS key policies;
auto deployment is stored but not acted on (an account moved into a target OU later gets no rules); the forwarding
rules' identity policies are evaluated by a small reader (String/Arn operators only) rather than IAM's full logic.
`,
};

/** An event pattern or message field as HCL data (patterns hold no expressions). */
const data = (value: Pattern): HclValue => value as unknown as HclValue;

export class RootActivityAlerts extends ModuleConstruct {
  constructor(scope: Construct, id: string, props: RootActivityAlertsProps = {}) {
    super(scope, id, INFO, props);
    if (!this.moduleMode) {
      const createCentral = props.createCentral ?? true;
      if (createCentral && !props.organizationId) {
        throw new Error('RootActivityAlerts: createCentral needs organizationId (the bus admits the organization)');
      }
      const forwards = (props.createStackSet ?? true) || (props.createManagementRules ?? true);
      if (!createCentral && !props.centralEventBusArn && forwards) {
        throw new Error('RootActivityAlerts: without createCentral, centralEventBusArn names the bus to forward to');
      }
      if ((props.createStackSet ?? true) && !props.targetOuIds?.length) {
        throw new Error('RootActivityAlerts: createStackSet needs targetOuIds');
      }
    }
    const create = this.v('create');
    const name = this.v('name');
    const account = `${this.address(this.declare(DataAwsCallerIdentity, 'caller', 'current', {}))}.account_id`;
    const region = this.address(this.declare(DataAwsRegion, 'region', 'current', {}));
    const createCentral = `${create} && ${this.v('create_central')}`;
    const createStackSet = `${create} && ${this.v('create_stack_set')}`;
    const createManagement = `${create} && ${this.v('create_management_rules')}`;

    const kinds = this.local(
      'kinds',
      Object.fromEntries(
        KINDS.map((k) => [
          k.key,
          {
            slug: k.slug,
            severity: k.severity,
            description: k.description,
            pattern: data(k.pattern),
            input_paths: { ...k.paths },
            input_template: inputTemplate(k),
          },
        ]),
      ),
    );
    const forEachKind = (condition: string) => `${condition} ? { for k, v in ${kinds} : k => v.slug } : {}`;

    const bus = this.declare(CloudwatchEventBus, 'event_bus', 'this', {
      count: this.countIf(createCentral),
      name: this.str('name'),
      tags: this.map('tags'),
    });
    const busAddress = this.address(bus);
    const centralBusArn = this.local(
      'central_event_bus_arn',
      raw(`${this.v('create_central')} ? try(${busAddress}[0].arn, null) : ${this.v('central_event_bus_arn')}`),
    );
    const extraTargets = this.local(
      'extra_targets',
      raw(
        `merge([for kind, arns in ${render(Object.fromEntries(KINDS.map((k) => [k.key, raw(this.v(k.targetsVariable))])))} : { for arn in arns : "\${kind} \${arn}" => { kind = kind, arn = arn } }]...)`,
      ),
    );
    const forwarderPolicy = (busArn: HclValue) => ({
      Version: '2012-10-17',
      Statement: [{ Sid: 'PutEventsOnCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }],
    });
    const forwarderTrust = (accountId: HclValue) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EventBridgeOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
      ],
    });
    const template = this.local(
      'forwarder_template',
      raw(
        `jsonencode(${render({
          AWSTemplateFormatVersion: '2010-09-09',
          Description: 'Root activity forwarding rules (root-activity-alerts module): each kind to the central bus.',
          Resources: {
            ForwarderRole: {
              Type: 'AWS::IAM::Role',
              Properties: {
                AssumeRolePolicyDocument: forwarderTrust({ Ref: 'AWS::AccountId' }),
                Policies: [
                  { PolicyName: 'put-events-on-central-bus', PolicyDocument: forwarderPolicy(raw(centralBusArn)) },
                ],
              },
            },
            ...Object.fromEntries(
              KINDS.map((k) => [
                k.logicalId,
                {
                  Type: 'AWS::Events::Rule',
                  Properties: {
                    Name: `\${${name}}-${k.slug}`,
                    Description: k.description,
                    State: 'ENABLED',
                    EventPattern: raw(`${kinds}.${k.key}.pattern`),
                    Targets: [
                      {
                        Id: 'central-bus',
                        Arn: raw(centralBusArn),
                        RoleArn: { 'Fn::GetAtt': ['ForwarderRole', 'Arn'] },
                      },
                    ],
                  },
                },
              ]),
            ),
          },
        })})`,
      ),
    );

    // --- the central part: bus, its policy, one rule and one topic per kind --------------------------------
    this.declare(CloudwatchEventBusPolicy, 'event_bus_policy', 'this', {
      count: this.countIf(createCentral),
      eventBusName: expr.string(`${busAddress}[0].name`),
      policy: expr.json({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OrganizationPutEvents',
            Effect: 'Allow',
            Principal: '*',
            Action: 'events:PutEvents',
            Resource: raw(`${busAddress}[0].arn`),
            Condition: { StringEquals: { 'aws:PrincipalOrgID': raw(this.v('organization_id')) } },
          },
        ],
      }),
      lifecycle: {
        precondition: [
          precondition(
            `${this.v('organization_id')} != null`,
            'create_central needs organization_id: the bus admits PutEvents from the accounts of that organization.',
          ),
        ],
      },
    });
    const rule = this.declare(
      CloudwatchEventRule,
      'rule',
      'this',
      {
        name: expr.string(`"\${${name}}-\${each.value}"`),
        description: expr.string(`${kinds}[each.key].description`),
        eventBusName: expr.string(`${busAddress}[0].name`),
        eventPattern: expr.string(`jsonencode(${kinds}[each.key].pattern)`),
        tags: this.map('tags'),
      },
      forEachKind(createCentral),
    );
    const ruleAddress = this.address(rule);
    const topic = this.declare(
      SnsTopic,
      'topic',
      'this',
      {
        name: expr.string(`"\${${name}}-\${each.value}"`),
        kmsMasterKeyId: this.str('kms_master_key_id'),
        tags: expr.map(`merge(${this.v('tags')}, { Severity = ${kinds}[each.key].severity })`),
      },
      forEachKind(createCentral),
    );
    const topicAddress = this.address(topic);
    this.declare(
      SnsTopicPolicy,
      'topic_policy',
      'this',
      {
        arn: expr.string(`${topicAddress}[each.key].arn`),
        policy: expr.json({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'EventBridgeRuleOfThisKind',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: raw(`${topicAddress}[each.key].arn`),
              Condition: { ArnEquals: { 'aws:SourceArn': raw(`${ruleAddress}[each.key].arn`) } },
            },
          ],
        }),
      },
      forEachKind(createCentral),
    );
    this.declare(
      CloudwatchEventTarget,
      'topic_target',
      'topic',
      {
        rule: expr.string(`${ruleAddress}[each.key].name`),
        eventBusName: expr.string(`${busAddress}[0].name`),
        targetId: 'sns-topic',
        arn: expr.string(`${topicAddress}[each.key].arn`),
        inputTransformer: {
          inputPaths: expr.map(`${kinds}[each.key].input_paths`),
          inputTemplate: expr.string(`${kinds}[each.key].input_template`),
        },
      },
      forEachKind(createCentral),
    );
    this.declare(
      CloudwatchEventTarget,
      'extra_target',
      'extra',
      {
        rule: expr.string(`${ruleAddress}[each.value.kind].name`),
        eventBusName: expr.string(`${busAddress}[0].name`),
        // Stable per ARN (an index would move when a target is removed); ids are at most 64 characters.
        targetId: expr.string(`"extra-\${substr(sha1(each.value.arn), 0, 16)}"`),
        arn: expr.string('each.value.arn'),
      },
      `${createCentral} ? ${extraTargets} : {}`,
    );

    // --- the forwarding part: the management account's rules and the StackSet for every member account --------
    const forwarder = this.declare(IamRole, 'forwarder_role', 'forwarder', {
      count: this.countIf(createManagement),
      name: expr.string(`"\${${name}}-forwarder"`),
      description: 'Lets EventBridge forward root activity from this account to the central bus.',
      assumeRolePolicy: expr.json(forwarderTrust(raw(account))),
      tags: this.map('tags'),
      lifecycle: {
        precondition: [
          precondition(
            `${centralBusArn} != null`,
            'The forwarding rules need a central bus: set create_central = true or central_event_bus_arn.',
          ),
        ],
      },
    });
    const forwarderAddress = this.address(forwarder);
    this.declare(IamRolePolicy, 'forwarder_policy', 'forwarder', {
      count: this.countIf(createManagement),
      name: 'put-events-on-central-bus',
      role: expr.string(`${forwarderAddress}[0].id`),
      policy: expr.json(forwarderPolicy(raw(centralBusArn))),
    });
    const managementRule = this.declare(
      CloudwatchEventRule,
      'management_rule',
      'management',
      {
        name: expr.string(`"\${${name}}-\${each.value}"`),
        description: expr.string(`${kinds}[each.key].description`),
        eventPattern: expr.string(`jsonencode(${kinds}[each.key].pattern)`),
        tags: this.map('tags'),
      },
      forEachKind(createManagement),
    );
    const managementRuleAddress = this.address(managementRule);
    this.declare(
      CloudwatchEventTarget,
      'management_target',
      'management',
      {
        rule: expr.string(`${managementRuleAddress}[each.key].name`),
        targetId: 'central-bus',
        arn: expr.string(centralBusArn),
        roleArn: expr.string(`${forwarderAddress}[0].arn`),
      },
      forEachKind(createManagement),
    );

    const stackSet = this.declare(CloudformationStackSet, 'stack_set', 'this', {
      count: this.countIf(createStackSet),
      name: this.str('name'),
      description: 'Root activity forwarding rules (root-activity-alerts module), in every account of the target OUs.',
      permissionModel: 'SERVICE_MANAGED',
      callAs: this.str('call_as'),
      capabilities: ['CAPABILITY_IAM'],
      templateBody: expr.string(template),
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      tags: this.map('tags'),
      // AWS fills administration_role_arn for SERVICE_MANAGED sets; without this every plan shows a diff.
      lifecycle: {
        ignoreChanges: ['administration_role_arn'],
        precondition: [
          precondition(
            `${centralBusArn} != null`,
            'The forwarding rules need a central bus: set create_central = true or central_event_bus_arn.',
          ),
          precondition(
            `length(${this.v('target_ou_ids')}) > 0`,
            'create_stack_set needs target_ou_ids: the OUs (or the root) whose accounts get the forwarding rules.',
          ),
        ],
      },
    });
    const stackSetAddress = this.address(stackSet);
    this.declare(
      CloudformationStackSetInstance,
      'stack_set_instance',
      'this',
      {
        stackSetName: expr.string(`${stackSetAddress}[0].name`),
        callAs: this.str('call_as'),
        region: expr.string('each.value'),
        deploymentTargets: { organizationalUnitIds: this.list('target_ou_ids') },
        operationPreferences: {
          failureTolerancePercentage: 10,
          maxConcurrentPercentage: 25,
          regionConcurrencyType: 'PARALLEL',
        },
      },
      `${createStackSet} ? toset(length(${this.v('stack_set_regions')}) > 0 ? ${this.v('stack_set_regions')} : [${region}.name]) : toset([])`,
    );

    this.output({
      name: 'event_bus_arn',
      description: 'ARN of the central event bus, or null.',
      value: `try(${busAddress}[0].arn, null)`,
    });
    this.output({
      name: 'event_bus_name',
      description: 'Name of the central event bus, or null.',
      value: `try(${busAddress}[0].name, null)`,
    });
    this.output({
      name: 'topic_arns',
      description: 'SNS topic ARN of each kind (root_credentials, assume_root_sessions, assume_root_calls).',
      value: `try({ for k, t in ${topicAddress} : k => t.arn }, {})`,
    });
    this.output({
      name: 'rule_arns',
      description: 'ARN of the rule of each kind on the central bus.',
      value: `try({ for k, r in ${ruleAddress} : k => r.arn }, {})`,
    });
    this.output({
      name: 'management_rule_arns',
      description: 'ARN of the forwarding rule of each kind in this account.',
      value: `try({ for k, r in ${managementRuleAddress} : k => r.arn }, {})`,
    });
    this.output({
      name: 'forwarder_role_arn',
      description: 'ARN of the role the forwarding rules of this account use, or null.',
      value: `try(${forwarderAddress}[0].arn, null)`,
    });
    this.output({
      name: 'stack_set_name',
      description: 'Name of the StackSet that deploys the forwarding rules, or null.',
      value: `try(${stackSetAddress}[0].name, null)`,
    });
    this.output({
      name: 'event_patterns',
      description: 'The event pattern of each kind (JSON).',
      value: `{ for k, v in ${kinds} : k => jsonencode(v.pattern) }`,
    });
    this.output({
      name: 'forwarder_template',
      description: "The rendered CloudFormation template of the member accounts' forwarding rules (JSON).",
      value: template,
    });
  }
}
