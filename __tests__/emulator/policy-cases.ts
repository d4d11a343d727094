/**
 * Generated request/policy/SCP cases for the differential test of the sandbox's policy evaluator against
 * @cloud-copilot/iam-simulate. A seeded PRNG makes every run the same set; each case is valid IAM (the
 * simulator's validating entry point checks it), drawn from what the project's modules, runbooks and task
 * policies use: Allow/Deny, Action/NotAction, Resource/NotResource, Principal/NotPrincipal, the String, Arn,
 * Null, Bool, Numeric, Date and IpAddress operators, IfExists, ForAnyValue/ForAllValues and policy variables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../../test-support/prng';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const ORG_ID = 'o-abcdefghij';
const OU_PATH = `${ORG_ID}/r-ab12/ou-ab12-11111111/`;
const TASKS = ['S3UnlockBucketPolicy', 'SQSUnlockQueuePolicy', 'IAMAuditRootUserCredentials'] as const;
const taskArn = (task: string) => `arn:aws:iam::aws:policy/root-task/${task}`;

type Json = Record<string, unknown>;

export interface PolicyCase {
  readonly principal: { arn: string; account: string; roleArn?: string };
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Record<string, string | string[]>;
  readonly identityPolicies: Json[];
  readonly taskPolicies: Json[];
  readonly sessionPolicy: Json | null;
  readonly permissionsBoundary: Json | null;
  /** Root first, the account last; null: the management account (no SCPs apply). */
  readonly scps: Json[][] | null;
  readonly resourcePolicy: Json | null;
}

interface Target {
  readonly action: string;
  readonly resource: (account: string) => string;
  /** The account that owns the resource: the principal's, or either for resources that may be shared. */
  readonly crossAccount: boolean;
  readonly resourcePolicy: boolean;
  readonly neighbours: string[];
  readonly wildcard: (account: string) => string;
}

const TARGETS: Target[] = [
  {
    action: 's3:GetObject',
    resource: () => `arn:aws:s3:::data-bucket/${ACCOUNT}/report.csv`,
    crossAccount: true,
    resourcePolicy: true,
    neighbours: ['s3:PutObject', 's3:Get*', 's3:*'],
    // A policy variable in the resource part (iam-simulate splits ARNs before resolving variables).
    wildcard: () => 'arn:aws:s3:::data-bucket/${aws:PrincipalAccount}/*',
  },
  {
    action: 's3:PutBucketPolicy',
    resource: () => 'arn:aws:s3:::data-bucket',
    crossAccount: true,
    resourcePolicy: true,
    neighbours: ['s3:GetBucketPolicy', 's3:*BucketPolicy', 's3:*'],
    wildcard: () => 'arn:aws:s3:::data-*',
  },
  {
    action: 's3:ListBucket',
    resource: () => 'arn:aws:s3:::data-bucket',
    crossAccount: true,
    resourcePolicy: true,
    neighbours: ['s3:List*', 's3:GetObject'],
    wildcard: () => 'arn:aws:s3:::*',
  },
  {
    action: 'sqs:GetQueueAttributes',
    resource: (a) => `arn:aws:sqs:us-east-1:${a}:orders`,
    crossAccount: true,
    resourcePolicy: true,
    neighbours: ['sqs:SetQueueAttributes', 'sqs:Get*', 'sqs:*'],
    wildcard: () => 'arn:aws:sqs:*:*:*',
  },
  {
    action: 'sqs:SendMessage',
    resource: (a) => `arn:aws:sqs:us-east-1:${a}:orders`,
    crossAccount: true,
    resourcePolicy: true,
    neighbours: ['sqs:ReceiveMessage', 'sqs:Send*'],
    wildcard: () => 'arn:aws:sqs:us-east-1:*:ord?rs',
  },
  {
    action: 'iam:GetUser',
    resource: () => `arn:aws:iam::${ACCOUNT}:user/ops/bob`,
    crossAccount: false,
    resourcePolicy: false,
    neighbours: ['iam:ListUsers', 'iam:Get*', 'iam:*'],
    wildcard: () => 'arn:aws:iam::*:user/ops/*',
  },
  {
    action: 'sts:AssumeRole',
    resource: (a) => `arn:aws:iam::${a}:role/Target`,
    crossAccount: true,
    resourcePolicy: true,
    neighbours: ['sts:AssumeRoot', 'sts:*'],
    wildcard: () => 'arn:aws:iam::*:role/*',
  },
  {
    action: 'sts:AssumeRoot',
    resource: () => `arn:aws:iam::${OTHER_ACCOUNT}:root`,
    crossAccount: false,
    resourcePolicy: false,
    neighbours: ['sts:AssumeRole', 'sts:*'],
    wildcard: () => 'arn:aws:iam::*:root',
  },
  {
    action: 'organizations:ListAccounts',
    resource: () => '*',
    crossAccount: false,
    resourcePolicy: false,
    neighbours: ['organizations:Describe*', 'organizations:*'],
    wildcard: () => '*',
  },
];

const FULL_ACCESS: Json = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function taskDocument(name: string): Json {
  return JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'emulator', 'task-policies', `${name}.json`), 'utf8'),
  ) as Json;
}

export function generateCases(count: number, seed: number): PolicyCase[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;

  const cases: PolicyCase[] = [];
  for (let n = 0; n < count; n++) {
    const target = pick(TARGETS);
    const kind = pick(['user', 'role', 'role', 'root', 'root-session'] as const);
    const principal =
      kind === 'user'
        ? { arn: `arn:aws:iam::${ACCOUNT}:user/ops/alice`, account: ACCOUNT }
        : kind === 'role'
          ? {
              arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/session-1`,
              account: ACCOUNT,
              roleArn: `arn:aws:iam::${ACCOUNT}:role/Deployer`,
            }
          : { arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT };
    const principalArn = principal.roleArn ?? principal.arn;
    const resourceAccount = target.crossAccount && chance(0.4) ? OTHER_ACCOUNT : ACCOUNT;
    const resource = target.resource(resourceAccount);

    const context: Record<string, string | string[]> = {
      'aws:PrincipalArn': principalArn,
      'aws:PrincipalAccount': ACCOUNT,
      'aws:ResourceAccount': resourceAccount,
      'aws:RequestedRegion': chance(0.8) ? 'us-east-1' : 'eu-west-1',
      'aws:SourceIp': '127.0.0.1',
      'aws:CurrentTime': '2026-06-01T12:00:00Z',
      'aws:SecureTransport': 'true',
    };
    if (chance(0.8)) {
      context['aws:PrincipalOrgID'] = ORG_ID;
      context['aws:PrincipalOrgPaths'] = [OU_PATH];
      context['aws:ResourceOrgID'] = ORG_ID;
    }
    if (kind === 'root-session') context['aws:AssumedRoot'] = 'true';
    if (kind === 'role') {
      const mfa = chance(0.3);
      context['aws:MultiFactorAuthPresent'] = mfa ? 'true' : 'false';
      if (mfa) context['aws:MultiFactorAuthAge'] = pick(['60', '7200']);
    }
    if (target.action === 'sts:AssumeRole' && chance(0.7)) context['sts:ExternalId'] = pick(['ext-1', 'ext-2']);
    if (target.action === 'sts:AssumeRoot') context['sts:TaskPolicyArn'] = taskArn(pick(TASKS));

    const actionElement = (): Json => {
      const choice = random();
      if (choice < 0.35) return { Action: target.action };
      if (choice < 0.55) return { Action: [pick(target.neighbours), pick(target.neighbours)] };
      if (choice < 0.65) return { Action: '*' };
      if (choice < 0.8) return { NotAction: pick(target.neighbours.filter((a) => a !== '*')) ?? 's3:PutObject' };
      if (choice < 0.9) return { NotAction: [target.action, 'iam:CreateUser'] };
      return { Action: 'ec2:RunInstances' };
    };
    const resourceElement = (): Json => {
      if (resource === '*') return { Resource: '*' };
      const choice = random();
      if (choice < 0.3) return { Resource: '*' };
      if (choice < 0.5) return { Resource: resource };
      if (choice < 0.7) return { Resource: target.wildcard(resourceAccount) };
      if (choice < 0.8) return { Resource: target.resource(resourceAccount === ACCOUNT ? OTHER_ACCOUNT : ACCOUNT) };
      if (choice < 0.9) return { NotResource: 'arn:aws:iam::*:root' };
      return { NotResource: [resource] };
    };
    const condition = (): Json => {
      const templates: (() => Json)[] = [
        () => ({ StringEquals: { 'aws:PrincipalOrgID': pick([ORG_ID, 'o-zzzzzzzzzz']) } }),
        () => ({ StringNotEquals: { 'aws:PrincipalOrgID': ORG_ID } }),
        () => ({
          StringLike: {
            'aws:PrincipalArn': pick(['arn:aws:iam::*:root', `arn:aws:iam::${ACCOUNT}:user/*`, '*Deployer*']),
          },
        }),
        () => ({ StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }),
        () => ({
          ArnLike: {
            'aws:PrincipalArn': pick([
              'arn:aws:iam::*:root',
              'arn:aws:iam::*:role/Deployer',
              `arn:aws:iam::${ACCOUNT}:*`,
            ]),
          },
        }),
        () => ({
          ArnNotLike: {
            'aws:PrincipalArn': pick(['arn:aws:iam::*:role/OrganizationAccountAccessRole', 'arn:aws:iam::*:root']),
          },
        }),
        () => ({ ArnEquals: { 'aws:PrincipalArn': principalArn } }),
        () => ({ ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/pipeline` } }),
        () => ({ Null: { 'aws:AssumedRoot': pick(['true', 'false']) } }),
        () => ({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' }, Null: { 'aws:AssumedRoot': 'true' } }),
        () => ({ Bool: { 'aws:MultiFactorAuthPresent': pick(['true', 'false']) } }),
        () => ({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }),
        () => ({ StringNotEqualsIfExists: { 'aws:ResourceAccount': ['${aws:PrincipalAccount}'] } }),
        () => ({ StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } }),
        () => ({ StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } }),
        () => ({ StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } }),
        () => ({ StringEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-EAST-1' } }),
        () => ({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG_ID}/r-ab12/ou-*`] } }),
        () => ({ 'ForAllValues:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG_ID}/*`] } }),
        () => ({ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': ['o-zzzzzzzzzz/r-ab12/'] } }),
        () => ({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }),
        () => ({ NumericGreaterThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } }),
        () => ({ IpAddress: { 'aws:SourceIp': pick(['127.0.0.0/8', '10.0.0.0/8']) } }),
        () => ({ DateGreaterThan: { 'aws:CurrentTime': pick(['2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z']) } }),
        () => ({ StringEquals: { 'sts:ExternalId': pick(['ext-1', 'ext-2']) } }),
        () => ({ StringEquals: { 'sts:TaskPolicyArn': [taskArn(pick(TASKS)), taskArn(pick(TASKS))] } }),
      ];
      const merged: Json = {};
      for (let i = 0, n = chance(0.6) ? 1 : chance(0.5) ? 2 : 0; i < n; i++) {
        for (const [op, block] of Object.entries(pick(templates)())) {
          merged[op] = { ...((merged[op] as Json | undefined) ?? {}), ...(block as Json) };
        }
      }
      return Object.keys(merged).length ? { Condition: merged } : {};
    };
    const statement = (allowShare: number): Json => ({
      Effect: chance(allowShare) ? 'Allow' : 'Deny',
      ...actionElement(),
      ...resourceElement(),
      ...condition(),
    });
    const policy = (statements: number, allowShare: number): Json => ({
      Version: '2012-10-17',
      Statement: Array.from({ length: statements }, () => statement(allowShare)),
    });
    const principalElement = (effect: string): Json => {
      const choice = random();
      if (effect === 'Deny' && choice < 0.12) return { NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/pipeline` } };
      if (choice < 0.25) return { Principal: '*' };
      if (choice < 0.4) return { Principal: { AWS: principal.arn } };
      if (choice < 0.55) return { Principal: { AWS: principalArn } };
      if (choice < 0.7) return { Principal: { AWS: pick([ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`]) } };
      if (choice < 0.8) return { Principal: { AWS: OTHER_ACCOUNT } };
      if (choice < 0.9) return { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/ops/mallory` } };
      return { Principal: { Service: 's3.amazonaws.com' } };
    };
    const resourcePolicyStatement = (): Json => {
      const effect = chance(0.6) ? 'Allow' : 'Deny';
      const body = statement(1);
      if (target.action.startsWith('sts:')) delete body.Resource; // a trust policy names no resource
      delete body.NotResource;
      if (target.action.startsWith('sts:')) {
        return { ...body, Effect: effect, ...principalElement(effect) };
      }
      return { Resource: resource, ...body, Effect: effect, ...principalElement(effect) };
    };

    const root = kind === 'root' || kind === 'root-session';
    const identityPolicies = root
      ? [FULL_ACCESS]
      : Array.from({ length: pick([0, 1, 1, 2, 3]) }, () => policy(pick([1, 2, 3]), 0.7));
    const taskPolicies = kind === 'root-session' ? [taskDocument(pick(TASKS))] : [];
    const sessionPolicy = kind === 'role' && chance(0.15) ? policy(pick([1, 2]), 0.85) : null;
    const permissionsBoundary = !root && chance(0.15) ? policy(pick([1, 2]), 0.85) : null;
    const scps = chance(0.35)
      ? null
      : Array.from({ length: pick([1, 2, 3]) }, () => [
          ...(chance(0.8) ? [FULL_ACCESS] : []),
          ...(chance(0.5) ? [policy(pick([1, 2]), 0.4)] : []),
        ]);
    const resourcePolicy =
      target.resourcePolicy && chance(target.action === 'sts:AssumeRole' || resourceAccount !== ACCOUNT ? 0.9 : 0.55)
        ? { Version: '2012-10-17', Statement: Array.from({ length: pick([1, 2]) }, resourcePolicyStatement) }
        : null;

    cases.push({
      principal,
      action: target.action,
      resource,
      resourceAccount,
      context,
      identityPolicies,
      taskPolicies,
      sessionPolicy,
      permissionsBoundary,
      scps,
      resourcePolicy,
    });
  }
  return cases;
}
