/**
 * Bad input across every command, through the built CLI and the proxy. Each case must exit 2, say on
 * stderr which value is wrong and what is allowed, and reach AWS with nothing that changes anything: in an
 * incident a typo must cost one re-run, never a half-applied change.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy } from '../../emulator/proxy';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import { seedOrganization, seedLockedBucket, seedLockedQueue, issuedSecrets } from '../../emulator/seed';
import { findSecrets, outputs, runCli, scratchDir } from './harness';
import { describeWithSandbox } from '../../test-support/sandbox';

const MANAGEMENT = '123456789012';
/**
 * "Says what is allowed": every CLI error is an `error:` line naming the bad value, then either an
 * `expected …` or `one of …` clause, or a `hint:` line saying what to give instead.
 */
const ALLOWED = /expected |one of |\nhint: \S/;

interface Case {
  name: string;
  args: string[];
  /** The text stderr must contain: the bad value itself, or the option that is missing/conflicting. */
  names: string;
}

let sandbox: Sandbox;
let proxy: FaultProxy;
let scratch: string;
let member: string;
let otherMember: string;
let queueUrl: string;
const files: Record<string, string> = {};

describeWithSandbox('reliability: bad input', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    proxy = await startFaultProxy({ target: sandbox.endpoint });
    scratch = scratchDir('bad-input-');
    const org = await seedOrganization(sandbox.endpoint, { accounts: 3 });
    [member, otherMember] = org.accounts.map((account) => account.id);
    await seedLockedBucket(sandbox.endpoint, member, { bucket: 'bad-input-bucket' });
    ({ queueUrl } = await seedLockedQueue(sandbox.endpoint, member, { queueName: 'bad-input-queue' }));
    const write = (name: string, text: string) => {
      files[name] = join(scratch, name);
      writeFileSync(files[name], text);
    };
    write('not-json.json', '{"Version": "2012-10-17", Statement: oops');
    write('no-statement.json', JSON.stringify({ Version: '2012-10-17' }));
    write('empty-statement.json', JSON.stringify({ Version: '2012-10-17', Statement: [] }));
    write(
      'oversize.json',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'x'.repeat(21 * 1024), Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' },
        ],
      }),
    );
    write('backup-not-json.json', 'this is not a backup');
    write(
      'backup-no-policy.json',
      JSON.stringify({ runbook: 's3-unlock', account: member, region: 'us-east-1', resource: 'bad-input-bucket' }),
    );
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await sandbox?.stop();
  });

  function cases(): Case[] {
    const s3 = (...extra: string[]) => ['s3-unlock', '--yes', ...extra];
    const sqs = (...extra: string[]) => ['sqs-unlock', '--yes', ...extra];
    const bucket = ['--bucket', 'bad-input-bucket'];
    const account = ['--account', '@member'];
    const queueIn = (acct: string, region: string) => `https://sqs.${region}.amazonaws.com/${acct}/bad-input-queue`;
    return [
      // s3-unlock
      { name: 's3: account id too short', args: s3('--account', '12345', ...bucket), names: '12345' },
      { name: 's3: account id too long', args: s3('--account', '1234567890123', ...bucket), names: '1234567890123' },
      { name: 's3: account id with letters', args: s3('--account', '12345678901a', ...bucket), names: '12345678901a' },
      {
        name: 's3: account id with spaces',
        args: s3('--account', '1234 5678 9012', ...bucket),
        names: '1234 5678 9012',
      },
      { name: 's3: the management account', args: s3('--account', MANAGEMENT, ...bucket), names: MANAGEMENT },
      { name: 's3: bucket with capitals', args: s3(...account, '--bucket', 'My_Bucket'), names: 'My_Bucket' },
      { name: 's3: bucket too short', args: s3(...account, '--bucket', 'ab'), names: '"ab"' },
      { name: 's3: bucket too long', args: s3(...account, '--bucket', 'b'.repeat(64)), names: 'b'.repeat(64) },
      { name: 's3: bucket with two dots', args: s3(...account, '--bucket', 'a..b'), names: 'a..b' },
      { name: 's3: bucket like an IP', args: s3(...account, '--bucket', '192.168.1.1'), names: '192.168.1.1' },
      { name: 's3: bucket with reserved prefix', args: s3(...account, '--bucket', 'xn--bucket'), names: 'xn--bucket' },
      { name: 's3: bucket ending in a hyphen', args: s3(...account, '--bucket', 'bucket-'), names: 'bucket-' },
      { name: 's3: missing --bucket', args: s3(...account), names: '--bucket' },
      {
        name: 's3: policy file not JSON',
        args: s3(...account, ...bucket, '--policy-file', 'F:not-json.json'),
        names: 'not-json.json',
      },
      {
        name: 's3: policy without Statement',
        args: s3(...account, ...bucket, '--policy-file', 'F:no-statement.json'),
        names: 'no-statement.json',
      },
      {
        name: 's3: policy with empty Statement',
        args: s3(...account, ...bucket, '--policy-file', 'F:empty-statement.json'),
        names: 'empty-statement.json',
      },
      {
        name: 's3: oversize policy',
        args: s3(...account, ...bucket, '--policy-file', 'F:oversize.json'),
        names: 'oversize.json',
      },
      {
        name: 's3: missing policy file',
        args: s3(...account, ...bucket, '--policy-file', '/nonexistent/p.json'),
        names: '/nonexistent/p.json',
      },
      { name: 's3: duration 0', args: s3(...account, ...bucket, '--duration', '0'), names: '"0"' },
      { name: 's3: duration 901', args: s3(...account, ...bucket, '--duration', '901'), names: '901' },
      { name: 's3: duration not a number', args: s3(...account, ...bucket, '--duration', '5m'), names: '5m' },
      { name: 's3: unknown flag', args: s3(...account, ...bucket, '--force'), names: '--force' },
      { name: 's3: bad region', args: s3(...account, ...bucket, '--region', 'moon-base-one'), names: 'moon-base-one' },
      {
        name: 's3: bad role ARN',
        args: s3(...account, ...bucket, '--role-arn', 'RootOperator'),
        names: 'RootOperator',
      },
      {
        name: 's3: external id without role',
        args: s3(...account, ...bucket, '--external-id', 'abc123'),
        names: '--external-id',
      },
      // sqs-unlock
      {
        name: 'sqs: queue URL of another account',
        args: sqs(...account, '--queue-url', queueIn('@other', 'us-east-1')),
        names: '@other',
      },
      {
        name: 'sqs: queue URL of another region',
        args: sqs(...account, '--region', 'us-east-1', '--queue-url', queueIn('@member', 'eu-west-1')),
        names: 'eu-west-1',
      },
      {
        name: 'sqs: both queue URL and name',
        args: sqs(...account, '--queue-url', 'Q:url', '--queue-name', 'bad-input-queue'),
        names: '--queue-name',
      },
      { name: 'sqs: neither queue URL nor name', args: sqs(...account), names: '--queue-url' },
      { name: 'sqs: queue name with spaces', args: sqs(...account, '--queue-name', 'my queue'), names: 'my queue' },
      { name: 'sqs: queue URL not a URL', args: sqs(...account, '--queue-url', 'not-a-url'), names: 'not-a-url' },
      {
        name: 'sqs: policy file not JSON',
        args: sqs(...account, '--queue-url', 'Q:url', '--policy-file', 'F:not-json.json'),
        names: 'not-json.json',
      },
      {
        name: 'sqs: the management account',
        args: sqs('--account', MANAGEMENT, '--queue-name', 'bad-input-queue'),
        names: MANAGEMENT,
      },
      // root-password-reset
      { name: 'password: empty account', args: ['root-password-reset', '--yes', '--account', ''], names: '--account' },
      {
        name: 'password: account with letters',
        args: ['root-password-reset', '--yes', '--account', 'abcdefghijkl'],
        names: 'abcdefghijkl',
      },
      {
        name: 'password: the management account',
        args: ['root-password-reset', '--yes', '--account', MANAGEMENT],
        names: MANAGEMENT,
      },
      {
        name: 'password: stray positional',
        args: ['root-password-reset', '--yes', ...account, 'extra'],
        names: 'extra',
      },
      // restore
      {
        name: 'restore: missing backup file',
        args: ['restore', '--yes', '--backup', '/nonexistent/backup.json'],
        names: '/nonexistent/backup.json',
      },
      {
        name: 'restore: backup not JSON',
        args: ['restore', '--yes', '--backup', 'F:backup-not-json.json'],
        names: 'backup-not-json.json',
      },
      {
        name: 'restore: backup without policy',
        args: ['restore', '--yes', '--backup', 'F:backup-no-policy.json'],
        names: 'backup-no-policy.json',
      },
      // audit
      { name: 'audit: empty --accounts', args: ['audit', '--accounts', ''], names: '--accounts' },
      {
        name: 'audit: account id with letters in list',
        args: ['audit', '--accounts', '@member,12345678901x'],
        names: '12345678901x',
      },
      { name: 'audit: bad OU id', args: ['audit', '--ou', 'ou-bad'], names: 'ou-bad' },
      { name: 'audit: concurrency 0', args: ['audit', '--all', '--concurrency', '0'], names: '"0"' },
      { name: 'audit: concurrency not a number', args: ['audit', '--all', '--concurrency', 'many'], names: 'many' },
      { name: 'audit: unknown output format', args: ['audit', '--all', '--output', 'yaml'], names: 'yaml' },
      { name: 'audit: --all with --accounts', args: ['audit', '--all', '--accounts', '@member'], names: '--all' },
      // delete-root-credentials
      {
        name: 'delete: unknown credential kind',
        args: ['delete-root-credentials', '--yes', '--accounts', '@member', '--only', 'passwords'],
        names: 'passwords',
      },
      { name: 'delete: no selection', args: ['delete-root-credentials', '--yes'], names: '--accounts' },
      {
        // AssumeRoot reaches only member accounts: naming the management account must not pass as "skipped, exit 0".
        name: 'delete: the management account in --accounts',
        args: ['delete-root-credentials', '--yes', '--accounts', `@member,${MANAGEMENT}`],
        names: MANAGEMENT,
      },
      // exec, credentials, spoke
      { name: 'exec: unknown task alias', args: ['exec', ...account, '--task', 'admin', '--', 'true'], names: 'admin' },
      {
        name: 'exec: custom task policy ARN',
        args: ['exec', ...account, '--task', 'arn:aws:iam::111122223333:policy/Mine', '--', 'true'],
        names: 'arn:aws:iam::111122223333:policy/Mine',
      },
      { name: 'exec: no command', args: ['exec', ...account, '--task', 'audit'], names: '--' },
      {
        name: 'credentials: unknown format',
        args: ['credentials', ...account, '--task', 'audit', '--format', 'yaml'],
        names: 'yaml',
      },
      { name: 'credentials: bad account', args: ['credentials', '--account', '42', '--task', 'audit'], names: '"42"' },
      {
        name: 'spoke: bad hub account',
        args: [
          'spoke',
          'exec',
          '--hub-account',
          'hub',
          '--hub-role',
          'Hub',
          '--spoke-account',
          '@member',
          '--spoke-role',
          'Spoke',
          '--',
          'true',
        ],
        names: '"hub"',
      },
      // the CLI itself
      { name: 'cli: unknown command', args: ['unlock-everything'], names: 'unlock-everything' },
    ];
  }

  /**
   * The cases are listed before the sandbox runs, so they use placeholders: F:<name> is a fixture file, Q:url
   * the seeded queue's URL, @member and @other two member accounts.
   */
  function resolve(arg: string): string {
    if (arg.startsWith('F:')) return files[arg.slice(2)];
    if (arg === 'Q:url') return queueUrl;
    return arg.replace(/@member/g, member).replace(/@other/g, otherMember);
  }

  describe('bad input', () => {
    it('has at least 40 cases', () => {
      expect(cases().length).toBeGreaterThanOrEqual(40);
    });

    it.each(cases().map((c) => [c.name, c] as const))(
      '%s: exits 2, names the value and what is allowed, changes nothing',
      async (_name, c) => {
        proxy.clearLog();
        const result = await runCli(c.args.map(resolve), { endpoint: proxy.endpoint, scratch });
        const named = resolve(c.names);
        expect({ code: result.code, stderr: result.stderr }).toEqual({
          code: 2,
          stderr: expect.stringContaining(named),
        });
        expect(result.stderr).toMatch(ALLOWED);
        expect(proxy.log().filter((entry) => entry.mutating)).toEqual([]);
      },
    );

    it('never printed a secret the sandbox issued', async () => {
      const leaks = findSecrets(
        await issuedSecrets(sandbox.endpoint),
        outputs.map((text, i) => ({ where: `CLI output ${i}`, text })),
      );
      expect(leaks).toEqual([]);
    });
  });
});
