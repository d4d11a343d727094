/**
 * No credential the sandbox issues may leak. Every command runs on its success path with -v (and --json
 * where it has one); afterwards every secret key and session token the sandbox ever issued is looked for in
 * stdout, stderr, the audit log, backups and deletion records. The one exception is what `credentials`
 * prints on stdout: handing out the session is that command's job.
 */
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy } from '../../emulator/proxy';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import {
  issuedSecrets,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
} from '../../emulator/seed';
import { backups, filesUnder, findSecrets, runCli, scratchDir, type CliResult } from './harness';
import { describeWithSandbox, queueUrlVia } from '../../test-support/sandbox';

let sandbox: Sandbox;
let proxy: FaultProxy;
let scratch: string;
let accounts: string[];
const scanned: { where: string; text: string }[] = [];

describeWithSandbox('reliability: secrets', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    proxy = await startFaultProxy({ target: sandbox.endpoint });
    scratch = scratchDir('secrets-');
    const org = await seedOrganization(sandbox.endpoint, { accounts: 4 });
    accounts = org.accounts.map((account) => account.id);
    await seedLockedBucket(sandbox.endpoint, accounts[0], { bucket: 'secrets-bucket' });
    await seedRootCredentials(sandbox.endpoint, accounts[1], {
      loginProfile: true,
      accessKeys: 2,
      mfaDevices: 1,
      signingCertificates: 1,
    });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await sandbox?.stop();
  });

  async function run(args: string[], options: { scanStdout?: boolean } = {}): Promise<CliResult> {
    const result = await runCli([...args, '-v'], { endpoint: proxy.endpoint, scratch });
    const label = args.slice(0, 2).join(' ');
    scanned.push({ where: `stderr of ${label}`, text: result.stderr });
    if (options.scanStdout ?? true) scanned.push({ where: `stdout of ${label}`, text: result.stdout });
    return result;
  }

  describe('secrets', () => {
    it('never appear in any output, log, backup or record, -v included', async () => {
      const [locked, withCredentials, plain] = accounts;
      const seeded = await seedLockedQueue(sandbox.endpoint, plain, { queueName: 'secrets-queue' });
      const queueUrl = queueUrlVia(seeded.queueUrl, proxy.endpoint);
      const results: [string, CliResult][] = [];
      const record = async (name: string, args: string[], options?: { scanStdout?: boolean }) => {
        results.push([name, await run(args, options)]);
      };

      await record('s3-unlock', ['s3-unlock', '--account', locked, '--bucket', 'secrets-bucket', '--yes', '--json']);
      await record('sqs-unlock', ['sqs-unlock', '--account', plain, '--queue-url', queueUrl, '--yes', '--json']);
      await record('root-password-reset', ['root-password-reset', '--account', plain, '--yes', '--json']);
      const backup = backups(scratch).find((b) => b.resource === 'secrets-bucket');
      expect(backup).toBeDefined();
      await record('restore', ['restore', '--backup', backup!.path, '--yes', '--json']);
      await record('audit json', ['audit', '--all', '--output', 'json']);
      await record('audit csv', ['audit', '--accounts', withCredentials, '--output', 'csv']);
      await record('audit table', ['audit', '--accounts', withCredentials]);
      await record('delete-root-credentials', [
        'delete-root-credentials',
        '--accounts',
        withCredentials,
        '--yes',
        '--json',
      ]);
      await record('exec', ['exec', '--account', plain, '--task', 'audit', '--', process.execPath, '-e', '0']);
      for (const format of ['env', 'json', 'credential-process']) {
        await record(
          `credentials ${format}`,
          ['credentials', '--account', plain, '--task', 'audit', '--format', format],
          {
            scanStdout: false,
          },
        );
      }

      for (const [name, result] of results) expect({ name, code: result.code }).toEqual({ name, code: 0 });
      // The policy backups and the deletion record must exist, or the scan below looked at nothing.
      expect(filesUnder(join(scratch, 'backups')).length).toBeGreaterThanOrEqual(3);
      const files = filesUnder(scratch).map(({ path, text }) => ({ where: path, text }));
      expect(files.some(({ where }) => where.endsWith('runbook-audit.jsonl'))).toBe(true);

      const secrets = await issuedSecrets(sandbox.endpoint);
      // The runs above assumed root sessions; if the sandbox reported no secrets the scan would prove nothing.
      expect(secrets.length).toBeGreaterThanOrEqual(10);
      // The credentials command printed a session: it must be one of the issued ones, or this check is blind.
      const printed = results.find(([name]) => name === 'credentials json')![1].stdout;
      expect(secrets.some((secret) => printed.includes(secret))).toBe(true);
      expect(findSecrets(secrets, [...scanned, ...files])).toEqual([]);
    }, 180_000);
  });
});
