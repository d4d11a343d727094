/**
 * End to end: the built CLI as a subprocess against the sandbox, which refuses any root-session action
 * outside the task policy, so a passing run shows the runbook stayed inside it. Every run is verbose,
 * and its "aws call" lines are checked against the runbook's declared actions.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  issuedSecrets,
  readBucketPolicy,
  readQueuePolicy,
  readRootCredentials,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
} from '../../emulator/seed';
import { MANAGEMENT_ACCOUNT_ID } from '../../emulator/sandbox';
import { runCli } from '../../test-support/cli';
import { lastRun, ofType, runOutcome, trailRecords } from '../../test-support/trail';
import { describeWithSandbox, MANAGEMENT_CREDENTIALS, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { s3Unlock } from '../../runbooks/policy/s3-unlock';
import { sqsUnlock } from '../../runbooks/policy/sqs-unlock';
import { rootPasswordReset } from '../../runbooks/policy/root-password-reset';
import { restoreBucket, restoreQueue } from '../../runbooks/policy/restore';
import { renderOperatorPolicy } from '../../modules/root-operator';

const DECLARED: Record<string, readonly string[]> = {
  's3-unlock': s3Unlock.actions,
  'sqs-unlock': sqsUnlock.actions,
  'root-password-reset': rootPasswordReset.actions,
  restore: [...restoreBucket.actions, ...restoreQueue.actions],
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `service:Action (label session)` for every AWS command the run sent. */
  calls: string[];
}

const TASK_S3 = 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy';

describeWithSandbox('runbooks end to end against the sandbox', () => {
  const sandbox = useSandbox();
  const work = mkdtempSync(join(tmpdir(), 'runbook-e2e-'));
  const auditLog = join(work, 'audit.jsonl');
  const backupDir = join(work, 'backups');
  const outputs: string[] = [];
  let members: string[] = [];

  async function runbook(...args: string[]): Promise<Run> {
    const result = await runCli([...args, '-v'], {
      cwd: work,
      env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: auditLog, RUNBOOK_BACKUP_DIR: backupDir },
      timeoutMs: 60_000,
    });
    outputs.push(result.stdout, result.stderr);
    const calls = [...result.stderr.matchAll(/^aws call: (\S+ \(\w+ session\))$/gm)].map((m) => m[1]);
    // Root sessions may only call what the runbook declares; the caller (or operator role) only STS.
    const declared = DECLARED[args[0]] ?? [];
    for (const call of calls) {
      const [action, label] = call.split(' (');
      if (label === 'root session)') expect(declared).toContain(action);
      else expect(['sts:AssumeRole', 'sts:AssumeRoot', 'sts:GetCallerIdentity']).toContain(action);
    }
    return { code: result.code, stdout: result.stdout, stderr: result.stderr, calls };
  }

  const json = (run: Run) => JSON.parse(run.stdout) as Record<string, unknown> & { details: Record<string, unknown> };

  beforeAll(async () => {
    members = (await seedOrganization(sandbox.endpoint, { accounts: 3 })).accounts.map((a) => a.id);
  });

  describe('s3-unlock', () => {
    it('removes the policy that locks everyone out, with a backup first and a re-read before the delete', async () => {
      const [account] = members;
      const seeded = await seedLockedBucket(sandbox.endpoint, account, { bucket: 'project-prod-1' });
      const run = await runbook('s3-unlock', '--account', account, '--bucket', 'project-prod-1', '--yes', '--json');
      expect(run.stderr).not.toMatch(/^error:/m);
      expect(run.code).toBe(0);
      expect(await readBucketPolicy(sandbox.endpoint, account, 'project-prod-1')).toBeNull();
      expect(run.calls).toEqual(
        expect.arrayContaining(['sts:AssumeRoot (caller session)', 'sts:GetCallerIdentity (caller session)']),
      );
      expect(run.calls.slice(2)).toEqual([
        's3:GetBucketPolicy (root session)',
        's3:GetBucketPolicy (root session)',
        's3:DeleteBucketPolicy (root session)',
        's3:GetBucketPolicy (root session)',
      ]);
      const result = json(run);
      expect(result).toMatchObject({ runbook: 's3-unlock', account, status: 'changed' });
      const backup = JSON.parse(readFileSync(result.backup as string, 'utf8')) as Record<string, unknown>;
      expect(backup).toMatchObject({ runbook: 's3-unlock', account, region: 'us-east-1', resource: 'project-prod-1' });
      expect(backup.policy).toBe(seeded.policy);
      expect(typeof backup.takenAt).toBe('string');
      const records = lastRun(trailRecords(auditLog), 's3-unlock');
      expect(records.map((r) => r.type)).toEqual(['intent', 'session', 'session', 'change', 'outcome']);
      expect(ofType(records, 'intent')[0]).toMatchObject({ account, task: TASK_S3 });
      expect(ofType(records, 'session')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'caller', callerArn: expect.stringContaining(`:${MANAGEMENT_ACCOUNT_ID}:`) }),
          expect.objectContaining({ kind: 'root', account, accessKeyId: result.rootAccessKeyId, task: TASK_S3 }),
        ]),
      );
      expect(ofType(records, 'change')[0]).toMatchObject({ action: 's3:DeleteBucketPolicy', backup: result.backup });
      expect(runOutcome(records)).toMatchObject({
        runbook: 's3-unlock',
        outcome: 'changed',
        backup: result.backup,
        callerArn: expect.stringContaining(`:${MANAGEMENT_ACCOUNT_ID}:`),
      });
    });

    it('is idempotent: a second run finds nothing to remove', async () => {
      const run = await runbook('s3-unlock', '--account', members[0], '--bucket', 'project-prod-1', '--yes', '--json');
      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ status: 'unchanged', backup: null });
    });

    it('--dry-run shows the policy and its locking statement, and changes nothing', async () => {
      const [, account] = members;
      const seeded = await seedLockedBucket(sandbox.endpoint, account, { bucket: 'dry-run-bucket' });
      const before = readdirSync(backupDir);
      const run = await runbook('s3-unlock', '--account', account, '--bucket', 'dry-run-bucket', '--dry-run', '--json');
      expect(run.code).toBe(0);
      const result = json(run);
      expect(result.status).toBe('dry-run');
      expect(result.backup).toBeNull();
      expect(result.details.currentPolicy).toBe(seeded.policy);
      expect(result.details.lockingStatements).toEqual([
        expect.objectContaining({ statement: 'DenyAllExceptPipeline' }),
      ]);
      expect(run.calls.filter((c) => c.includes('root session'))).toEqual(['s3:GetBucketPolicy (root session)']);
      expect(await readBucketPolicy(sandbox.endpoint, account, 'dry-run-bucket')).toBe(seeded.policy);
      expect(readdirSync(backupDir)).toEqual(before);
    });

    it('refuses without --yes when there is no terminal (exit 3), changing nothing', async () => {
      const [, account] = members;
      const run = await runbook('s3-unlock', '--account', account, '--bucket', 'dry-run-bucket');
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^hint: .*--yes/m);
      expect(await readBucketPolicy(sandbox.endpoint, account, 'dry-run-bucket')).not.toBeNull();
    });

    it('replaces the policy with --policy-file, and restore puts the exact original text back', async () => {
      const [, account] = members;
      const original = await readBucketPolicy(sandbox.endpoint, account, 'dry-run-bucket');
      const replacement = `{"Version":"2012-10-17","Statement":[{"Sid":"OwnerOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account}:root"},"Action":"s3:*","Resource":"arn:aws:s3:::dry-run-bucket"}]}`;
      const file = join(work, 'replacement.json');
      writeFileSync(file, replacement);
      const unlock = await runbook(
        's3-unlock',
        '--account',
        account,
        '--bucket',
        'dry-run-bucket',
        '--policy-file',
        file,
        '--yes',
        '--json',
      );
      expect(unlock.code).toBe(0);
      expect(await readBucketPolicy(sandbox.endpoint, account, 'dry-run-bucket')).toBe(replacement);

      const restore = await runbook('restore', '--backup', json(unlock).backup as string, '--yes', '--json');
      expect(restore.code).toBe(0);
      expect(json(restore)).toMatchObject({ runbook: 'restore', status: 'changed', resource: 'dry-run-bucket' });
      expect(await readBucketPolicy(sandbox.endpoint, account, 'dry-run-bucket')).toBe(original);
      // The restore backed up what it replaced, so it can be undone the same way.
      const undo = JSON.parse(readFileSync(json(restore).backup as string, 'utf8')) as { policy: string };
      expect(undo.policy).toBe(replacement);
    });
  });

  describe('sqs-unlock', () => {
    it('removes a queue policy given by URL, and restore round-trips it', async () => {
      const [account] = members;
      const seeded = await seedLockedQueue(sandbox.endpoint, account, { queueName: 'jobs' });
      const run = await runbook('sqs-unlock', '--account', account, '--queue-url', seeded.queueUrl, '--yes', '--json');
      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ status: 'changed', resource: seeded.queueUrl });
      expect(await readQueuePolicy(sandbox.endpoint, account, seeded.queueUrl)).toBeNull();
      expect(run.calls.slice(2)).toEqual([
        'sqs:GetQueueAttributes (root session)',
        'sqs:GetQueueAttributes (root session)',
        'sqs:SetQueueAttributes (root session)',
        'sqs:GetQueueAttributes (root session)',
      ]);
      const backup = JSON.parse(readFileSync(json(run).backup as string, 'utf8')) as { policy: string };
      expect(backup.policy).toBe(seeded.policy);

      const restore = await runbook('restore', '--backup', json(run).backup as string, '--yes');
      expect(restore.code).toBe(0);
      expect(await readQueuePolicy(sandbox.endpoint, account, seeded.queueUrl)).toBe(seeded.policy);
    });

    it('resolves --queue-name with GetQueueUrl in the member account', async () => {
      const [, , account] = members;
      const seeded = await seedLockedQueue(sandbox.endpoint, account, { queueName: 'orders' });
      const run = await runbook('sqs-unlock', '--account', account, '--queue-name', 'orders', '--yes', '--json');
      expect(run.code).toBe(0);
      expect(run.calls).toContain('sqs:GetQueueUrl (root session)');
      expect(await readQueuePolicy(sandbox.endpoint, account, seeded.queueUrl)).toBeNull();
    });
  });

  describe('root-password-reset', () => {
    it('creates the root login profile, then reports "already enabled"', async () => {
      const [, , account] = members;
      await seedRootCredentials(sandbox.endpoint, account, {});
      const run = await runbook('root-password-reset', '--account', account, '--yes', '--json');
      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ status: 'changed', backup: null });
      expect((await readRootCredentials(sandbox.endpoint, account)).loginProfile).toBe(true);
      expect(run.calls.slice(2)).toEqual([
        'iam:GetLoginProfile (root session)',
        'iam:GetLoginProfile (root session)',
        'iam:CreateLoginProfile (root session)',
        'iam:GetLoginProfile (root session)',
      ]);

      const again = await runbook('root-password-reset', '--account', account, '--yes');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('already enabled');
    });
  });

  describe('bad input exits 2 before any AWS call', () => {
    const policyFile = (name: string, text: string) => {
      const path = join(work, name);
      writeFileSync(path, text);
      return path;
    };
    const cases: [string, () => string[]][] = [
      ['an 11-digit account', () => ['s3-unlock', '--account', members[0].slice(1), '--bucket', 'bad-input-bucket']],
      [
        'an account with letters',
        () => ['s3-unlock', '--account', `${members[0].slice(2)}ab`, '--bucket', 'bad-input-bucket'],
      ],
      ['an invalid bucket name', () => ['s3-unlock', '--account', members[0], '--bucket', 'Bad_Input_Bucket']],
      ['duration 0', () => ['s3-unlock', '--account', members[0], '--bucket', 'bad-input-bucket', '--duration', '0']],
      [
        'duration 901',
        () => ['s3-unlock', '--account', members[0], '--bucket', 'bad-input-bucket', '--duration', '901'],
      ],
      [
        'a policy file that is not JSON',
        () => [
          's3-unlock',
          '--account',
          members[0],
          '--bucket',
          'bad-input-bucket',
          '--policy-file',
          policyFile('p1', '{'),
        ],
      ],
      [
        'a policy file without Statement',
        () => [
          's3-unlock',
          '--account',
          members[0],
          '--bucket',
          'bad-input-bucket',
          '--policy-file',
          policyFile('p2', '{}'),
        ],
      ],
      [
        'a queue URL of another account',
        () => [
          'sqs-unlock',
          '--account',
          members[0],
          '--queue-url',
          `${sandbox.endpoint}/${members[1]}/bad-input-queue`,
        ],
      ],
      ['a malformed queue URL', () => ['sqs-unlock', '--account', members[0], '--queue-url', 'sqs/bad-input-queue']],
      ['an unknown flag', () => ['s3-unlock', '--account', members[0], '--bucket', 'bad-input-bucket', '--frce']],
    ];
    let lockedBucket = '';
    let lockedQueue = { queueUrl: '', policy: '' };

    beforeAll(async () => {
      lockedBucket = (await seedLockedBucket(sandbox.endpoint, members[0], { bucket: 'bad-input-bucket' })).policy;
      lockedQueue = await seedLockedQueue(sandbox.endpoint, members[0], { queueName: 'bad-input-queue' });
    });

    it.each(cases)('%s', async (_label, args) => {
      const run = await runbook(...args(), '--yes');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: .*(invalid|unknown option|missing)/m);
      expect(run.calls).toEqual([]);
      expect(await readBucketPolicy(sandbox.endpoint, members[0], 'bad-input-bucket')).toBe(lockedBucket);
      expect(await readQueuePolicy(sandbox.endpoint, members[0], lockedQueue.queueUrl)).toBe(lockedQueue.policy);
    });

    it('the management account as the target', async () => {
      const run = await runbook(
        's3-unlock',
        '--account',
        MANAGEMENT_ACCOUNT_ID,
        '--bucket',
        'bad-input-bucket',
        '--yes',
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(MANAGEMENT_ACCOUNT_ID);
      expect(run.calls.filter((c) => c.includes('root session'))).toEqual([]);
    });
  });

  describe('errors from AWS', () => {
    it('a missing bucket fails with exit 1 and a hint', async () => {
      const run = await runbook('s3-unlock', '--account', members[1], '--bucket', 'no-such-bucket-here', '--yes');
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: s3:GetBucketPolicy on bucket no-such-bucket-here failed/m);
      expect(run.stderr).toMatch(/^hint: /m);
    });
  });

  describe('caller credentials', () => {
    it('--role-arn assumes the operator role (with its external id) before AssumeRoot', async () => {
      const { IAMClient, CreateRoleCommand, PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
      const iam = new IAMClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: MANAGEMENT_CREDENTIALS,
      });
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:root` },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'incident-42' } },
          },
        ],
      };
      await iam.send(
        new CreateRoleCommand({ RoleName: 'RootOperator', AssumeRolePolicyDocument: JSON.stringify(trust) }),
      );
      // The operator may start the unlock tasks and nothing else: the root-operator module's own policy.
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'RootOperator',
          PolicyName: 'assume-root-unlock-only',
          PolicyDocument: renderOperatorPolicy({ profile: 'unlock-only' }),
        }),
      );
      iam.destroy();
      const roleArn = `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/RootOperator`;
      const [, account] = members;
      await seedLockedBucket(sandbox.endpoint, account, { bucket: 'operator-bucket' });

      const wrong = await runbook(
        's3-unlock',
        '--account',
        account,
        '--bucket',
        'operator-bucket',
        '--role-arn',
        roleArn,
        '--external-id',
        'guess',
        '--yes',
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^error: sts:AssumeRole on arn:aws:iam::\d+:role\/RootOperator failed/m);
      expect(wrong.calls).toEqual(['sts:AssumeRole (caller session)']);
      expect(await readBucketPolicy(sandbox.endpoint, account, 'operator-bucket')).not.toBeNull();

      const run = await runbook(
        's3-unlock',
        '--account',
        account,
        '--bucket',
        'operator-bucket',
        '--role-arn',
        roleArn,
        '--external-id',
        'incident-42',
        '--yes',
        '--json',
      );
      expect(run.code).toBe(0);
      // The operator session runs AssumeRoot; its ARN comes from AssumeRole, so no GetCallerIdentity is needed.
      expect(run.calls.slice(0, 2)).toEqual(['sts:AssumeRole (caller session)', 'sts:AssumeRoot (operator session)']);
      expect(run.calls).not.toContain('sts:GetCallerIdentity (caller session)');
      expect(await readBucketPolicy(sandbox.endpoint, account, 'operator-bucket')).toBeNull();
      const records = lastRun(trailRecords(auditLog), 's3-unlock');
      expect(runOutcome(records)?.callerArn).toMatch(/:assumed-role\/RootOperator\/runbook-/);
      // The operator session signed AssumeRoot: its key is recorded, so CloudTrail's AssumeRoot event can be found.
      expect(ofType(records, 'session').map((r) => r.kind)).toEqual(['operator', 'root']);
    });

    it('--profile reads the shared credentials file', async () => {
      const [, account] = members;
      const credentials = join(work, 'credentials');
      writeFileSync(credentials, `[incident]\naws_access_key_id = testing\naws_secret_access_key = testing\n`);
      const env: NodeJS.ProcessEnv = { ...sandboxEnv(sandbox.endpoint), AWS_SHARED_CREDENTIALS_FILE: credentials };
      delete env.AWS_ACCESS_KEY_ID;
      delete env.AWS_SECRET_ACCESS_KEY;
      const result = await runCli(
        ['root-password-reset', '--account', account, '--profile', 'incident', '--dry-run', '--json'],
        { cwd: work, env: { ...env, RUNBOOK_AUDIT_LOG: auditLog }, timeoutMs: 60_000 },
      );
      outputs.push(result.stdout, result.stderr);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ runbook: 'root-password-reset', account });
    });
  });

  it('never writes a secret the sandbox issued to stdout, stderr, the audit log or a backup', async () => {
    const secrets = await issuedSecrets(sandbox.endpoint);
    expect(secrets.length).toBeGreaterThan(5);
    const files = readdirSync(backupDir).map((name) => readFileSync(join(backupDir, name), 'utf8'));
    const everything = [...outputs, readFileSync(auditLog, 'utf8'), ...files].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(everything.includes(secret)).toBe(false);
    expect(existsSync(auditLog)).toBe(true);
  });

  it('says which feature is missing when root sessions are not enabled', async () => {
    await seedOrganization(sandbox.endpoint, { accounts: 0, features: ['RootCredentialsManagement'] });
    const run = await runbook('s3-unlock', '--account', members[1], '--bucket', 'dry-run-bucket', '--dry-run');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/RootSessions/);
  });
});
