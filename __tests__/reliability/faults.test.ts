/**
 * The CLI under a misbehaving AWS: 20% throttling, 5% internal errors and 2% connection resets on every
 * call, decided by a seeded proxy. A fleet audit must come out exactly as without faults; an unlock must
 * either finish correctly or fail with exit 1 leaving the resource as it was, and never remove a policy
 * whose backup is not on disk.
 */
import { startFaultProxy, type FaultProxy } from '../../emulator/proxy';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import {
  issuedSecrets,
  readBucketPolicy,
  readQueuePolicy,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
} from '../../emulator/seed';
import { auditLines, backups, filesUnder, findSecrets, outputs, runCli, scratchDir } from './harness';
import { describeWithSandbox, queueUrlVia } from '../../test-support/sandbox';

const FAULTS = { throttle: 0.2, serverError: 0.05, reset: 0.02 };
/** The engine retries a fault up to 8 attempts per call (runbooks/lib/pacer.ts MAX_ATTEMPTS). */
const BELOW_ATTEMPT_LIMIT = 4;

let sandbox: Sandbox;
let accounts: string[];
const proxies: FaultProxy[] = [];
const scratches: string[] = [];

async function proxy(options: Parameters<typeof startFaultProxy>[0]): Promise<FaultProxy> {
  const started = await startFaultProxy(options);
  proxies.push(started);
  return started;
}

function scratch(): string {
  const dir = scratchDir('faults-');
  scratches.push(dir);
  return dir;
}

describeWithSandbox('reliability: faults', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    const org = await seedOrganization(sandbox.endpoint, { accounts: 200 });
    accounts = org.accounts.map((account) => account.id);
    // Every tenth account keeps some root credentials, in varied combinations, so the audit has findings.
    for (const [index, account] of accounts.entries()) {
      if (index % 10 !== 0) continue;
      await seedRootCredentials(sandbox.endpoint, account, {
        loginProfile: index % 20 === 0,
        accessKeys: (index / 10) % 3,
        mfaDevices: index % 30 === 0 ? 1 : 0,
        signingCertificates: index % 40 === 0 ? 1 : 0,
      });
    }
  }, 120_000);

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    // Whatever the faults did, no issued secret may have reached any output or file the CLI wrote.
    if (sandbox) {
      const texts = [
        ...outputs.map((text, i) => ({ where: `CLI output ${i}`, text })),
        ...scratches.flatMap((dir) => filesUnder(dir).map(({ path, text }) => ({ where: path, text }))),
      ];
      expect(findSecrets(await issuedSecrets(sandbox.endpoint), texts)).toEqual([]);
    }
    await sandbox?.stop();
  });

  interface AuditRow {
    account: string;
  }

  async function audit(endpoint: string): Promise<{ code: number | null; rows: AuditRow[]; stderr: string }> {
    const result = await runCli(['audit', '--all', '--output', 'json'], {
      endpoint,
      scratch: scratch(),
      timeoutMs: 230_000,
    });
    const rows = (JSON.parse(result.stdout || '[]') as AuditRow[]).sort((a, b) => a.account.localeCompare(b.account));
    return { code: result.code, rows, stderr: result.stderr };
  }

  describe('fleet audit under faults', () => {
    it('gives exactly the fault-free result for 200 accounts', async () => {
      const clean = await audit((await proxy({ target: sandbox.endpoint })).endpoint);
      expect(clean.code).toBe(0);
      expect(clean.rows.length).toBe(accounts.length + 1);

      const faulty = await proxy({
        target: sandbox.endpoint,
        seed: 2026,
        faults: { ...FAULTS, maxConsecutive: BELOW_ATTEMPT_LIMIT },
      });
      const stormy = await audit(faulty.endpoint);
      expect(stormy.code).toBe(0);
      expect(stormy.rows).toEqual(clean.rows);
      expect(stormy.rows.filter((row) => (row as { loginProfile?: unknown }).loginProfile).length).toBeGreaterThan(0);

      // The faults really happened, in every kind, on both STS and IAM.
      const outcomes = new Set(faulty.log().map((entry) => `${entry.service}:${entry.outcome}`));
      for (const expected of ['sts:throttled', 'iam:throttled', 'iam:server-error', 'iam:reset']) {
        expect(outcomes).toContain(expected);
      }
    }, 240_000);
  });

  describe('unlocks under faults', () => {
    const seeds = [1, 2, 3, 4, 5, 6];

    it.each(seeds)('s3-unlock with fault seed %i completes, or exits 1 with the bucket untouched', async (seed) => {
      const bucket = `faulty-bucket-${seed}`;
      const account = accounts[seed];
      const { policy } = await seedLockedBucket(sandbox.endpoint, account, { bucket });
      const dir = scratch();
      const faulty = await proxy({ target: sandbox.endpoint, seed, faults: FAULTS });
      const result = await runCli(['s3-unlock', '--account', account, '--bucket', bucket, '--yes', '--json'], {
        endpoint: faulty.endpoint,
        scratch: dir,
      });
      const after = await readBucketPolicy(sandbox.endpoint, account, bucket);
      const saved = backups(dir).filter((b) => b.resource === bucket);
      if (result.code === 0) {
        expect(after).toBeNull();
        expect(JSON.parse(result.stdout)).toMatchObject({ runbook: 's3-unlock', account, status: 'changed' });
      } else {
        expect(result.code).toBe(1);
        expect(after).toBe(policy);
      }
      if (after === null) expect(saved.map((b) => b.policy)).toContain(policy);
      expect(() => auditLines(dir)).not.toThrow();
    });

    it.each(seeds)('sqs-unlock with fault seed %i completes, or exits 1 with the queue untouched', async (seed) => {
      const account = accounts[seed + 10];
      const seeded = await seedLockedQueue(sandbox.endpoint, account, { queueName: `faulty-queue-${seed}` });
      const { policy } = seeded;
      const dir = scratch();
      const faulty = await proxy({ target: sandbox.endpoint, seed, faults: FAULTS });
      const queueUrl = queueUrlVia(seeded.queueUrl, faulty.endpoint);
      const result = await runCli(['sqs-unlock', '--account', account, '--queue-url', queueUrl, '--yes', '--json'], {
        endpoint: faulty.endpoint,
        scratch: dir,
      });
      const after = await readQueuePolicy(sandbox.endpoint, account, queueUrl);
      const saved = backups(dir).filter((b) => b.resource === queueUrl);
      if (result.code === 0) {
        expect(after).toBeNull();
      } else {
        expect(result.code).toBe(1);
        expect(after).toBe(policy);
      }
      if (after === null) expect(saved.map((b) => b.policy)).toContain(policy);
      expect(() => auditLines(dir)).not.toThrow();
    });

    it('cuts off a stalled answer at the request timeout instead of waiting for it', async () => {
      const account = accounts[41];
      const { policy } = await seedLockedBucket(sandbox.endpoint, account, { bucket: 'stalled-bucket' });
      const dir = scratch();
      // Every answer would arrive after 60 s; the client gives up on each attempt after 300 ms.
      const stalled = await proxy({ target: sandbox.endpoint, faults: { slow: 1, slowMs: 60_000 } });
      const started = Date.now();
      const result = await runCli(['s3-unlock', '--account', account, '--bucket', 'stalled-bucket', '--yes'], {
        endpoint: stalled.endpoint,
        scratch: dir,
        env: { RUNBOOK_HTTP_TIMEOUT_MS: '300' },
      });
      expect(result.code).toBe(1);
      expect(Date.now() - started).toBeLessThan(45_000);
      expect(stalled.log().length).toBeGreaterThan(1);
      expect(await readBucketPolicy(sandbox.endpoint, account, 'stalled-bucket')).toBe(policy);
    }, 120_000);

    it('exits 1 with the bucket untouched when AWS keeps failing past every retry', async () => {
      const account = accounts[40];
      const { policy } = await seedLockedBucket(sandbox.endpoint, account, { bucket: 'always-throttled' });
      const dir = scratch();
      // Internal errors rather than throttling: the same give-up path, with the SDK's shorter back-off.
      const failing = await proxy({ target: sandbox.endpoint, faults: { serverError: 1 } });
      const result = await runCli(['s3-unlock', '--account', account, '--bucket', 'always-throttled', '--yes'], {
        endpoint: failing.endpoint,
        scratch: dir,
      });
      expect(result.code).toBe(1);
      expect(await readBucketPolicy(sandbox.endpoint, account, 'always-throttled')).toBe(policy);
      expect(failing.log().some((entry) => entry.outcome === 'passed')).toBe(false);
    }, 120_000);
  });
});
