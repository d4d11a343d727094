/**
 * restore trusts a backup only as far as the audit trail vouches for it, against the sandbox through the built
 * CLI: it refuses to overwrite a policy changed since the unlock (unless --force, and it says what changed),
 * refuses an edited backup and one pointed at another account's bucket (even with --force), and a backup the
 * trail has no record of (unless --force). No refusal makes an AWS call that changes anything.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBucketPolicy, seedLockedBucket, seedOrganization } from '../../emulator/seed';
import { runCli, type CliResult } from '../../test-support/cli';
import { describeWithSandbox, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { lastRun, runOutcome, trailRecords } from '../../test-support/trail';

describeWithSandbox('restore safety', () => {
  const sandbox = useSandbox();
  const work = mkdtempSync(join(tmpdir(), 'restore-safety-'));
  const log = join(work, 'audit.jsonl');
  let members: string[] = [];
  let n = 0;

  const runbook = (args: string[], auditLog = log): Promise<CliResult> =>
    runCli(args, {
      cwd: work,
      env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: auditLog, RUNBOOK_BACKUP_DIR: join(work, 'backups') },
    });

  /** A bucket locked, then unlocked by s3-unlock: its backup file and the locked policy. */
  async function unlocked(
    account = members[0],
  ): Promise<{ account: string; bucket: string; backup: string; policy: string }> {
    const bucket = `restore-safety-${n++}`;
    const { policy } = await seedLockedBucket(sandbox.endpoint, account, { bucket });
    const run = await runbook(['s3-unlock', '--account', account, '--bucket', bucket, '--yes', '--json']);
    expect(run.code).toBe(0);
    return { account, bucket, backup: (JSON.parse(run.stdout) as { backup: string }).backup, policy };
  }

  beforeAll(async () => {
    members = (await seedOrganization(sandbox.endpoint, { accounts: 2 })).accounts.map((a) => a.id);
  });

  it('puts the policy back when nothing changed since the unlock', async () => {
    const { account, bucket, backup, policy } = await unlocked();
    const run = await runbook(['restore', '--backup', backup, '--yes']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(policy);
  });

  it('refuses to overwrite a later fix, saying what changed; --force restores over it', async () => {
    const { account, bucket, backup, policy } = await unlocked();
    const fix = await seedLockedBucket(sandbox.endpoint, account, {
      bucket,
      pipelineRoleArn: `arn:aws:iam::${account}:role/later-fix`,
    });
    const dry = await runbook(['restore', '--backup', backup, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      status: 'dry-run',
      details: { wouldRefuse: { code: 'ChangedSincePlan' } },
    });
    const run = await runbook(['restore', '--backup', backup, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /changed since the s3-unlock run .* left it with no policy: it now has a policy of \d+ bytes/,
    );
    expect(run.stderr).toContain('--force');
    expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(fix.policy);
    expect(runOutcome(lastRun(trailRecords(log), 'restore'))).toMatchObject({ outcome: 'changed-since-plan' });

    const forced = await runbook(['restore', '--backup', backup, '--yes', '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(policy);
    // The later fix it replaced is backed up too, so even --force loses nothing.
    const second = JSON.parse(readFileSync((JSON.parse(forced.stdout) as { backup: string }).backup, 'utf8')) as {
      policy: string;
    };
    expect(second.policy).toBe(fix.policy);
  });

  it('refuses an edited backup, with or without --force, and changes nothing', async () => {
    const { account, bucket, backup } = await unlocked();
    const edited = join(work, 'edited.json');
    const record = JSON.parse(readFileSync(backup, 'utf8')) as { policy: string };
    writeFileSync(edited, JSON.stringify({ ...record, policy: record.policy.replace('"Deny"', '"Allow"') }, null, 2));
    for (const force of [[], ['--force']]) {
      const run = await runbook(['restore', '--backup', edited, '--yes', ...force]);
      // An edited copy elsewhere is still found by its run id, and its digest does not match the record.
      expect({ code: run.code, named: /edited after it was written/.test(run.stderr) }).toEqual({
        code: 2,
        named: true,
      });
    }
    expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBeNull();
  });

  it("refuses a backup edited to name another account's bucket: the policy's own ARNs contradict it", async () => {
    const { backup } = await unlocked(members[0]);
    const other = `restore-safety-${n++}`;
    await seedLockedBucket(sandbox.endpoint, members[1], { bucket: other });
    const record = JSON.parse(readFileSync(backup, 'utf8')) as Record<string, unknown>;
    const moved = join(work, 'moved.json');
    writeFileSync(moved, JSON.stringify({ ...record, account: members[1], resource: other, run: undefined }, null, 2));
    for (const force of [[], ['--force']]) {
      const run = await runbook(['restore', '--backup', moved, '--yes', ...force]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 2,
        stderr: expect.stringContaining('contradicts itself'),
      });
    }
    expect(await readBucketPolicy(sandbox.endpoint, members[1], other)).not.toBeNull();
  });

  it('refuses a backup the audit log has no record of, unless --force', async () => {
    const { account, bucket, backup, policy } = await unlocked();
    const elsewhere = join(work, 'other-audit.jsonl');
    const run = await runbook(['restore', '--backup', backup, '--yes'], elsewhere);
    expect({ code: run.code, named: run.stderr.includes('has no record in the audit log') }).toEqual({
      code: 2,
      named: true,
    });
    const forced = await runbook(['restore', '--backup', backup, '--yes', '--force'], elsewhere);
    expect(forced.code).toBe(0);
    expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(policy);
  });
});
