/**
 * A member account that is NOT registered as IAM delegated administrator runs every runbook and fleet command
 * against the strict sandbox: each is refused with a clear error and a hint (exit 1), changes nothing, and leaves
 * a run in the audit trail that names the caller's account and its role (`neither`).
 */
import {
  CreateRoleCommand,
  DisableOrganizationsRootSessionsCommand,
  ListOrganizationsFeaturesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANAGEMENT_ACCOUNT_ID } from '../../emulator/sandbox';
import {
  memberAdminCredentials,
  readBucketPolicy,
  readQueuePolicy,
  readRootCredentials,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
  type AccessKeyPair,
} from '../../emulator/seed';
import { runCli, type CliResult } from '../../test-support/cli';
import { describeWithSandbox, MANAGEMENT_CREDENTIALS, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { lastRun, ofType, runOutcome, trailRecords } from '../../test-support/trail';
import { clients } from '../emulator/aws';

interface Case {
  readonly runbook: string;
  readonly args: () => string[];
  /** The error line says why. */
  readonly error: RegExp;
  /** Reads the ground truth: it must be what it was before the run. */
  readonly state: () => Promise<unknown>;
}

describeWithSandbox('refused from a member account that is not the IAM delegated administrator', () => {
  const sandbox = useSandbox();
  const work = mkdtempSync(join(tmpdir(), 'runbook-unregistered-'));
  const auditLog = join(work, 'audit.jsonl');
  const marker = join(work, 'the-command-ran');
  let target: string;
  let queueAccount: string;
  let admin: string;
  let stranger: string;
  let strangerCreds: AccessKeyPair;
  let queueUrl: string;
  let backup: string;

  const runbook = (args: string[], creds: AccessKeyPair): Promise<CliResult> =>
    runCli(args, {
      cwd: work,
      env: { ...sandboxEnv(sandbox.endpoint, creds), RUNBOOK_AUDIT_LOG: auditLog, RUNBOOK_BACKUP_DIR: join(work, 'b') },
    });
  const touch = ['--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`];
  const features = async () =>
    (await clients(sandbox.endpoint).iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures ?? [];

  beforeAll(async () => {
    const { endpoint } = sandbox;
    const org = await seedOrganization(endpoint, { accounts: 4 });
    [target, queueAccount, admin, stranger] = org.accounts.map((a) => a.id);
    strangerCreds = await memberAdminCredentials(endpoint, stranger);
    await clients(endpoint).organizations.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: admin, ServicePrincipal: 'iam.amazonaws.com' }),
    );
    await seedLockedBucket(endpoint, target, { bucket: 'locked-bucket' });
    queueUrl = (await seedLockedQueue(endpoint, queueAccount, { queueName: 'locked' })).queueUrl;
    await seedRootCredentials(endpoint, queueAccount, { loginProfile: true, accessKeys: 1 });
    // A backup the management account wrote, for restore.
    await seedLockedBucket(endpoint, target, { bucket: 'unlocked-bucket' });
    const unlock = await runbook(
      ['s3-unlock', '--account', target, '--bucket', 'unlocked-bucket', '--yes', '--json'],
      MANAGEMENT_CREDENTIALS,
    );
    expect(unlock.code).toBe(0);
    backup = (JSON.parse(unlock.stdout) as { backup: string }).backup;
    // A hub in the delegated administrator's account, trusted by a spoke in the target account.
    const adminIam = clients(endpoint, await memberAdminCredentials(endpoint, admin)).iam;
    const trust = (principal: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
      });
    await adminIam.send(
      new CreateRoleCommand({ RoleName: 'Hub', AssumeRolePolicyDocument: trust(`arn:aws:iam::${admin}:root`) }),
    );
    await adminIam.send(
      new PutRolePolicyCommand({
        RoleName: 'Hub',
        PolicyName: 'assume-spoke',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/Spoke' }],
        }),
      }),
    );
    await clients(endpoint, await memberAdminCredentials(endpoint, target)).iam.send(
      new CreateRoleCommand({ RoleName: 'Spoke', AssumeRolePolicyDocument: trust(`arn:aws:iam::${admin}:role/Hub`) }),
    );
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const NOT_DELEGATED = /because the caller is neither the management account nor the IAM delegated administrator/;
  const ORGANIZATIONS = /^error: organizations:ListAccounts on the organization failed: AccessDeniedException/m;
  const cases: Case[] = [
    {
      runbook: 's3-unlock',
      args: () => ['s3-unlock', '--account', target, '--bucket', 'locked-bucket', '--yes'],
      error: NOT_DELEGATED,
      state: () => readBucketPolicy(sandbox.endpoint, target, 'locked-bucket'),
    },
    {
      runbook: 'sqs-unlock',
      args: () => ['sqs-unlock', '--account', queueAccount, '--queue-url', queueUrl, '--yes'],
      error: NOT_DELEGATED,
      state: () => readQueuePolicy(sandbox.endpoint, queueAccount, queueUrl),
    },
    {
      runbook: 'root-password-reset',
      args: () => ['root-password-reset', '--account', target, '--yes'],
      error: NOT_DELEGATED,
      state: () => readRootCredentials(sandbox.endpoint, target),
    },
    {
      runbook: 'restore',
      args: () => ['restore', '--backup', backup, '--yes'],
      error: NOT_DELEGATED,
      state: () => readBucketPolicy(sandbox.endpoint, target, 'unlocked-bucket'),
    },
    {
      runbook: 'audit',
      args: () => ['audit', '--all'],
      error: ORGANIZATIONS,
      state: () => readRootCredentials(sandbox.endpoint, queueAccount),
    },
    {
      runbook: 'delete-root-credentials',
      args: () => ['delete-root-credentials', '--accounts', queueAccount, '--yes'],
      error: ORGANIZATIONS,
      state: () => readRootCredentials(sandbox.endpoint, queueAccount),
    },
    {
      runbook: 'exec',
      args: () => ['exec', '--account', target, '--task', 'audit', ...touch],
      error: NOT_DELEGATED,
      state: async () => existsSync(marker),
    },
    {
      runbook: 'credentials',
      args: () => ['credentials', '--account', target, '--task', 'audit'],
      error: NOT_DELEGATED,
      state: async () => existsSync(marker),
    },
    {
      runbook: 'spoke exec',
      args: () => [
        'spoke',
        'exec',
        '--hub-account',
        admin,
        '--hub-role',
        'Hub',
        '--spoke-account',
        target,
        '--spoke-role',
        'Spoke',
        ...touch,
      ],
      // The hub trusts the delegated administrator's account only.
      error: /^error: sts:AssumeRole on arn:aws:iam::\d{12}:role\/Hub failed/m,
      state: async () => existsSync(marker),
    },
  ];

  it.each(cases.map((c) => [c.runbook, c] as const))(
    '%s: exit 1 with the reason and a hint, no change, recorded',
    async (_, c) => {
      const before = await c.state();
      const run = await runbook(c.args(), strangerCreds);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(c.error);
      expect(run.stderr).toMatch(/^hint: \S/m);
      expect(run.stdout).toBe('');
      expect(await c.state()).toEqual(before);
      const records = lastRun(trailRecords(auditLog), c.runbook);
      expect(ofType(records, 'change')).toEqual([]);
      expect(ofType(records, 'session').filter((r) => r.kind === 'root')).toEqual([]);
      expect(runOutcome(records)).toMatchObject({
        outcome: 'failed',
        callerArn: `arn:aws:iam::${stranger}:user/sandbox-admin`,
        callerAccount: stranger,
        callerRole: 'neither',
      });
    },
  );

  it('a caller that may not read the organization is recorded as unknown, and the run fails for its own reason', async () => {
    const iam = clients(sandbox.endpoint, strangerCreds).iam;
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'Narrow',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stranger}:root` }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Narrow',
        PolicyName: 'assume-root-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoot', Resource: '*' }],
        }),
      }),
    );
    const before = await readBucketPolicy(sandbox.endpoint, target, 'locked-bucket');
    const run = await runbook(
      [
        's3-unlock',
        '--account',
        target,
        '--bucket',
        'locked-bucket',
        '--yes',
        '--role-arn',
        `arn:aws:iam::${stranger}:role/Narrow`,
      ],
      strangerCreds,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(NOT_DELEGATED);
    expect(await readBucketPolicy(sandbox.endpoint, target, 'locked-bucket')).toBe(before);
    expect(runOutcome(lastRun(trailRecords(auditLog), 's3-unlock'))).toMatchObject({
      outcome: 'failed',
      callerArn: expect.stringContaining(`arn:aws:sts::${stranger}:assumed-role/Narrow/`),
      callerAccount: stranger,
      callerRole: 'unknown',
    });
  });

  it('doctor says the caller is neither, with the fix to register it (exit 1)', async () => {
    const run = await runbook(['doctor', '--json'], strangerCreds);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      caller: object;
      checks: { ok: boolean; detail: string; fix?: string }[];
    };
    expect(report.caller).toEqual({
      arn: `arn:aws:iam::${stranger}:user/sandbox-admin`,
      account: stranger,
      kind: 'neither',
    });
    expect(report.checks[1]).toMatchObject({
      ok: false,
      detail: expect.stringContaining(
        `account ${stranger} is neither the management account (${MANAGEMENT_ACCOUNT_ID})`,
      ),
      fix: expect.stringContaining('register-delegated-administrator --service-principal iam.amazonaws.com'),
    });
    expect(runOutcome(lastRun(trailRecords(auditLog), 'doctor'))).toMatchObject({
      outcome: 'failed',
      callerRole: 'neither',
    });
  });

  it('enable is refused before its first read, naming the management account; nothing is enabled', async () => {
    await clients(sandbox.endpoint).iam.send(new DisableOrganizationsRootSessionsCommand({}));
    const before = await features();
    expect(before).not.toContain('RootSessions');
    const run = await runbook(['enable', '--root-sessions', '--yes'], strangerCreds);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: .*only the management account ${MANAGEMENT_ACCOUNT_ID} can do; the caller .* is neither`,
        'm',
      ),
    );
    expect(run.stderr).toMatch(/^hint: run "runbook enable" with credentials of the management account/m);
    expect(await features()).toEqual(before);
    const records = lastRun(trailRecords(auditLog), 'enable');
    expect(ofType(records, 'change')).toEqual([]);
    expect(runOutcome(records)).toMatchObject({
      outcome: 'failed',
      errorCode: 'CallerIsNotManagementAccount',
      callerAccount: stranger,
      callerRole: 'neither',
    });
  });
});
