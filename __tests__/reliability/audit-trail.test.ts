/**
 * The audit trail against the sandbox, through the built CLI and the fault proxy:
 * - a log that cannot be written (a full device, a directory, EIO, a read-only and a full filesystem, a symbolic
 *   link, a folder others can write, an empty value) stops the run before its first AWS request: the proxy sees
 *   nothing and the bucket keeps its policy;
 * - a disk that fills after the intent stops the run before the session it took is used;
 * - another administrator changing the resource between the read and the change (the proxy holds the request
 *   after the read) is never overwritten: the run stops with changed-since-plan, with --yes and at the prompt;
 * - SIGTERM, SIGINT (Ctrl-C at a real terminal prompt) and SIGHUP record `interrupted` and exit 128 + n;
 * - every session a command took is in its records, checked against the access key ids the sandbox issued.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from '../../emulator/proxy';
import { MANAGEMENT_ACCOUNT_ID, startSandbox, type Sandbox } from '../../emulator/sandbox';
import {
  issuedSessions,
  memberAdminCredentials,
  readBucketPolicy,
  readQueuePolicy,
  readRootCredentials,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
} from '../../emulator/seed';
import { runCli as runInProcess } from '../../runbooks/cli/main';
import { CLI } from '../../test-support/cli';
import { cliEnv } from '../../test-support/cli-env';
import { fill, mountTmpfs, tmpfsProblem, type Mount } from '../../test-support/mounts';
import { describeWithSandbox, MANAGEMENT_CREDENTIALS, queueUrlVia, sandboxEnv } from '../../test-support/sandbox';
import { renderOperatorPolicy } from '../../modules/root-operator';
import { lastRun, ofType, runOutcome, trailRecords } from '../../test-support/trail';
import { auditLogOf, runCli, scratchDir } from './harness';

let sandbox: Sandbox;
let proxy: FaultProxy;
let accounts: string[];
let hold: ((entry: ProxyLogEntry) => Promise<void> | void) | undefined;
let arrived: ((entry: ProxyLogEntry) => void) | undefined;
const mounts: Mount[] = [];

const root = process.getuid?.() === 0;
const noTmpfs = tmpfsProblem();
/** Needs a tmpfs mount: skipped with the reason where mounting is impossible, but never under CI=true. */
const withTmpfs = (name: string, body: () => Promise<void>) =>
  noTmpfs === undefined || process.env.CI === 'true'
    ? it(name, async () => {
        if (noTmpfs !== undefined) throw new Error(`CI=true and no tmpfs can be mounted: ${noTmpfs}`);
        await body();
      })
    : it.skip(`${name} (skipped: ${noTmpfs})`, body);

let next = 0;
/** A fresh member account with a locked bucket, for one case. */
async function lockedBucket(): Promise<{ account: string; bucket: string; policy: string }> {
  const account = accounts[next % accounts.length];
  const bucket = `trail-bucket-${next++}`;
  const { policy } = await seedLockedBucket(sandbox.endpoint, account, { bucket });
  return { account, bucket, policy };
}

/** What "another administrator" puts on the bucket meanwhile: a policy of their own. */
const adminBucketPolicy = (account: string, bucket: string) =>
  seedLockedBucket(sandbox.endpoint, account, { bucket, pipelineRoleArn: `arn:aws:iam::${account}:role/admin-fix` });

/**
 * Holds the first request after the first `action` (the read) while `act` runs: the admin changes the resource
 * after the read and before whatever comes next (the re-read, or, without one, the change itself).
 */
function afterFirst(action: string, act: () => Promise<unknown>): (entry: ProxyLogEntry) => Promise<void> {
  let seen = false;
  let done = false;
  return async (entry) => {
    if (done) return;
    if (!seen) {
      seen = entry.action === action;
      return;
    }
    done = true;
    await act();
  };
}

/** Holds the n-th `action` while `act` runs. */
function onNth(action: string, n: number, act: () => Promise<unknown>): (entry: ProxyLogEntry) => Promise<void> {
  let seen = 0;
  return async (entry) => {
    if (entry.action === action && ++seen === n) await act();
  };
}

describeWithSandbox('reliability: the audit trail', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    proxy = await startFaultProxy({
      target: sandbox.endpoint,
      onRequest: (entry) => arrived?.(entry),
      hold: (entry) => hold?.(entry),
    });
    accounts = (await seedOrganization(sandbox.endpoint, { accounts: 6 })).accounts.map((a) => a.id);
  }, 120_000);

  afterEach(() => {
    hold = undefined;
    arrived = undefined;
  });

  afterAll(async () => {
    mounts.forEach((m) => m.unmount());
    await proxy?.stop();
    await sandbox?.stop();
  });

  describe('a log that cannot be written: exit 1, no AWS request, nothing changed', () => {
    async function expectRefused(auditLog: string, options: { code?: number; env?: NodeJS.ProcessEnv } = {}) {
      const { account, bucket, policy } = await lockedBucket();
      const scratch = scratchDir('trail-unwritable-');
      proxy.clearLog();
      const run = await runCli(['s3-unlock', '--account', account, '--bucket', bucket, '--yes', '--json'], {
        endpoint: proxy.endpoint,
        scratch,
        env: { RUNBOOK_AUDIT_LOG: auditLog, ...options.env },
      });
      expect({ code: run.code, requests: proxy.log().map((e) => `${e.service} ${e.action}`) }).toEqual({
        code: options.code ?? 1,
        requests: [],
      });
      if (auditLog !== '') expect(run.stderr).toContain(`cannot write the audit log ${auditLog}`);
      expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(policy);
      return run;
    }

    it('a full device (/dev/full)', async () => {
      await expectRefused('/dev/full');
    });

    it('a directory', async () => {
      const dir = scratchDir('trail-dir-');
      mkdirSync(join(dir, 'audit.jsonl'));
      expect((await expectRefused(join(dir, 'audit.jsonl'))).stderr).toContain('is a directory');
    });

    it('a file whose writes fail with EIO (/proc/version, read-only even for root)', async () => {
      await expectRefused('/proc/version');
    });

    it('a symbolic link (it could point anywhere)', async () => {
      const dir = scratchDir('trail-link-');
      writeFileSync(join(dir, 'target.jsonl'), '');
      symlinkSync(join(dir, 'target.jsonl'), join(dir, 'audit.jsonl'));
      expect((await expectRefused(join(dir, 'audit.jsonl'))).stderr).toContain('symbolic link');
    });

    it('a folder that others can write', async () => {
      const dir = scratchDir('trail-shared-');
      chmodSync(dir, 0o777);
      expect((await expectRefused(join(dir, 'audit.jsonl'))).stderr).toContain(
        'can be written by its group and others',
      );
    });

    it('an empty --audit-log or RUNBOOK_AUDIT_LOG (exit 2: it is not "the current directory")', async () => {
      const { account, bucket } = await lockedBucket();
      for (const [args, env] of [
        [['--audit-log', ''], {}],
        [[], { RUNBOOK_AUDIT_LOG: '' }],
      ] as const) {
        proxy.clearLog();
        const run = await runCli(['s3-unlock', '--account', account, '--bucket', bucket, '--yes', ...args], {
          endpoint: proxy.endpoint,
          scratch: scratchDir('trail-empty-'),
          env,
        });
        expect({ code: run.code, requests: proxy.log().length }).toEqual({ code: 2, requests: 0 });
        expect(run.stderr).toMatch(/--audit-log|RUNBOOK_AUDIT_LOG/);
      }
    });

    if (root) {
      withTmpfs('a read-only filesystem (EROFS)', async () => {
        const ro = mountTmpfs({ sizeKb: 64, readOnly: true });
        mounts.push(ro);
        await expectRefused(join(ro.dir, 'audit.jsonl'));
      });
    } else {
      it('a read-only folder (EACCES)', async () => {
        const dir = scratchDir('trail-ro-');
        mkdirSync(join(dir, 'state'), { mode: 0o500 });
        await expectRefused(join(dir, 'state', 'audit.jsonl'));
      });
    }

    withTmpfs('a full filesystem (ENOSPC)', async () => {
      const full = mountTmpfs({ sizeKb: 64 });
      mounts.push(full);
      fill(full.dir);
      await expectRefused(join(full.dir, 'audit.jsonl'));
    });
  });

  withTmpfs('a disk that fills after the intent: the run stops before the session it took is used', async () => {
    const disk = mountTmpfs({ sizeKb: 256 });
    mounts.push(disk);
    const { account, bucket, policy } = await lockedBucket();
    hold = async (entry) => {
      if (entry.action === 'AssumeRoot') fill(disk.dir);
    };
    proxy.clearLog();
    const log = join(disk.dir, 'audit.jsonl');
    const run = await runCli(['s3-unlock', '--account', account, '--bucket', bucket, '--yes'], {
      endpoint: proxy.endpoint,
      scratch: scratchDir('trail-enospc-'),
      env: { RUNBOOK_AUDIT_LOG: log },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ENOSPC');
    // The root session exists (AssumeRoot answered) but signed nothing: no request carries a key but the caller's.
    const used = proxy.log().filter((e) => e.accessKeyId !== 'testing');
    expect(used).toEqual([]);
    expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(policy);
    expect(ofType(trailRecords(log, { tornTail: true }), 'intent')).toHaveLength(1);
  });

  withTmpfs(
    'a disk that fills in the middle of a fleet audit: no session is used unrecorded, the run fails',
    async () => {
      const disk = mountTmpfs({ sizeKb: 256 });
      mounts.push(disk);
      hold = onNth('AssumeRoot', 3, async () => fill(disk.dir));
      proxy.clearLog();
      const log = join(disk.dir, 'audit.jsonl');
      const run = await runCli(['audit', '--all', '--concurrency', '1', '--output', 'json'], {
        endpoint: proxy.endpoint,
        scratch: scratchDir('trail-enospc-fleet-'),
        env: { RUNBOOK_AUDIT_LOG: log },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('ENOSPC');
      // The disk may fill in the middle of a line: that record did not make it, and its session must be unused.
      const sessions = ofType(trailRecords(log, { tornTail: true }), 'session');
      const recorded = new Set(sessions.map((r) => r.accessKeyId));
      const signers = new Set(proxy.log().map((e) => e.accessKeyId));
      signers.delete('testing');
      expect([...signers].filter((key) => !recorded.has(key))).toEqual([]);
      // It stopped at the first record the full disk refused: the log's last page may still hold the third
      // session's record (then a later record fails), and at most the one session whose record failed was taken
      // unrecorded (and never used, above); no account after it was assumed.
      const assumes = proxy.log().filter((e) => e.action === 'AssumeRoot').length;
      const rootRecords = sessions.filter((r) => r.kind === 'root').length;
      expect(assumes).toBeGreaterThanOrEqual(3);
      expect(assumes - rootRecords).toBeGreaterThanOrEqual(0);
      expect(assumes - rootRecords).toBeLessThanOrEqual(1);
    },
  );

  describe('race: another administrator changes the resource between the read and the change', () => {
    const expectStopped = (scratch: string, runbook: string) => {
      const records = lastRun(trailRecords(auditLogOf(scratch)), runbook);
      expect(ofType(records, 'change')).toEqual([]);
      expect(runOutcome(records)).toMatchObject({ outcome: 'changed-since-plan', errorCode: 'ChangedSincePlan' });
    };

    it('s3-unlock --yes: the admin policy survives, the run exits 1 with changed-since-plan', async () => {
      const { account, bucket } = await lockedBucket();
      const scratch = scratchDir('trail-race-s3-');
      let admin = '';
      hold = afterFirst('GetBucketPolicy', async () => (admin = (await adminBucketPolicy(account, bucket)).policy));
      const run = await runCli(['s3-unlock', '--account', account, '--bucket', bucket, '--yes', '--json'], {
        endpoint: proxy.endpoint,
        scratch,
      });
      expect({ code: run.code, status: (JSON.parse(run.stdout) as { status: string }).status }).toEqual({
        code: 1,
        status: 'changed-since-plan',
      });
      expect(admin).toContain('admin-fix');
      expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(admin);
      expectStopped(scratch, 's3-unlock');
    });

    it('sqs-unlock --yes: the admin queue policy survives', async () => {
      const account = accounts[1];
      const { queueUrl } = await seedLockedQueue(sandbox.endpoint, account, { queueName: 'trail-race-queue' });
      const scratch = scratchDir('trail-race-sqs-');
      hold = afterFirst('GetQueueAttributes', () =>
        seedLockedQueue(sandbox.endpoint, account, {
          queueName: 'trail-race-queue',
          pipelineRoleArn: `arn:aws:iam::${account}:role/admin-fix`,
        }),
      );
      const run = await runCli(
        ['sqs-unlock', '--account', account, '--queue-url', queueUrlVia(queueUrl, proxy.endpoint), '--yes'],
        {
          endpoint: proxy.endpoint,
          scratch,
        },
      );
      expect(run.code).toBe(1);
      expect(await readQueuePolicy(sandbox.endpoint, account, queueUrl)).toContain('admin-fix');
      expectStopped(scratch, 'sqs-unlock');
    });

    it('root-password-reset --yes: a login profile the admin created meanwhile is not reported as ours', async () => {
      const account = accounts[2];
      await seedRootCredentials(sandbox.endpoint, account, {});
      const scratch = scratchDir('trail-race-password-');
      hold = afterFirst('GetLoginProfile', () =>
        seedRootCredentials(sandbox.endpoint, account, { loginProfile: true }),
      );
      proxy.clearLog();
      const run = await runCli(['root-password-reset', '--account', account, '--yes'], {
        endpoint: proxy.endpoint,
        scratch,
      });
      expect(run.code).toBe(1);
      expect(proxy.log().map((e) => e.action)).not.toContain('CreateLoginProfile');
      expectStopped(scratch, 'root-password-reset');
    });

    it('restore --yes: a policy put after the check is not overwritten', async () => {
      const { account, bucket } = await lockedBucket();
      const scratch = scratchDir('trail-race-restore-');
      const unlock = await runCli(['s3-unlock', '--account', account, '--bucket', bucket, '--yes', '--json'], {
        endpoint: proxy.endpoint,
        scratch,
      });
      expect(unlock.code).toBe(0);
      const backup = (JSON.parse(unlock.stdout) as { backup: string }).backup;
      let admin = '';
      hold = afterFirst('GetBucketPolicy', async () => (admin = (await adminBucketPolicy(account, bucket)).policy));
      const run = await runCli(['restore', '--backup', backup, '--yes'], { endpoint: proxy.endpoint, scratch });
      expect(run.code).toBe(1);
      expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(admin);
      expectStopped(scratch, 'restore');
    });

    it('delete-root-credentials --yes: an account whose credentials changed after the plan is left untouched', async () => {
      const account = accounts[3];
      await seedRootCredentials(sandbox.endpoint, account, { loginProfile: true, accessKeys: 1 });
      const scratch = scratchDir('trail-race-delete-');
      // The second AssumeRoot is the delete task's: the plan is made, the deletes are next.
      hold = onNth('AssumeRoot', 2, () =>
        seedRootCredentials(sandbox.endpoint, account, { loginProfile: true, accessKeys: 2 }),
      );
      const run = await runCli(['delete-root-credentials', '--accounts', account, '--yes', '--json'], {
        endpoint: proxy.endpoint,
        scratch,
      });
      expect(run.code).toBe(1);
      expect(await readRootCredentials(sandbox.endpoint, account)).toMatchObject({ loginProfile: true, accessKeys: 2 });
      const result = JSON.parse(run.stdout) as { accounts: { result: { status: string } }[] };
      expect(result.accounts[0].result.status).toBe('changed-since-plan');
      const records = lastRun(trailRecords(auditLogOf(scratch)), 'delete-root-credentials');
      expect(ofType(records, 'change')).toEqual([]);
      expect(ofType(records, 'outcome').find((r) => r.account === account)).toMatchObject({
        outcome: 'changed-since-plan',
      });
    });

    describe('at the confirmation prompt (in-process, a terminal that answers "y" after the admin acted)', () => {
      const saved = { ...process.env };
      afterEach(() => {
        process.env = { ...saved };
      });

      async function atPrompt(args: string[], admin: () => Promise<unknown>, scratch: string) {
        // The SDK's default chain reads the caller's keys from process.env.
        Object.assign(process.env, sandboxEnv(proxy.endpoint));
        const stdin = Object.assign(new PassThrough(), { isTTY: true });
        let stderr = '';
        let stdout = '';
        const code = await runInProcess([...args, '--endpoint-url', proxy.endpoint], {
          stdout: { write: (text) => void (stdout += text) },
          stderr: {
            write: (text) => {
              stderr += text;
              if (text.includes('[y/N]')) void admin().then(() => stdin.end('y\n'));
            },
          },
          stdin,
          env: cliEnv(proxy.endpoint, scratch),
          cwd: scratch,
        });
        return { code, stdout, stderr };
      }

      it('s3-unlock: the admin policy written while the prompt waited survives', async () => {
        const { account, bucket } = await lockedBucket();
        const scratch = scratchDir('trail-prompt-s3-');
        let admin = '';
        const run = await atPrompt(
          ['s3-unlock', '--account', account, '--bucket', bucket],
          async () => (admin = (await adminBucketPolicy(account, bucket)).policy),
          scratch,
        );
        expect({ code: run.code, error: /changed since it was read/.test(run.stderr) }).toEqual({
          code: 1,
          error: true,
        });
        expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(admin);
        expectStopped(scratch, 's3-unlock');
      });

      it('delete-root-credentials: a key the admin added while the prompt waited is not deleted, nor are the others', async () => {
        const account = accounts[4];
        await seedRootCredentials(sandbox.endpoint, account, { accessKeys: 1 });
        const scratch = scratchDir('trail-prompt-delete-');
        const run = await atPrompt(
          ['delete-root-credentials', '--accounts', account],
          () => seedRootCredentials(sandbox.endpoint, account, { accessKeys: 2 }),
          scratch,
        );
        expect(run.code).toBe(1);
        expect((await readRootCredentials(sandbox.endpoint, account)).accessKeys).toBe(2);
      });
    });
  });

  describe('signals: interrupted is recorded, then exit 128 + n', () => {
    /** Starts s3-unlock; when `when` arrives at the proxy it is held and the CLI gets `signal`. */
    async function interrupt(signal: NodeJS.Signals, when: (entry: ProxyLogEntry) => boolean) {
      const { account, bucket, policy } = await lockedBucket();
      const scratch = scratchDir('trail-signal-');
      let release: () => void = () => undefined;
      const child = spawn(
        process.execPath,
        [CLI, 's3-unlock', '--account', account, '--bucket', bucket, '--yes', '--endpoint-url', proxy.endpoint],
        { cwd: scratch, env: cliEnv(proxy.endpoint, scratch), stdio: 'ignore' },
      );
      // Set before the event loop turns, so before the child can have sent anything.
      hold = (entry) =>
        when(entry)
          ? new Promise<void>((resolve) => {
              release = resolve;
              child.kill(signal);
            })
          : undefined;
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      release();
      const records = lastRun(trailRecords(auditLogOf(scratch)));
      return { code, records, account, bucket, policy };
    }

    it.each([
      { signal: 'SIGTERM', exit: 143, action: 'AssumeRoot' },
      { signal: 'SIGINT', exit: 130, action: 'GetBucketPolicy' },
      { signal: 'SIGHUP', exit: 129, action: 'AssumeRoot' },
    ] as const)(
      '$signal while $action is in flight: exit $exit, interrupted, nothing changed',
      async ({ signal, exit, action }) => {
        const run = await interrupt(signal, (entry) => entry.action === action);
        expect(run.code).toBe(exit);
        expect(run.records.map((r) => r.type)[0]).toBe('intent');
        expect(runOutcome(run.records)).toMatchObject({ outcome: 'interrupted', errorCode: signal });
        expect(await readBucketPolicy(sandbox.endpoint, run.account, run.bucket)).toBe(run.policy);
      },
    );

    it('Ctrl-C at a real terminal prompt: exit 130 and interrupted, nothing changed', async () => {
      const { account, bucket, policy } = await lockedBucket();
      const scratch = scratchDir('trail-ctrl-c-');
      const command = [CLI, 's3-unlock', '--account', account, '--bucket', bucket, '--endpoint-url', proxy.endpoint];
      const child = spawn('script', ['-qfec', [process.execPath, ...command].join(' '), '/dev/null'], {
        cwd: scratch,
        env: cliEnv(proxy.endpoint, scratch),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      let pressed = false;
      child.stdin.on('error', () => undefined); // script may be gone by the time a late write lands
      child.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString('utf8');
        if (screen.includes('[y/N]') && !pressed) {
          pressed = true;
          child.stdin.write('\x03');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect({ code, prompt: screen.includes('[y/N]') }).toEqual({ code: 130, prompt: true });
      expect(runOutcome(lastRun(trailRecords(auditLogOf(scratch))))).toMatchObject({
        outcome: 'interrupted',
        errorCode: 'SIGINT',
      });
      expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBe(policy);
    });
  });

  describe('every session a command took is in its records (the access key ids the sandbox issued)', () => {
    const scratch = scratchDir('trail-sessions-');
    let bucketForRestore: { account: string; bucket: string } | undefined;

    async function recorded(
      args: string[],
      expected: { code: number; root?: number; role?: number },
      env: NodeJS.ProcessEnv = {},
    ) {
      const before = (await issuedSessions(sandbox.endpoint)).length;
      const run = await runCli(args, { endpoint: proxy.endpoint, scratch, env });
      const issued = (await issuedSessions(sandbox.endpoint)).slice(before);
      const records = lastRun(trailRecords(auditLogOf(scratch)), args[0]);
      const sessions = ofType(records, 'session');
      const keys = new Map(sessions.map((s) => [s.accessKeyId, s.kind]));
      const missing = issued.filter((s) => !keys.has(s.accessKeyId)).map((s) => `${s.kind} ${s.accessKeyId}`);
      const wrongKind = issued.filter((s) => (s.kind === 'root') !== (keys.get(s.accessKeyId) === 'root'));
      expect({ command: args[0], code: run.code, missing, wrongKind }).toEqual({
        command: args[0],
        code: expected.code,
        missing: [],
        wrongKind: [],
      });
      expect({
        root: issued.filter((s) => s.kind === 'root').length,
        role: issued.filter((s) => s.kind === 'role').length,
      }).toEqual({ root: expected.root ?? 0, role: expected.role ?? 0 });
      // The caller is on every session record, and the run ends with an outcome.
      expect(sessions.every((s) => typeof s.callerArn === 'string')).toBe(true);
      expect(runOutcome(records)).toBeDefined();
      return { run, records };
    }

    it('s3-unlock, sqs-unlock, root-password-reset, restore', async () => {
      const { account, bucket } = await lockedBucket();
      bucketForRestore = { account, bucket };
      const unlock = await recorded(['s3-unlock', '--account', account, '--bucket', bucket, '--yes', '--json'], {
        code: 0,
        root: 1,
      });
      const { queueUrl } = await seedLockedQueue(sandbox.endpoint, accounts[5], { queueName: 'trail-sessions-q' });
      await recorded(
        ['sqs-unlock', '--account', accounts[5], '--queue-url', queueUrlVia(queueUrl, proxy.endpoint), '--yes'],
        {
          code: 0,
          root: 1,
        },
      );
      await recorded(['root-password-reset', '--account', accounts[5], '--yes'], { code: 0, root: 1 });
      const backup = (JSON.parse(unlock.run.stdout) as { backup: string }).backup;
      await recorded(['restore', '--backup', backup, '--yes'], { code: 0, root: 1 });
    });

    it('audit and delete-root-credentials (dry run, not confirmed, confirmed): one session per account', async () => {
      const members = accounts.length;
      await recorded(['audit', '--all', '--output', 'json'], { code: 0, root: members });
      const target = accounts[0];
      await seedRootCredentials(sandbox.endpoint, target, { accessKeys: 1 });
      await recorded(['delete-root-credentials', '--accounts', target, '--dry-run'], { code: 0, root: 1 });
      const refused = await recorded(['delete-root-credentials', '--accounts', target], { code: 3, root: 1 });
      expect(runOutcome(refused.records)).toMatchObject({ outcome: 'not-confirmed' });
      const done = await recorded(['delete-root-credentials', '--accounts', target, '--yes'], { code: 0, root: 2 });
      expect(ofType(done.records, 'change').map((c) => c.account)).toEqual([target]);
    });

    it('lockout-scan and report: two read-only sessions per account for the scan, three for the report', async () => {
      const members = accounts.length;
      await recorded(['lockout-scan', '--all', '--output', 'json'], { code: 0, root: 2 * members });
      // Exit 1: this organization has no guardrail SCP and no alerts, so controls fail; the run is still recorded.
      const report = await recorded(['report', '--output', 'json'], { code: 1, root: 3 * members });
      expect(runOutcome(report.records)).toMatchObject({ outcome: 'failed', errorCode: 'ControlsFailed' });
    });

    it('doctor (its dry AssumeRoot) and enable (no session, and nothing to change)', async () => {
      const doctor = await recorded(['doctor', '--account', accounts[1]], { code: 0, root: 1 });
      expect(
        ofType(doctor.records, 'session')
          .map((s) => s.kind)
          .sort(),
      ).toEqual(['caller', 'root']);
      const enable = await recorded(['enable', '--root-sessions', '--yes'], { code: 0 });
      expect(runOutcome(enable.records)).toMatchObject({ outcome: 'unchanged' });
      expect(ofType(enable.records, 'session').map((s) => s.kind)).toEqual(['caller']);
    });

    it('exec, credentials, and an exec whose AssumeRoot is refused (recorded as failed with its code)', async () => {
      await recorded(['exec', '--account', accounts[2], '--task', 'audit', '--', process.execPath, '-e', '0'], {
        code: 0,
        root: 1,
      });
      await recorded(['credentials', '--account', accounts[2], '--task', 'audit'], { code: 0, root: 1 });
      // A caller that is neither the management account nor the delegated administrator: AssumeRoot is refused.
      const member = await memberAdminCredentials(sandbox.endpoint, accounts[3]);
      const refused = await recorded(
        ['exec', '--account', accounts[2], '--task', 'audit', '--', process.execPath, '-e', '0'],
        { code: 1 },
        { AWS_ACCESS_KEY_ID: member.accessKeyId, AWS_SECRET_ACCESS_KEY: member.secretAccessKey },
      );
      expect(runOutcome(refused.records)).toMatchObject({ outcome: 'failed', errorCode: expect.any(String) });
      expect(ofType(refused.records, 'session').map((s) => s.accessKeyId)).toEqual([member.accessKeyId]);
    });

    it('--role-arn: the operator session is recorded before it signs AssumeRoot', async () => {
      const { account, bucket } = bucketForRestore ?? (await lockedBucket());
      await seedLockedBucket(sandbox.endpoint, account, { bucket });
      const roleArn = `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/TrailOperator`;
      const { IAMClient, CreateRoleCommand, PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
      const iam = new IAMClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: MANAGEMENT_CREDENTIALS,
      });
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'TrailOperator',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:root` },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      // The strict sandbox wants the operator role allowed to AssumeRoot, as the root-operator module allows it.
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'TrailOperator',
          PolicyName: 'assume-root-unlock',
          PolicyDocument: renderOperatorPolicy({ profile: 'unlock-only' }),
        }),
      );
      const { records } = await recorded(
        ['s3-unlock', '--account', account, '--bucket', bucket, '--role-arn', roleArn, '--yes'],
        { code: 0, root: 1, role: 1 },
      );
      expect(ofType(records, 'session').map((s) => s.kind)).toEqual(['operator', 'root']);
    });
  });
});
