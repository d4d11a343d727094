/**
 * The AWS calls each single-account runbook makes, read from the proxy log. They are deterministic, so they
 * are asserted: one AssumeRoot, exactly the one change the runbook exists for, the reads around it, and no
 * change at all on --dry-run. `npm run bench -- call-counts` records the full sequences in BENCHMARKS.md; the
 * expected s3-unlock sequence is shared with it from test-support/expected-calls.ts.
 */
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from '../../emulator/proxy';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import { seedLockedBucket, seedLockedQueue, seedOrganization, seedRootCredentials } from '../../emulator/seed';
import {
  AUDIT_CLEAN_ACCOUNT_CALLS,
  DELETE_ALL_KINDS_CALLS,
  DELETE_LOGIN_PROFILE_CALLS,
  inPhases,
  S3_UNLOCK_CALLS,
  sortedPhases,
} from '../../test-support/expected-calls';
import { runCli, scratchDir } from './harness';
import { describeWithSandbox, queueUrlVia } from '../../test-support/sandbox';

let sandbox: Sandbox;
let proxy: FaultProxy;
let accounts: string[];

describeWithSandbox('reliability: AWS calls', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    proxy = await startFaultProxy({ target: sandbox.endpoint });
    const org = await seedOrganization(sandbox.endpoint, { accounts: 6 });
    accounts = org.accounts.map((account) => account.id);
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await sandbox?.stop();
  });

  async function calls(args: string[]): Promise<ProxyLogEntry[]> {
    proxy.clearLog();
    const result = await runCli(args, { endpoint: proxy.endpoint, scratch: scratchDir('calls-') });
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    return proxy.log();
  }

  const names = (log: ProxyLogEntry[]) => log.map((entry) => `${entry.service} ${entry.action}`);
  const changes = (log: ProxyLogEntry[]) => names(log.filter((entry) => entry.mutating));
  /** The caller's own identity (for the audit log's caller ARN) is the one read outside the task session. */
  const withoutCallerCheck = (log: ProxyLogEntry[]) => names(log).filter((name) => name !== 'sts GetCallerIdentity');

  describe('AWS calls per fleet account', () => {
    it('audit of a clean account: AssumeRoot, then GetAccountSummary with GetLoginProfile, and nothing to list', async () => {
      const log = names(await calls(['audit', '--accounts', accounts[3], '--output', 'json']));
      expect(inPhases(log, AUDIT_CLEAN_ACCOUNT_CALLS)).toEqual(sortedPhases(AUDIT_CLEAN_ACCOUNT_CALLS));
    });

    it('delete-root-credentials of every kind: exactly the planned reads, one call per credential, the verify', async () => {
      const account = accounts[4];
      await seedRootCredentials(sandbox.endpoint, account, {
        loginProfile: true,
        accessKeys: 1,
        mfaDevices: 1,
        signingCertificates: 1,
      });
      const dry = await calls(['delete-root-credentials', '--accounts', account, '--dry-run', '--json']);
      expect(changes(dry)).toEqual([]);
      expect(inPhases(names(dry), DELETE_ALL_KINDS_CALLS.slice(0, 6))).toEqual(
        sortedPhases(DELETE_ALL_KINDS_CALLS.slice(0, 6)),
      );
      const log = names(await calls(['delete-root-credentials', '--accounts', account, '--yes', '--json']));
      expect(inPhases(log, DELETE_ALL_KINDS_CALLS)).toEqual(sortedPhases(DELETE_ALL_KINDS_CALLS));
      // A virtual MFA device can only be deleted once it is deactivated.
      expect(log.indexOf('iam DeactivateMFADevice')).toBeLessThan(log.indexOf('iam DeleteVirtualMFADevice'));
      expect(log.filter((name) => name === 'organizations DescribeOrganization')).toHaveLength(1);
    });

    it('delete-root-credentials of a password only: the summary spares the plan every list', async () => {
      const account = accounts[5];
      await seedRootCredentials(sandbox.endpoint, account, { loginProfile: true });
      const log = names(await calls(['delete-root-credentials', '--accounts', account, '--yes', '--json']));
      expect(inPhases(log, DELETE_LOGIN_PROFILE_CALLS)).toEqual(sortedPhases(DELETE_LOGIN_PROFILE_CALLS));
    });
  });

  describe('AWS calls per runbook', () => {
    it('s3-unlock: AssumeRoot, read, delete, verify — and nothing else but the caller check', async () => {
      await seedLockedBucket(sandbox.endpoint, accounts[0], { bucket: 'calls-bucket' });
      const dry = await calls(['s3-unlock', '--account', accounts[0], '--bucket', 'calls-bucket', '--dry-run']);
      expect(changes(dry)).toEqual([]);
      const log = await calls(['s3-unlock', '--account', accounts[0], '--bucket', 'calls-bucket', '--yes']);
      expect(withoutCallerCheck(log)).toEqual(S3_UNLOCK_CALLS);
      expect(names(log).filter((name) => name === 'sts GetCallerIdentity').length).toBeLessThanOrEqual(1);
    });

    it('sqs-unlock: one AssumeRoot and one SetQueueAttributes; none on --dry-run', async () => {
      const seeded = await seedLockedQueue(sandbox.endpoint, accounts[1], { queueName: 'calls-queue' });
      const queueUrl = queueUrlVia(seeded.queueUrl, proxy.endpoint);
      const dry = await calls(['sqs-unlock', '--account', accounts[1], '--queue-url', queueUrl, '--dry-run']);
      expect(changes(dry)).toEqual([]);
      const log = await calls(['sqs-unlock', '--account', accounts[1], '--queue-url', queueUrl, '--yes']);
      expect(changes(log)).toEqual(['sqs SetQueueAttributes']);
      expect(names(log).filter((name) => name === 'sts AssumeRoot')).toHaveLength(1);
    });

    it('root-password-reset: one AssumeRoot and one CreateLoginProfile; none on --dry-run', async () => {
      const dry = await calls(['root-password-reset', '--account', accounts[2], '--dry-run']);
      expect(changes(dry)).toEqual([]);
      const log = await calls(['root-password-reset', '--account', accounts[2], '--yes']);
      expect(changes(log)).toEqual(['iam CreateLoginProfile']);
      expect(names(log).filter((name) => name === 'sts AssumeRoot')).toHaveLength(1);
    });
  });
});
