/**
 * Policy proofs for the generated SCPs, with the IAM simulator and the real task-policy documents: every statement,
 * exemption and task is decided here, case by case. The sandbox evaluates SCPs too, and
 * __tests__/modules/sandbox-e2e.test.ts shows the applied guardrail at work on real requests; the simulator
 * covers the combinations a sandbox run would take too long to walk.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { renderGuardrailPolicies, SIDS } from '../../modules/scp-guardrails/catalog';
import { TASKS, type TaskPolicyName } from '../../runbooks/engine/tasks';

const MEMBER = '111111111111';
const ROOT = `arn:aws:iam::${MEMBER}:root`;
const EXEMPT_ROLE = `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`;
const FULL_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const taskPolicy = (name: TaskPolicyName) =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'emulator', 'task-policies', `${name}.json`), 'utf8')) as object;

/** The actions each runbook performs in the member account, and on what. */
const RUNBOOK_ACTIONS: Record<TaskPolicyName, { action: string; resource: string }[]> = {
  S3UnlockBucketPolicy: ['s3:GetBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketPolicy'].map((action) => ({
    action,
    resource: 'arn:aws:s3:::locked-bucket',
  })),
  SQSUnlockQueuePolicy: ['sqs:GetQueueAttributes', 'sqs:SetQueueAttributes', 'sqs:GetQueueUrl'].map((action) => ({
    action,
    resource: `arn:aws:sqs:us-east-1:${MEMBER}:locked-queue`,
  })),
  IAMAuditRootUserCredentials: [
    'iam:ListAccessKeys',
    'iam:ListSigningCertificates',
    'iam:GetLoginProfile',
    'iam:ListMFADevices',
    'iam:GetUser',
    'iam:GetAccessKeyLastUsed',
  ]
    .map((action) => ({ action, resource: ROOT }))
    .concat([{ action: 'iam:GetAccountSummary', resource: '*' }]),
  IAMCreateRootUserPassword: [{ action: 'iam:CreateLoginProfile', resource: ROOT }],
  IAMDeleteRootUserCredentials: [
    'iam:ListAccessKeys',
    'iam:DeleteAccessKey',
    'iam:ListSigningCertificates',
    'iam:DeleteSigningCertificate',
    'iam:GetLoginProfile',
    'iam:DeleteLoginProfile',
    'iam:ListMFADevices',
    'iam:DeactivateMFADevice',
  ].map((action) => ({ action, resource: ROOT })),
};

async function simulate(options: {
  principal: string;
  action: string;
  resource: string;
  scps: string[];
  identity?: object[];
  context?: Record<string, string>;
}): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: options.principal,
      action: options.action,
      resource: { resource: options.resource, accountId: MEMBER },
      // What AWS puts in every request context; a test overrides the region to leave the allowed ones.
      contextVariables: {
        'aws:PrincipalArn': options.principal,
        'aws:RequestedRegion': 'us-east-1',
        'aws:ResourceAccount': MEMBER,
        ...options.context,
      },
    },
    // The root principal holds every permission implicitly; a task policy (deny-only) narrows it like a session.
    identityPolicies: [FULL_ACCESS, ...(options.identity ?? [])].map((policy, i) => ({
      name: `identity-${i}`,
      policy,
    })),
    serviceControlPolicies: [
      {
        orgIdentifier: 'r-ab12',
        policies: [
          { name: 'FullAWSAccess', policy: FULL_ACCESS },
          ...options.scps.map((p, i) => ({ name: `guardrails-${i + 1}`, policy: JSON.parse(p) as object })),
        ],
      },
    ],
    resourceControlPolicies: [],
  };
  // iam-data models no resource type for the root user (arn:…:root), which the validating engine rejects;
  // those requests go through the same evaluation without the resource-type check.
  if (options.resource.endsWith(':root')) return runUnsafeSimulation(simulation, {});
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const everything = renderGuardrailPolicies({
  statements: SIDS,
  allowedRegions: ['us-east-1'],
  excludePrincipalArns: [EXEMPT_ROLE],
});

describe('scp-guardrails policy proofs', () => {
  test('the full selection packs into one SCP within 5,120 characters', () => {
    expect(everything).toHaveLength(1);
    expect(everything[0].length).toBeLessThanOrEqual(5120);
  });

  test.each(['s3:GetBucketPolicy', 'iam:CreateLoginProfile', 'sqs:SetQueueAttributes', 'ec2:RunInstances'])(
    'the plain root principal is denied %s',
    async (action) => {
      expect(await simulate({ principal: ROOT, action, resource: '*', scps: everything })).toBe('ExplicitlyDenied');
    },
  );

  const cases = (Object.entries(RUNBOOK_ACTIONS) as [TaskPolicyName, { action: string; resource: string }[]][]).flatMap(
    ([task, actions]) => actions.map(({ action, resource }) => [task, action, resource] as const),
  );
  test.each(cases)('an AssumeRoot session under %s may %s', async (task, action, resource) => {
    expect(Object.values(TASKS)).toContain(task);
    const context = { 'aws:AssumedRoot': 'true', 'aws:PrincipalAccount': MEMBER };
    expect(
      await simulate({ principal: ROOT, action, resource, scps: everything, identity: [taskPolicy(task)], context }),
    ).toBe('Allowed');
    // The same call without the guardrails' AssumeRoot exemption would be denied: the proof can fail.
    expect(await simulate({ principal: ROOT, action, resource, scps: everything })).toBe('ExplicitlyDenied');
  });

  test('an AssumeRoot session stays inside its task policy', async () => {
    const context = { 'aws:AssumedRoot': 'true' };
    const identity = [taskPolicy('S3UnlockBucketPolicy')];
    expect(
      await simulate({
        principal: ROOT,
        action: 'iam:CreateLoginProfile',
        resource: ROOT,
        scps: everything,
        identity,
        context,
      }),
    ).toBe('ExplicitlyDenied');
  });

  test.each(['iam:CreateUser', 'iam:CreateAccessKey', 'organizations:LeaveOrganization'])(
    'an exempted principal passes %s, others are denied',
    async (action) => {
      const resource = action.startsWith('iam:') ? `arn:aws:iam::${MEMBER}:user/someone` : '*';
      expect(await simulate({ principal: EXEMPT_ROLE, action, resource, scps: everything })).toBe('Allowed');
      const other = `arn:aws:iam::${MEMBER}:role/Developer`;
      expect(await simulate({ principal: other, action, resource, scps: everything })).toBe('ExplicitlyDenied');
    },
  );

  test('the region guardrail denies other regions but not global services', async () => {
    const dev = `arn:aws:iam::${MEMBER}:role/Developer`;
    const bucket = 'arn:aws:s3:::some-bucket';
    const inRegion = { 'aws:RequestedRegion': 'us-east-1' };
    const outRegion = { 'aws:RequestedRegion': 'eu-west-1' };
    expect(
      await simulate({
        principal: dev,
        action: 's3:GetObject',
        resource: `${bucket}/k`,
        scps: everything,
        context: inRegion,
      }),
    ).toBe('Allowed');
    expect(
      await simulate({
        principal: dev,
        action: 's3:GetObject',
        resource: `${bucket}/k`,
        scps: everything,
        context: outRegion,
      }),
    ).toBe('ExplicitlyDenied');
    expect(
      await simulate({ principal: dev, action: 'iam:ListRoles', resource: '*', scps: everything, context: outRegion }),
    ).toBe('Allowed');
  });
});
