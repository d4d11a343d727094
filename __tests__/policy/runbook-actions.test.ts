/**
 * Policy proof: every IAM action a runbook declares is allowed for a root principal under the real task
 * policy the runbook assumes with, and actions outside the declaration (GetBucketLocation above all) are
 * not. The root user's own permissions are modelled as allow-all; the deny-only task policy restricts them.
 * The simulator's input validation knows no resource type for the root user (`arn:aws:iam::<id>:root`,
 * the resource the IAM task policies name), so the unvalidated entry point is used; a misspelt declared
 * action still fails, because every task policy denies all actions outside its list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { TASKS, type TaskAlias } from '../../runbooks/engine/tasks';
import { s3Unlock } from '../../runbooks/policy/s3-unlock';
import { sqsUnlock } from '../../runbooks/policy/sqs-unlock';
import { rootPasswordReset } from '../../runbooks/policy/root-password-reset';
import { restoreBucket, restoreQueue } from '../../runbooks/policy/restore';
import { LOCKOUT_SCAN_ACTIONS } from '../../runbooks/fleet/policy-reads';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

const RESOURCE_BY_SERVICE: Record<string, string> = {
  s3: 'arn:aws:s3:::project-prod-1',
  sqs: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`,
  iam: ROOT,
};

function taskPolicy(task: TaskAlias): unknown {
  return JSON.parse(readFileSync(join(__dirname, '../../emulator/task-policies', `${TASKS[task]}.json`), 'utf8'));
}

function simulate(principal: string, task: TaskAlias, action: string): string {
  const simulation: Simulation = {
    request: {
      principal,
      action,
      resource: { resource: RESOURCE_BY_SERVICE[action.split(':')[0]], accountId: ACCOUNT },
      // What a root session carries: the root principal of the member account, flagged as assumed root.
      contextVariables: {
        'aws:PrincipalArn': principal,
        'aws:PrincipalAccount': ACCOUNT,
        'aws:ResourceAccount': ACCOUNT,
        'aws:AssumedRoot': 'true',
      },
    },
    identityPolicies: [
      {
        name: 'allow-all',
        policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      },
      { name: TASKS[task], policy: taskPolicy(task) },
    ],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  return runUnsafeSimulation(simulation, {});
}

const RUNBOOKS = [
  ...[s3Unlock, sqsUnlock, rootPasswordReset, restoreBucket, restoreQueue].map((r) => ({
    label: `${r.name} (${TASKS[r.task]})`,
    task: r.task,
    actions: r.actions,
  })),
  // The lock-out scan reads with the two unlock tasks.
  ...(Object.entries(LOCKOUT_SCAN_ACTIONS) as [TaskAlias, readonly string[]][]).map(([task, actions]) => ({
    label: `lockout-scan (${TASKS[task]})`,
    task,
    actions,
  })),
];

describe.each(RUNBOOKS)('$label', ({ task, actions }) => {
  it.each([...actions])('allows %s for a root principal', (action) => {
    expect(simulate(ROOT, task, action)).toBe('Allowed');
  });
});

describe('the simulation can fail', () => {
  it.each([
    ['s3-unlock', 's3:GetBucketLocation'],
    ['s3-unlock', 's3:PutObject'],
    ['sqs-unlock', 'sqs:DeleteQueue'],
    ['create-password', 'iam:DeleteLoginProfile'],
  ] as [TaskAlias, string][])('%s denies %s', (task, action) => {
    expect(simulate(ROOT, task, action)).toBe('ExplicitlyDenied');
  });

  it('denies a declared action to a principal that is not root', () => {
    expect(simulate(`arn:aws:iam::${ACCOUNT}:role/Admin`, 's3-unlock', 's3:DeleteBucketPolicy')).toBe(
      'ExplicitlyDenied',
    );
  });
});
