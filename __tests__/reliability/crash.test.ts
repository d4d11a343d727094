/**
 * Crash safety: the CLI is SIGKILLed at 20 seeded points (10 during s3-unlock, 10 during
 * delete-root-credentials), either as its k-th AWS request arrives at the proxy or after a seeded delay.
 * Afterwards nothing may be lost: a removed policy has its backup on disk, deleted credentials are in a
 * deletion record, and a plain re-run finishes the job. And at EVERY point the audit trail was ahead of AWS:
 * a run that made any request has its intent on disk; every session key the proxy saw sign a request has its
 * session record; every change that reached the proxy has its change record (for that account, in that run);
 * and `runbook log verify` finds the chain intact after the kill and after the re-run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from '../../emulator/proxy';
import { uniform } from '../../emulator/proxy/faults';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import {
  issuedSecrets,
  readBucketPolicy,
  readRootCredentials,
  seedLockedBucket,
  seedOrganization,
  seedRootCredentials,
} from '../../emulator/seed';
import { auditLines, auditLogOf, backups, filesUnder, findSecrets, outputs, runCli, scratchDir } from './harness';
import { describeWithSandbox } from '../../test-support/sandbox';
import { ofType, trailRecords } from '../../test-support/trail';

const SEED = 20261122;
const POINTS_PER_RUNBOOK = 10;
/** Each request waits this long at the proxy, so a kill lands while requests are in flight. */
const LATENCY_MS = 40;

interface KillPoint {
  index: number;
  /** Kill when the k-th request of the run arrives (it may still be forwarded: the worst case for a change). */
  atRequest?: number;
  /** Or kill this many ms after the CLI starts. */
  afterMs?: number;
}

/**
 * Half the points at a request number, half after a delay, all from one seed. The request numbers are
 * stratified (one seeded draw inside each fifth of the run), so some always land before the change and some
 * after it, however loaded the machine is; the delays alone depend on timing.
 */
function killPoints(runbook: number, requestsInFullRun: number, fullRunMs: number): KillPoint[] {
  const strata = POINTS_PER_RUNBOOK / 2;
  return Array.from({ length: POINTS_PER_RUNBOOK }, (_, index) => {
    const draw = uniform(SEED + runbook, index, 0);
    return index % 2 === 0
      ? { index, atRequest: Math.floor(((index / 2 + draw) * requestsInFullRun) / strata) }
      : { index, afterMs: Math.round(draw * fullRunMs) };
  });
}

let sandbox: Sandbox;
let proxy: FaultProxy;
let accounts: string[];
let onRequest: ((entry: ProxyLogEntry) => void) | undefined;
const scratches: string[] = [];

describeWithSandbox('reliability: crash safety', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    proxy = await startFaultProxy({
      target: sandbox.endpoint,
      latencyMs: LATENCY_MS,
      onRequest: (entry) => onRequest?.(entry),
    });
    const org = await seedOrganization(sandbox.endpoint, { accounts: 2 * POINTS_PER_RUNBOOK + 2 });
    accounts = org.accounts.map((account) => account.id);
  }, 120_000);

  afterAll(async () => {
    if (sandbox) {
      const texts = [
        ...outputs.map((text, i) => ({ where: `CLI output ${i}`, text })),
        ...scratches.flatMap((dir) => filesUnder(dir).map(({ path, text }) => ({ where: path, text }))),
      ];
      expect(findSecrets(await issuedSecrets(sandbox.endpoint), texts)).toEqual([]);
    }
    await proxy?.stop();
    await sandbox?.stop();
  });

  /**
   * Runs the CLI and kills it at the point; returns whether the kill happened before it exited, and every request
   * the proxy saw from it (the ones it was still holding have landed by then).
   */
  async function runAndKill(
    args: string[],
    scratch: string,
    point: KillPoint,
  ): Promise<{ killed: boolean; requests: ProxyLogEntry[] }> {
    let requests = 0;
    let kill: (() => void) | undefined;
    proxy.clearLog();
    onRequest = () => {
      if (requests++ === point.atRequest) kill?.();
    };
    const result = await runCli(args, {
      endpoint: proxy.endpoint,
      scratch,
      killAfterMs: point.afterMs,
      onSpawn: (k) => (kill = k),
    });
    onRequest = undefined;
    await new Promise((resolve) => setTimeout(resolve, 4 * LATENCY_MS));
    return { killed: result.signal === 'SIGKILL', requests: proxy.log() };
  }

  /**
   * The write-ahead rule, checked against what really reached AWS: intent before any request, a session record
   * for every temporary key that signed one, and a change record for every change, in the run and account of
   * the key that made it. ('testing' is the caller's own key, which the sandbox issued to nobody.)
   */
  function expectTrailAhead(point: KillPoint, scratch: string, requests: ProxyLogEntry[]): void {
    const records = trailRecords(auditLogOf(scratch));
    const sessions = new Map(ofType(records, 'session').map((r) => [String(r.accessKeyId), r]));
    const changes = ofType(records, 'change');
    const used = [...new Set(requests.map((r) => r.accessKeyId).filter((k) => k !== undefined && k !== 'testing'))];
    const unrecorded = used.filter((key) => !sessions.has(key as string));
    const unrecordedChanges = requests
      .filter((r) => r.mutating)
      .filter((r) => {
        const session = sessions.get(r.accessKeyId ?? '');
        return !changes.some((c) => c.run === session?.run && c.account === session?.account);
      })
      .map((r) => `${r.service} ${r.action}`);
    expect({
      point,
      intent: requests.length === 0 || ofType(records, 'intent').length > 0,
      unrecorded,
      unrecordedChanges,
    }).toEqual({
      point,
      intent: true,
      unrecorded: [],
      unrecordedChanges: [],
    });
  }

  /** `runbook log verify` passes; a kill before the run opened its log may leave none, if nothing reached AWS. */
  async function expectVerified(point: KillPoint, scratch: string, requests?: ProxyLogEntry[]): Promise<void> {
    if (requests?.length === 0 && !existsSync(auditLogOf(scratch))) return;
    const verify = await runCli(['log', 'verify', '--json'], { endpoint: proxy.endpoint, scratch });
    expect({ point, code: verify.code, out: verify.code === 0 ? '' : verify.stdout }).toEqual({
      point,
      code: 0,
      out: '',
    });
  }

  /** A full, unkilled run's request count and duration, to place the kill points inside it. */
  async function measureFullRun(args: string[], scratch: string): Promise<{ requests: number; ms: number }> {
    proxy.clearLog();
    const started = Date.now();
    const result = await runCli(args, { endpoint: proxy.endpoint, scratch });
    expect(result.code).toBe(0);
    return { requests: proxy.log().length, ms: Date.now() - started };
  }

  describe('SIGKILL during s3-unlock', () => {
    const s3Args = (account: string, bucket: string) => [
      's3-unlock',
      '--account',
      account,
      '--bucket',
      bucket,
      '--yes',
      '--json',
    ];

    it('loses no policy at any of 10 seeded points, and a re-run finishes the job', async () => {
      const probe = scratchDir('crash-s3-probe-');
      scratches.push(probe);
      await seedLockedBucket(sandbox.endpoint, accounts[0], { bucket: 'crash-probe-bucket' });
      const full = await measureFullRun(s3Args(accounts[0], 'crash-probe-bucket'), probe);

      let killed = 0;
      const states = new Set<string>();
      for (const point of killPoints(1, full.requests, full.ms)) {
        const account = accounts[1 + point.index];
        const bucket = `crash-bucket-${point.index}`;
        const { policy } = await seedLockedBucket(sandbox.endpoint, account, { bucket });
        const scratch = scratchDir('crash-s3-');
        scratches.push(scratch);
        const run = await runAndKill(s3Args(account, bucket), scratch, point);
        if (run.killed) killed += 1;
        expectTrailAhead(point, scratch, run.requests);
        await expectVerified(point, scratch, run.requests);

        const after = await readBucketPolicy(sandbox.endpoint, account, bucket);
        states.add(after === null ? 'removed' : 'intact');
        if (after === null) {
          expect({
            point,
            saved: backups(scratch)
              .filter((b) => b.resource === bucket)
              .map((b) => b.policy),
          }).toEqual({
            point,
            saved: expect.arrayContaining([policy]),
          });
        } else {
          expect(after).toBe(policy);
        }
        expect(() => auditLines(scratch)).not.toThrow();

        const rerun = await runCli(s3Args(account, bucket), { endpoint: proxy.endpoint, scratch });
        expect({ point, code: rerun.code, stderr: rerun.stderr }).toEqual({
          point,
          code: 0,
          stderr: expect.any(String),
        });
        expect(await readBucketPolicy(sandbox.endpoint, account, bucket)).toBeNull();
        expect(
          backups(scratch)
            .filter((b) => b.resource === bucket)
            .map((b) => b.policy),
        ).toContain(policy);
        expect(() => auditLines(scratch)).not.toThrow();
        await expectVerified(point, scratch);
      }
      // The points must really interrupt runs, on both sides of the change, or this test proves nothing.
      expect(killed).toBeGreaterThanOrEqual(POINTS_PER_RUNBOOK / 2);
      expect([...states].sort()).toEqual(['intact', 'removed']);
    }, 240_000);
  });

  describe('SIGKILL during delete-root-credentials', () => {
    // With an MFA device: a kill between DeactivateMFADevice and DeleteVirtualMFADevice leaves a device that
    // ListMFADevices no longer returns; the re-run must find it through the deletion record.
    const SEEDED = { loginProfile: true, accessKeys: 2, mfaDevices: 1, signingCertificates: 2 };
    const deleteArgs = (account: string) => ['delete-root-credentials', '--accounts', account, '--yes', '--json'];
    const total = (c: { loginProfile: boolean; accessKeys: number; mfaDevices: number; signingCertificates: number }) =>
      Number(c.loginProfile) + c.accessKeys + c.mfaDevices + c.signingCertificates;

    it('deletes nothing without a record at any of 10 seeded points, and a re-run finishes the job', async () => {
      const probeAccount = accounts[1 + POINTS_PER_RUNBOOK];
      await seedRootCredentials(sandbox.endpoint, probeAccount, SEEDED);
      const probe = scratchDir('crash-delete-probe-');
      scratches.push(probe);
      const full = await measureFullRun(deleteArgs(probeAccount), probe);

      let killed = 0;
      const states = new Set<string>();
      for (const point of killPoints(2, full.requests, full.ms)) {
        const account = accounts[2 + POINTS_PER_RUNBOOK + (point.index % (accounts.length - 2 - POINTS_PER_RUNBOOK))];
        await seedRootCredentials(sandbox.endpoint, account, SEEDED);
        const before = await readRootCredentials(sandbox.endpoint, account);
        const scratch = scratchDir('crash-delete-');
        scratches.push(scratch);
        const run = await runAndKill(deleteArgs(account), scratch, point);
        if (run.killed) killed += 1;
        expectTrailAhead(point, scratch, run.requests);
        await expectVerified(point, scratch, run.requests);

        const after = await readRootCredentials(sandbox.endpoint, account);
        states.add(total(after) === total(before) ? 'intact' : total(after) === 0 ? 'deleted' : 'partly deleted');
        if (total(after) < total(before)) {
          // Something was deleted: the durable record naming this account must be on disk.
          const records = filesUnder(join(scratch, 'backups')).filter(({ text }) =>
            text.includes('"delete-root-credentials"'),
          );
          const named = records.filter(({ text }) => {
            const record = JSON.parse(text) as { accounts?: { account: string }[] };
            return record.accounts?.some((entry) => entry.account === account) ?? false;
          });
          expect({ point, recorded: named.length > 0 }).toEqual({ point, recorded: true });
        }
        expect(() => auditLines(scratch)).not.toThrow();

        const rerun = await runCli(deleteArgs(account), { endpoint: proxy.endpoint, scratch });
        expect({ point, code: rerun.code, stderr: rerun.stderr }).toEqual({
          point,
          code: 0,
          stderr: expect.any(String),
        });
        expect({ point, left: await readRootCredentials(sandbox.endpoint, account) }).toEqual({
          point,
          left: { loginProfile: false, accessKeys: 0, mfaDevices: 0, signingCertificates: 0 },
        });
        expect(() => auditLines(scratch)).not.toThrow();
        await expectVerified(point, scratch);
      }
      expect(killed).toBeGreaterThanOrEqual(POINTS_PER_RUNBOOK / 2);
      expect(states).toContain('intact');
      expect(states.size).toBeGreaterThan(1);
    }, 240_000);

    it('a kill right after DeactivateMFADevice: the re-run deletes the device only the record still names', async () => {
      const account = accounts[0];
      await seedRootCredentials(sandbox.endpoint, account, SEEDED);
      const scratch = scratchDir('crash-delete-mfa-');
      scratches.push(scratch);
      let kill: (() => void) | undefined;
      onRequest = (entry) => {
        if (entry.action === 'DeactivateMFADevice') kill?.();
      };
      const first = await runCli(deleteArgs(account), {
        endpoint: proxy.endpoint,
        scratch,
        onSpawn: (k) => (kill = k),
      });
      onRequest = undefined;
      expect(first.signal).toBe('SIGKILL');
      // The proxy still forwards the DeactivateMFADevice it was holding; let it land before the re-run audits.
      await new Promise((resolve) => setTimeout(resolve, 4 * LATENCY_MS));
      expect((await readRootCredentials(sandbox.endpoint, account)).mfaDevices).toBe(1);

      proxy.clearLog();
      const rerun = await runCli(deleteArgs(account), { endpoint: proxy.endpoint, scratch });
      expect({ code: rerun.code, stderr: rerun.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(proxy.log().map((entry) => entry.action)).toContain('DeleteVirtualMFADevice');
      expect(await readRootCredentials(sandbox.endpoint, account)).toEqual({
        loginProfile: false,
        accessKeys: 0,
        mfaDevices: 0,
        signingCertificates: 0,
      });

      // Confirmed deleted: a third run plans nothing and changes nothing.
      proxy.clearLog();
      const third = await runCli(deleteArgs(account), { endpoint: proxy.endpoint, scratch });
      expect(third.code).toBe(0);
      expect(JSON.parse(third.stdout)).toMatchObject({ status: 'unchanged' });
      expect(proxy.log().filter((entry) => entry.mutating)).toEqual([]);
    }, 120_000);
  });
});
