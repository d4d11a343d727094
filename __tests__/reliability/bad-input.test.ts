/**
 * Hostile input across every command, through the built CLI, the way an attacker or a tired operator in an
 * incident would type (or paste) it. Each case must:
 * - exit 2;
 * - name the bad value (or the flag, variable or file that holds it) on stderr, and say what is allowed;
 * - never echo a file's content: every file the cases hand in holds MARKER, which must not appear in any output;
 * - send nothing anywhere: the CLI is pointed at a logging proxy in front of the sandbox (--endpoint-url, or the
 *   per-service variables), and the proxy must log no request at all. A second proxy stands in for an attacker's
 *   host: queue URLs point at it, and it must never see a request either.
 * The few cases whose refusal needs AWS's answer (is this account a member of the organization?) allow only the
 * reads that decide it, and assert that no session was issued and nothing was changed.
 * A sample of the cases runs again with --json and must print exactly one JSON object describing the failure.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from '../../emulator/proxy';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import { issuedSecrets, seedLockedBucket, seedLockedQueue, seedOrganization } from '../../emulator/seed';
import { runCli as spawnCli } from '../../test-support/cli';
import { cliEnv } from '../../test-support/cli-env';
import { isCallerLookup } from '../../test-support/expected-calls';
import { describeWithSandbox, queueUrlVia } from '../../test-support/sandbox';
import { findSecrets, outputs, runCli, scratchDir } from './harness';

const MANAGEMENT = '123456789012';
/** Not an account of the seeded organization. */
const OUTSIDER = '999988887777';
/** In every file the cases read; no output may ever contain it. */
const MARKER = 'M4RK3R-c0nt3nt-7e1b9';
/**
 * "Says what is allowed": every CLI error is an `error:` line naming the bad value, then either an
 * `expected …` or `one of …` clause, or a `hint:` line saying what to give instead.
 */
const ALLOWED = /expected |one of |\nhint: \S/;

interface Case {
  name: string;
  args: string[];
  /** Text stderr must contain: the bad value as quoted, or the flag, variable or file that is wrong. */
  names: string;
  /** Added to the CLI's environment (values may hold placeholders). */
  env?: Record<string, string>;
  /**
   * 'flag' (default): --endpoint-url is the proxy. 'services': no --endpoint-url and no SQS override, every other
   * service sent to the proxy by AWS_ENDPOINT_URL_<SERVICE>: the "normal AWS setup" for queue URLs, in which a
   * queue URL's host was once used as the endpoint.
   */
  endpoint?: 'flag' | 'services';
  /**
   * What may reach AWS before the refusal. 'org': deciding membership takes an Organizations read (and the caller
   * check), never an AssumeRoot. 'caller': which account is the caller's own, or a member, is known only from STS,
   * whose AssumeRoot AWS refuses for such a target; no session is issued. Default: nothing at all.
   */
  reaches?: 'org' | 'caller';
  /** Also run with --json, which must print exactly one JSON object. */
  json?: boolean;
}

let sandbox: Sandbox;
let proxy: FaultProxy;
let attacker: FaultProxy;
let scratch: string;
let member: string;
let otherMember: string;
let queueUrl: string;
const files: Record<string, string> = {};

describeWithSandbox('reliability: hostile input', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    proxy = await startFaultProxy({ target: sandbox.endpoint });
    attacker = await startFaultProxy({ target: sandbox.endpoint });
    scratch = scratchDir('bad-input-');
    const org = await seedOrganization(sandbox.endpoint, { accounts: 3 });
    [member, otherMember] = org.accounts.map((account) => account.id);
    await seedLockedBucket(sandbox.endpoint, member, { bucket: 'bad-input-bucket' });
    const queue = await seedLockedQueue(sandbox.endpoint, member, { queueName: 'bad-input-queue' });
    queueUrl = queueUrlVia(queue.queueUrl, proxy.endpoint);
    seedFiles();
  }, 120_000);

  afterAll(async () => {
    await attacker?.stop();
    await proxy?.stop();
    await sandbox?.stop();
  });

  function seedFiles(): void {
    const dir = join(scratch, 'inputs');
    mkdirSync(dir);
    const write = (name: string, content: string | Buffer) => {
      files[name] = join(dir, name);
      writeFileSync(files[name], content);
    };
    const bucketArn = 'arn:aws:s3:::bad-input-bucket';
    const queueArn = `arn:aws:sqs:us-east-1:${member}:bad-input-queue`;
    const allow = (extra: object = {}) => ({
      Sid: MARKER,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${member}:root` },
      Action: 's3:GetObject',
      Resource: `${bucketArn}/*`,
      ...extra,
    });
    const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
    const good = policy(allow());
    write('not-json.json', `{"Version": "2012-10-17", "Statement": ${MARKER}`);
    write('shadow.txt', `root:$6$${MARKER}:19000:0:99999:7:::\n`);
    write('no-statement.json', JSON.stringify({ Version: '2012-10-17', Id: MARKER }));
    write('empty-statement.json', JSON.stringify({ Version: '2012-10-17', Id: MARKER, Statement: [] }));
    write('statement-number.json', JSON.stringify({ Version: '2012-10-17', Id: MARKER, Statement: [1] }));
    write('no-version.json', JSON.stringify({ Id: MARKER, Statement: [allow()] }));
    write('bad-effect.json', policy(allow({ Effect: 'allow' })));
    write('no-action.json', policy(allow({ Action: undefined })));
    write('unknown-element.json', policy(allow({ [MARKER]: true })));
    write('dup-key.json', good.replace('"Effect":"Allow"', '"Effect":"Deny","Effect":"Allow"'));
    write('bom.json', `\ufeff${good}`);
    write('latin1.json', Buffer.concat([Buffer.from(good), Buffer.from([0xe9, 0x0a])]));
    write('nul.json', `${good}\0${MARKER}`);
    write('oversize.json', policy(allow({ Sid: `${MARKER}${'x'.repeat(21 * 1024)}` })));
    write('deep.json', `${'['.repeat(5000)}"${MARKER}"${']'.repeat(5000)}`);
    write('proto.json', `{"__proto__": {"Statement": "${MARKER}"}, "Version": "2012-10-17"}`);
    write('other-bucket.json', policy(allow({ Resource: `arn:aws:s3:::${MARKER.toLowerCase()}/*` })));
    write('wildcard-bucket.json', policy(allow({ Resource: 'arn:aws:s3:::*' })));
    write('other-partition.json', policy(allow({ Resource: 'arn:aws-cn:s3:::bad-input-bucket/*' })));
    write(
      'lockout.json',
      policy(
        allow(),
        allow({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [bucketArn, `${bucketArn}/*`] }),
      ),
    );
    write('other-queue.json', policy(allow({ Action: 'sqs:SendMessage', Resource: `${queueArn}-${MARKER}` })));
    write('sqs-lockout.json', policy(allow({ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: queueArn })));
    const backup = (extra: object) =>
      JSON.stringify({
        runbook: 's3-unlock',
        account: member,
        region: 'us-east-1',
        resourceType: 's3-bucket',
        resource: 'bad-input-bucket',
        policy: policy(allow({ Resource: bucketArn })),
        takenAt: MARKER,
        ...extra,
      });
    const queueBackup = (resource: string) => backup({ resourceType: 'sqs-queue', resource, policy: null });
    write('backup-not-json.json', `this is not a backup ${MARKER}`);
    write('backup-no-policy.json', backup({ policy: undefined }));
    write('backup-bad-account.json', backup({ account: MARKER }));
    write('backup-bad-region.json', backup({ region: MARKER }));
    write('backup-bad-type.json', backup({ resourceType: MARKER }));
    write('backup-bad-bucket.json', backup({ resource: `Bad_${MARKER}` }));
    write('backup-other-bucket-policy.json', backup({ policy: policy(allow({ Resource: 'arn:aws:s3:::x-1' })) }));
    write('backup-attacker-queue.json', queueBackup(`${attackerOrigin()}/${member}/bad-input-queue`));
    write('backup-password-queue.json', queueBackup(`http://${MARKER}:pw@127.0.0.1:1/${member}/bad-input-queue`));
    write('backup-other-account-queue.json', queueBackup(queueUrl.replace(member, otherMember)));
    write('backup-traversal-queue.json', queueBackup(queueUrl.replace(member, `${otherMember}/../${member}`)));
    write('backup-oversize.json', backup({ takenAt: `${MARKER}${'x'.repeat(1024 * 1024)}` }));
    write('config-bad-region', `[profile bad]\nregion = ${MARKER}\n`);
    write('config-bad-endpoint', `[profile bad]\nendpoint_url = http://${MARKER}:secret@example.com/path\n`);
    files.fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [files.fifo]);
    files.symlink = join(dir, 'symlink.json');
    symlinkSync(files['shadow.txt'], files.symlink);
    files.dir = join(dir, 'a-directory');
    mkdirSync(files.dir);
    for (const [name, mode] of [
      ['world-writable', 0o777],
      ['group-writable', 0o770],
    ] as const) {
      files[name] = join(dir, name);
      mkdirSync(files[name]);
      chmodSync(files[name], mode);
    }
  }

  function attackerOrigin(): string {
    return new URL(attacker.endpoint).origin;
  }

  function cases(): Case[] {
    const s3 = (...extra: string[]) => ['s3-unlock', '--yes', '--account', '@member', ...extra];
    const s3b = (...extra: string[]) => s3('--bucket', 'bad-input-bucket', ...extra);
    const sqs = (...extra: string[]) => ['sqs-unlock', '--yes', '--account', '@member', ...extra];
    const sqsq = (...extra: string[]) => sqs('--queue-url', 'Q:url', ...extra);
    const pw = (...extra: string[]) => ['root-password-reset', '--yes', ...extra];
    const restore = (...extra: string[]) => ['restore', '--yes', ...extra];
    const del = (...extra: string[]) => ['delete-root-credentials', '--yes', ...extra];
    const exec = (...extra: string[]) => ['exec', '--account', '@member', '--task', 'audit', ...extra];
    const creds = (...extra: string[]) => ['credentials', '--account', '@member', '--task', 'audit', ...extra];
    const spoke = (...extra: string[]) => [
      'spoke',
      'exec',
      '--hub-account',
      '@other',
      '--hub-role',
      'Hub',
      '--spoke-account',
      '@member',
      '--spoke-role',
      'Spoke',
      ...extra,
    ];
    const aws = (account: string, region = 'us-east-1') =>
      `https://sqs.${region}.amazonaws.com/${account}/bad-input-queue`;
    return [
      // the CLI itself
      { name: 'cli: unknown command', args: ['unlock-everything'], names: '"unlock-everything"', json: true },
      { name: 'cli: a look-alike command (Cyrillic о)', args: ['s3-unl\u043eck'], names: '"s3-unl\\u043eck"' },
      { name: 'cli: an empty command', args: [''], names: 'unknown command ""' },

      // s3-unlock: account ids
      {
        name: 's3: account id too short',
        args: ['s3-unlock', '--yes', '--account', '12345', '--bucket', 'b-1'],
        names: '"12345"',
        json: true,
      },
      {
        name: 's3: account id too long',
        args: ['s3-unlock', '--account', '1234567890123', '--bucket', 'b-1'],
        names: '"1234567890123"',
      },
      {
        name: 's3: account id with letters',
        args: ['s3-unlock', '--account', '12345678901a', '--bucket', 'b-1'],
        names: '"12345678901a"',
      },
      {
        name: 's3: account id with spaces',
        args: ['s3-unlock', '--account', '1234 5678 9012', '--bucket', 'b-1'],
        names: '"1234 5678 9012"',
      },
      {
        name: 's3: account id with dashes',
        args: ['s3-unlock', '--account', '1111-2222-3333', '--bucket', 'b-1'],
        names: '"1111-2222-3333"',
      },
      {
        name: 's3: account id with a trailing newline',
        args: ['s3-unlock', '--account', '@member\n', '--bucket', 'b-1'],
        names: '@member\\u000a"',
      },
      {
        name: 's3: account id with a leading space',
        args: ['s3-unlock', '--account', ' @member', '--bucket', 'b-1'],
        names: '" @member"',
      },
      {
        name: 's3: account id of fullwidth digits',
        args: ['s3-unlock', '--account', '\uff11\uff12\uff13456789012', '--bucket', 'b-1'],
        names: '"\\uff11\\uff12\\uff13456789012"',
      },
      {
        name: 's3: account id with Arabic-Indic digits',
        args: ['s3-unlock', '--account', '\u0661\u0662\u0663456789012', '--bucket', 'b-1'],
        names: '\\u0661',
      },
      {
        name: 's3: account id with a zero-width space',
        args: ['s3-unlock', '--account', '1111\u200b22223333', '--bucket', 'b-1'],
        names: '"1111\\u200b22223333"',
      },
      { name: 's3: account id "*"', args: ['s3-unlock', '--account', '*', '--bucket', 'b-1'], names: '"*"' },
      {
        name: 's3: a root ARN wildcard as the account',
        args: ['s3-unlock', '--account', 'arn:aws:iam::*:root', '--bucket', 'b-1'],
        names: '"arn:aws:iam::*:root"',
      },
      {
        name: 's3: a root ARN as the account',
        args: ['s3-unlock', '--account', 'arn:aws:iam::@member:root', '--bucket', 'b-1'],
        names: 'arn:aws:iam::@member:root',
      },
      {
        name: 's3: a 5000-digit account id',
        args: ['s3-unlock', '--account', '1'.repeat(5000), '--bucket', 'b-1'],
        names: '(5000 characters)',
      },
      {
        name: 's3: empty --account',
        args: ['s3-unlock', '--account', '', '--bucket', 'b-1'],
        names: '--account needs a value',
      },
      {
        name: 's3: the management account',
        args: ['s3-unlock', '--yes', '--account', MANAGEMENT, '--bucket', 'b-1'],
        names: MANAGEMENT,
        reaches: 'caller',
      },
      {
        name: 's3: an account outside the organization',
        args: ['s3-unlock', '--yes', '--account', OUTSIDER, '--bucket', 'b-1'],
        names: OUTSIDER,
        reaches: 'caller',
      },
      // s3-unlock: bucket names
      { name: 's3: bucket with capitals', args: s3('--bucket', 'My_Bucket'), names: '"My_Bucket"' },
      { name: 's3: bucket too short', args: s3('--bucket', 'ab'), names: '"ab"' },
      { name: 's3: bucket too long', args: s3('--bucket', 'b'.repeat(64)), names: 'b'.repeat(64) },
      { name: 's3: bucket with two dots', args: s3('--bucket', 'a..b'), names: '"a..b"' },
      { name: 's3: bucket like an IP', args: s3('--bucket', '192.168.1.1'), names: '"192.168.1.1"' },
      { name: 's3: bucket with reserved prefix', args: s3('--bucket', 'xn--bucket'), names: '"xn--bucket"' },
      { name: 's3: bucket ending in a hyphen', args: s3('--bucket', 'bucket-'), names: '"bucket-"' },
      {
        name: 's3: bucket with a newline',
        args: s3('--bucket', 'bad-input\nbucket'),
        names: '"bad-input\\u000abucket"',
      },
      {
        name: 's3: bucket with a look-alike (Cyrillic а)',
        args: s3('--bucket', 'b\u0430d-input-bucket'),
        names: '"b\\u0430d-input-bucket"',
      },
      {
        name: 's3: bucket as a URL',
        args: s3('--bucket', 'https://evil.example/x'),
        names: '"https://evil.example/x"',
      },
      { name: 's3: missing --bucket', args: s3(), names: '--bucket' },
      // s3-unlock: policy files
      {
        name: 's3: policy file not JSON',
        args: s3b('--policy-file', 'F:not-json.json'),
        names: 'not-json.json',
        json: true,
      },
      { name: 's3: policy file like /etc/shadow', args: s3b('--policy-file', 'F:shadow.txt'), names: 'shadow.txt' },
      { name: 's3: policy file a symlink to a secret', args: s3b('--policy-file', 'F:symlink'), names: 'symlink.json' },
      {
        name: 's3: policy without Statement',
        args: s3b('--policy-file', 'F:no-statement.json'),
        names: 'no-statement.json',
      },
      {
        name: 's3: policy with empty Statement',
        args: s3b('--policy-file', 'F:empty-statement.json'),
        names: 'empty-statement.json',
      },
      {
        name: 's3: policy with Statement [1]',
        args: s3b('--policy-file', 'F:statement-number.json'),
        names: 'statement 1',
      },
      { name: 's3: policy without Version', args: s3b('--policy-file', 'F:no-version.json'), names: '"Version"' },
      { name: 's3: policy with Effect "allow"', args: s3b('--policy-file', 'F:bad-effect.json'), names: '"Effect"' },
      { name: 's3: policy without Action', args: s3b('--policy-file', 'F:no-action.json'), names: '"Action"' },
      {
        name: 's3: policy with an unknown element',
        args: s3b('--policy-file', 'F:unknown-element.json'),
        names: 'element other than',
      },
      { name: 's3: policy with a duplicate key', args: s3b('--policy-file', 'F:dup-key.json'), names: 'twice' },
      { name: 's3: policy with a byte order mark', args: s3b('--policy-file', 'F:bom.json'), names: 'byte order mark' },
      {
        name: 's3: policy with a byte that is not UTF-8',
        args: s3b('--policy-file', 'F:latin1.json'),
        names: 'not valid UTF-8',
      },
      { name: 's3: policy with a NUL byte', args: s3b('--policy-file', 'F:nul.json'), names: 'NUL byte' },
      { name: 's3: oversize policy', args: s3b('--policy-file', 'F:oversize.json'), names: 'oversize.json' },
      { name: 's3: policy nested 5000 deep', args: s3b('--policy-file', 'F:deep.json'), names: 'nested' },
      {
        name: 's3: policy with a __proto__ key',
        args: s3b('--policy-file', 'F:proto.json'),
        names: 'top-level element',
      },
      {
        name: 's3: policy for another bucket',
        args: s3b('--policy-file', 'F:other-bucket.json'),
        names: 'resource other than the bucket',
        json: true,
      },
      {
        name: 's3: policy for every bucket',
        args: s3b('--policy-file', 'F:wildcard-bucket.json'),
        names: 'resource other than the bucket',
      },
      {
        name: 's3: policy ARNs of another partition',
        args: s3b('--policy-file', 'F:other-partition.json'),
        names: 'resource other than the bucket',
      },
      {
        name: 's3: a replacement that still locks everyone out',
        args: s3b('--policy-file', 'F:lockout.json'),
        names: 'still locks everyone out',
        json: true,
      },
      { name: 's3: policy file is a FIFO', args: s3b('--policy-file', 'F:fifo'), names: 'FIFO' },
      { name: 's3: policy file is /dev/zero', args: s3b('--policy-file', '/dev/zero'), names: '"/dev/zero"' },
      { name: 's3: policy file is /dev/null', args: s3b('--policy-file', '/dev/null'), names: '"/dev/null"' },
      {
        name: 's3: policy file is /proc/self/environ',
        args: s3b('--policy-file', '/proc/self/environ'),
        names: '"/proc/self/environ"',
      },
      { name: 's3: policy file is a directory', args: s3b('--policy-file', 'F:dir'), names: 'a directory' },
      {
        name: 's3: missing policy file',
        args: s3b('--policy-file', '/nonexistent/p.json'),
        names: '"/nonexistent/p.json"',
      },
      { name: 's3: empty policy file path', args: s3b('--policy-file='), names: '--policy-file needs a value' },
      { name: 's3: --force without --policy-file', args: s3b('--force'), names: '--force' },
      // s3-unlock: the command line
      { name: 's3: duration 0', args: s3b('--duration', '0'), names: '"0"' },
      { name: 's3: duration 901', args: s3b('--duration', '901'), names: '"901"' },
      { name: 's3: duration not a number', args: s3b('--duration', '5m'), names: '"5m"' },
      { name: 's3: duration in exponent form', args: s3b('--duration', '9e2'), names: '"9e2"' },
      { name: 's3: unknown flag', args: s3b('--frce'), names: '"--frce"' },
      { name: 's3: a look-alike flag (Cyrillic е)', args: s3b('--y\u0435s'), names: '"--y\\u0435s"' },
      {
        name: 's3: a flag repeated with another value',
        args: s3b('--account', '@other'),
        names: '"@other"',
        json: true,
      },
      {
        name: 's3: --bucket repeated with another value',
        args: s3b('--bucket', 'other-bucket'),
        names: '"other-bucket"',
      },
      { name: 's3: arguments after --', args: s3b('--', '--dry-run'), names: '"--dry-run"', json: true },
      { name: 's3: a boolean with a value', args: s3b('--dry-run=no'), names: '"no"' },
      {
        name: 's3: a flag that swallows the next one',
        args: ['s3-unlock', '--account', '--bucket', 'b-1', '--yes'],
        names: '"--bucket"',
      },
      { name: 's3: a stray positional', args: s3b('extra'), names: '"extra"' },
      { name: 's3: bad region', args: s3b('--region', 'moon-base-one'), names: '"moon-base-one"' },
      { name: 's3: region in capitals', args: s3b('--region', 'US-EAST-1'), names: '"US-EAST-1"' },
      { name: 's3: region with a trailing space', args: s3b('--region', 'us-east-1 '), names: '"us-east-1 "' },
      { name: 's3: bad role ARN', args: s3b('--role-arn', 'RootOperator'), names: '"RootOperator"' },
      {
        name: 's3: role ARN of another partition',
        args: s3b('--role-arn', 'arn:aws-cn:iam::@member:role/Op'),
        names: 'arn:aws-cn:iam::',
      },
      { name: 's3: external id without role', args: s3b('--external-id', 'abc123'), names: '--external-id' },
      {
        name: 's3: endpoint URL with a password',
        args: s3b('--endpoint-url', 'http://user:hunter2@127.0.0.1:1'),
        names: 'user:***@',
        endpoint: 'services',
      },
      {
        name: 's3: endpoint URL with a path',
        args: s3b('--endpoint-url', 'http://127.0.0.1:1/x'),
        names: 'a path is not allowed',
        endpoint: 'services',
      },
      {
        name: 's3: endpoint URL of file:',
        args: s3b('--endpoint-url', 'file:///etc/passwd'),
        names: '"file:///etc/passwd"',
        endpoint: 'services',
      },
      // s3-unlock: backup folders
      { name: 's3: world-writable --backup-dir', args: s3b('--backup-dir', 'F:world-writable'), names: 'mode 0777' },
      { name: 's3: group-writable --backup-dir', args: s3b('--backup-dir', 'F:group-writable'), names: 'mode 0770' },
      { name: 's3: --backup-dir under /proc', args: s3b('--backup-dir', '/proc/self/backups'), names: 'under /proc' },
      { name: 's3: --backup-dir that is a file', args: s3b('--backup-dir', 'F:shadow.txt'), names: 'a regular file' },
      {
        name: 's3: --backup-dir through a file',
        args: s3b('--backup-dir', 'F:shadow.txt/sub'),
        names: 'not a directory',
      },
      {
        name: 's3: RUNBOOK_BACKUP_DIR under /proc',
        args: s3b(),
        env: { RUNBOOK_BACKUP_DIR: '/proc/1/backups' },
        names: 'RUNBOOK_BACKUP_DIR',
      },
      // s3-unlock: environment and profiles
      {
        name: 'env: AWS_REGION=evil',
        args: s3b(),
        env: { AWS_REGION: 'evil' },
        names: 'AWS_REGION "evil"',
        json: true,
      },
      { name: 'env: AWS_REGION set but empty', args: s3b(), env: { AWS_REGION: '' }, names: 'AWS_REGION' },
      {
        name: 'env: AWS_DEFAULT_REGION with a command',
        args: s3b(),
        env: { AWS_DEFAULT_REGION: 'us-east-1;id' },
        names: 'AWS_DEFAULT_REGION',
      },
      {
        name: 'env: AWS_ENDPOINT_URL malformed',
        args: s3b(),
        env: { AWS_ENDPOINT_URL: 'notaurl' },
        names: 'AWS_ENDPOINT_URL "notaurl"',
      },
      {
        name: 'env: AWS_ENDPOINT_URL_S3 with a password',
        args: s3b(),
        env: { AWS_ENDPOINT_URL_S3: 'https://u:hunter2@x.example' },
        names: 'AWS_ENDPOINT_URL_S3',
      },
      {
        name: 'env: AWS_ENDPOINT_URL_STS with a query',
        args: s3b(),
        env: { AWS_ENDPOINT_URL_STS: 'https://x.example/?a=b' },
        names: 'AWS_ENDPOINT_URL_STS',
      },
      {
        name: 'env: AWS_ENDPOINT_URL set but empty',
        args: s3b(),
        env: { AWS_ENDPOINT_URL: '' },
        names: 'AWS_ENDPOINT_URL',
      },
      {
        name: 'env: RUNBOOK_HTTP_TIMEOUT_MS=abc',
        args: s3b(),
        env: { RUNBOOK_HTTP_TIMEOUT_MS: 'abc' },
        names: 'RUNBOOK_HTTP_TIMEOUT_MS "abc"',
      },
      {
        name: 'env: RUNBOOK_HTTP_TIMEOUT_MS=10 (seconds meant)',
        args: s3b(),
        env: { RUNBOOK_HTTP_TIMEOUT_MS: '10' },
        names: 'RUNBOOK_HTTP_TIMEOUT_MS "10"',
      },
      {
        name: 'env: RUNBOOK_HTTP_TIMEOUT_MS set but empty',
        args: s3b(),
        env: { RUNBOOK_HTTP_TIMEOUT_MS: '' },
        names: 'RUNBOOK_HTTP_TIMEOUT_MS',
      },
      {
        name: 'profile: --profile unknown',
        args: s3b('--profile', 'nope'),
        names: 'unknown profile "nope"',
        json: true,
      },
      {
        name: 'profile: AWS_PROFILE unknown',
        args: s3b(),
        env: { AWS_PROFILE: 'nope' },
        names: '"nope" (AWS_PROFILE)',
      },
      { name: 'profile: AWS_PROFILE set but empty', args: s3b(), env: { AWS_PROFILE: '' }, names: 'AWS_PROFILE' },
      { name: 'profile: a name with a newline', args: s3b('--profile', 'prod\nadmin'), names: '"prod\\u000aadmin"' },
      {
        name: 'profile: a region that is not one',
        args: s3b('--profile', 'bad'),
        env: { AWS_CONFIG_FILE: 'F:config-bad-region' },
        names: 'region of profile "bad"',
      },
      {
        name: 'profile: an endpoint_url with a password',
        args: s3b('--profile', 'bad'),
        env: { AWS_CONFIG_FILE: 'F:config-bad-endpoint' },
        names: 'endpoint_url of profile "bad"',
      },
      {
        name: 'profile: AWS_CONFIG_FILE is /dev/zero',
        args: s3b(),
        env: { AWS_CONFIG_FILE: '/dev/zero' },
        names: 'AWS_CONFIG_FILE',
      },
      {
        name: 'profile: AWS_CONFIG_FILE is a FIFO',
        args: s3b(),
        env: { AWS_CONFIG_FILE: 'F:fifo' },
        names: 'AWS_CONFIG_FILE',
      },
      {
        name: 'profile: AWS_SHARED_CREDENTIALS_FILE is a directory',
        args: s3b(),
        env: { AWS_SHARED_CREDENTIALS_FILE: 'F:dir' },
        names: 'AWS_SHARED_CREDENTIALS_FILE',
      },

      // sqs-unlock: queue URLs
      {
        name: 'sqs: attacker host, no SQS endpoint override',
        args: sqs('--queue-url', 'A:/@member/bad-input-queue', '--dry-run'),
        names: 'A:',
        endpoint: 'services',
        json: true,
      },
      {
        name: 'sqs: attacker host, with the endpoint override',
        args: sqs('--queue-url', 'A:/@member/bad-input-queue', '--dry-run'),
        names: 'A:',
      },
      {
        name: 'sqs: AWS host under an evil domain',
        args: sqs('--queue-url', 'https://sqs.us-east-1.amazonaws.com.evil.example/@member/q', '--dry-run'),
        names: 'amazonaws.com.evil.example',
        endpoint: 'services',
      },
      {
        name: 'sqs: evil host with an AWS-looking path',
        args: sqs('--queue-url', 'https://evil.example/sqs.us-east-1.amazonaws.com/@member/q'),
        names: 'evil.example',
        endpoint: 'services',
      },
      {
        name: 'sqs: AWS host over http',
        args: sqs('--queue-url', 'http://sqs.us-east-1.amazonaws.com/@member/q'),
        names: 'http://sqs.us-east-1',
        endpoint: 'services',
      },
      {
        name: 'sqs: AWS host with a port',
        args: sqs('--queue-url', 'https://sqs.us-east-1.amazonaws.com:8443/@member/q'),
        names: ':8443',
        endpoint: 'services',
      },
      {
        name: 'sqs: AWS host in capitals',
        args: sqs('--queue-url', 'https://SQS.US-EAST-1.AMAZONAWS.COM/@member/q'),
        names: 'SQS.US-EAST-1',
        endpoint: 'services',
      },
      {
        name: 'sqs: AWS host with a trailing dot',
        args: sqs('--queue-url', 'https://sqs.us-east-1.amazonaws.com./@member/q'),
        names: 'amazonaws.com./',
        endpoint: 'services',
      },
      {
        name: 'sqs: China suffix for a commercial region',
        args: sqs('--queue-url', aws('@member').replace('.com/', '.com.cn/')),
        names: 'amazonaws.com.cn',
        endpoint: 'services',
      },
      {
        name: 'sqs: user and password in the URL',
        args: sqs('--queue-url', 'https://user:hunter2@sqs.us-east-1.amazonaws.com/@member/q'),
        names: 'user:***@',
        endpoint: 'services',
      },
      {
        name: 'sqs: an AWS host as the user name',
        args: sqs('--queue-url', 'https://sqs.us-east-1.amazonaws.com@evil.example/@member/q'),
        names: 'user name',
        endpoint: 'services',
      },
      { name: 'sqs: a fragment', args: sqs('--queue-url', `${aws('@member')}#x`), names: '#x', endpoint: 'services' },
      {
        name: 'sqs: a query',
        args: sqs('--queue-url', `${aws('@member')}?Action=DeleteQueue`),
        names: 'Action=DeleteQueue',
        endpoint: 'services',
      },
      {
        name: 'sqs: .. that names another account',
        args: sqs('--queue-url', aws('@other/../@member')),
        names: '/../',
        endpoint: 'services',
      },
      {
        name: 'sqs: a percent-escaped path',
        args: sqs('--queue-url', aws('@member').replace('bad-input', '%62ad-input')),
        names: '%62ad',
        endpoint: 'services',
      },
      {
        name: 'sqs: a double slash',
        args: sqs('--queue-url', aws('@member').replace('.com/', '.com//')),
        names: '.com//',
        endpoint: 'services',
      },
      {
        name: 'sqs: trailing junk',
        args: sqs('--queue-url', `${aws('@member')}/extra`),
        names: 'queue/extra',
        endpoint: 'services',
      },
      {
        name: 'sqs: a backslash path',
        args: sqs('--queue-url', aws('@member').replace('.com/', '.com\\..\\')),
        names: '\\\\..',
        endpoint: 'services',
      },
      {
        name: 'sqs: a newline in the URL',
        args: sqs('--queue-url', `${aws('@member')}\n`),
        names: '\\u000a',
        endpoint: 'services',
      },
      {
        name: 'sqs: queue URL of another account',
        args: sqs('--queue-url', aws('@other')),
        names: '@other',
        endpoint: 'services',
      },
      {
        name: 'sqs: queue URL of another region',
        args: sqs('--region', 'us-east-1', '--queue-url', aws('@member', 'eu-west-1')),
        names: 'eu-west-1',
        endpoint: 'services',
      },
      { name: 'sqs: both queue URL and name', args: sqsq('--queue-name', 'bad-input-queue'), names: '--queue-name' },
      { name: 'sqs: neither queue URL nor name', args: sqs(), names: '--queue-url' },
      { name: 'sqs: queue name with spaces', args: sqs('--queue-name', 'my queue'), names: '"my queue"' },
      { name: 'sqs: queue name of 81 characters', args: sqs('--queue-name', 'q'.repeat(81)), names: 'q'.repeat(81) },
      {
        name: 'sqs: queue name with a look-alike',
        args: sqs('--queue-name', 'bad-input-queu\u0435'),
        names: '\\u0435',
      },
      { name: 'sqs: queue URL not a URL', args: sqs('--queue-url', 'not-a-url'), names: '"not-a-url"' },
      { name: 'sqs: policy file not JSON', args: sqsq('--policy-file', 'F:not-json.json'), names: 'not-json.json' },
      {
        name: 'sqs: policy for another queue',
        args: sqsq('--policy-file', 'F:other-queue.json'),
        names: 'resource other than the queue',
      },
      {
        name: 'sqs: a replacement that still locks everyone out',
        args: sqsq('--policy-file', 'F:sqs-lockout.json'),
        names: 'still locks everyone out',
      },
      {
        name: 'sqs: the management account',
        args: ['sqs-unlock', '--yes', '--account', MANAGEMENT, '--queue-name', 'bad-input-queue'],
        names: MANAGEMENT,
        reaches: 'caller',
      },

      // root-password-reset
      { name: 'password: empty account', args: pw('--account', ''), names: '--account' },
      {
        name: 'password: account with letters',
        args: pw('--account', 'abcdefghijkl'),
        names: '"abcdefghijkl"',
        json: true,
      },
      {
        name: 'password: the management account',
        args: pw('--account', MANAGEMENT),
        names: MANAGEMENT,
        reaches: 'caller',
      },
      { name: 'password: stray positional', args: pw('--account', '@member', 'extra'), names: '"extra"' },
      {
        name: 'password: arguments after --',
        args: pw('--account', '@member', '--', '--dry-run'),
        names: '"--dry-run"',
      },
      { name: 'password: --account twice', args: pw('--account', '@member', '--account', '@other'), names: '"@other"' },

      // restore
      {
        name: 'restore: missing backup file',
        args: restore('--backup', '/nonexistent/backup.json'),
        names: '"/nonexistent/backup.json"',
        json: true,
      },
      {
        name: 'restore: backup not JSON',
        args: restore('--backup', 'F:backup-not-json.json'),
        names: 'backup-not-json.json',
      },
      {
        name: 'restore: backup without policy',
        args: restore('--backup', 'F:backup-no-policy.json'),
        names: '"policy"',
      },
      {
        name: 'restore: backup with a bad account',
        args: restore('--backup', 'F:backup-bad-account.json'),
        names: '"account"',
      },
      {
        name: 'restore: backup with a bad region',
        args: restore('--backup', 'F:backup-bad-region.json'),
        names: '"region"',
      },
      {
        name: 'restore: backup with a bad resource type',
        args: restore('--backup', 'F:backup-bad-type.json'),
        names: '"resourceType"',
      },
      {
        name: 'restore: backup with a bad bucket',
        args: restore('--backup', 'F:backup-bad-bucket.json'),
        names: '"resource"',
      },
      {
        name: 'restore: backup whose policy names another bucket',
        args: restore('--backup', 'F:backup-other-bucket-policy.json'),
        names: 'resource other than the bucket',
      },
      {
        name: 'restore: backup of an attacker queue',
        args: restore('--backup', 'F:backup-attacker-queue.json'),
        names: 'backup-attacker-queue.json',
        json: true,
      },
      {
        name: 'restore: backup of a queue URL with a password',
        args: restore('--backup', 'F:backup-password-queue.json'),
        names: 'user name or password',
      },
      {
        name: 'restore: backup of another account queue',
        args: restore('--backup', 'F:backup-other-account-queue.json'),
        names: 'another account',
      },
      {
        name: 'restore: backup of a queue URL with ..',
        args: restore('--backup', 'F:backup-traversal-queue.json'),
        names: 'backup-traversal-queue.json',
      },
      {
        name: 'restore: backup of another region than --region',
        args: restore('--backup', 'F:backup-no-policy.json', '--region', 'eu-west-1'),
        names: 'eu-west-1',
      },
      { name: 'restore: oversize backup', args: restore('--backup', 'F:backup-oversize.json'), names: 'bytes' },
      { name: 'restore: backup is a FIFO', args: restore('--backup', 'F:fifo'), names: 'FIFO' },
      { name: 'restore: backup is /dev/zero', args: restore('--backup', '/dev/zero'), names: 'character device' },
      { name: 'restore: backup is a directory', args: restore('--backup', 'F:dir'), names: 'a directory' },
      { name: 'restore: backup like /etc/shadow', args: restore('--backup', 'F:shadow.txt'), names: 'shadow.txt' },
      {
        name: 'restore: backup with a byte that is not UTF-8',
        args: restore('--backup', 'F:latin1.json'),
        names: 'UTF-8',
      },
      {
        name: 'restore: world-writable --backup-dir',
        args: restore('--backup', 'F:backup-no-policy.json', '--backup-dir', 'F:world-writable'),
        names: 'mode 0777',
      },

      // audit
      { name: 'audit: empty --accounts', args: ['audit', '--accounts', ''], names: '--accounts' },
      {
        name: 'audit: account id with letters in list',
        args: ['audit', '--accounts', '@member,12345678901x'],
        names: '"12345678901x"',
      },
      { name: 'audit: a newline in the list', args: ['audit', '--accounts', '@member,\n@other'], names: '\\u000a' },
      { name: 'audit: a tab in the list', args: ['audit', '--accounts', '@member,\t@other'], names: '\\u0009' },
      { name: 'audit: "*" as the list', args: ['audit', '--accounts', '*'], names: '"*"' },
      {
        name: 'audit: an account outside the organization',
        args: ['audit', '--accounts', `@member,${OUTSIDER}`],
        names: OUTSIDER,
        reaches: 'org',
      },
      { name: 'audit: bad OU id', args: ['audit', '--ou', 'ou-bad'], names: '"ou-bad"' },
      { name: 'audit: concurrency 0', args: ['audit', '--all', '--concurrency', '0'], names: '"0"' },
      { name: 'audit: concurrency not a number', args: ['audit', '--all', '--concurrency', 'many'], names: '"many"' },
      { name: 'audit: concurrency 1e2', args: ['audit', '--all', '--concurrency', '1e2'], names: '"1e2"' },
      { name: 'audit: unknown output format', args: ['audit', '--all', '--output', 'yaml'], names: '"yaml"' },
      { name: 'audit: --all with --accounts', args: ['audit', '--all', '--accounts', '@member'], names: '--all' },
      {
        name: 'audit: --json, which audit does not take',
        args: ['audit', '--all', '--json'],
        names: '"--json"',
        json: true,
      },
      {
        name: 'audit: arguments after --',
        args: ['audit', '--all', '--', '--fail-on-findings'],
        names: '"--fail-on-findings"',
      },

      // lockout-scan
      { name: 'lockout-scan: no selection', args: ['lockout-scan'], names: '--accounts' },
      { name: 'lockout-scan: bad OU id in a list', args: ['lockout-scan', '--ou', 'r-ab12,ou-bad'], names: '"ou-bad"' },
      { name: 'lockout-scan: empty --ou list', args: ['lockout-scan', '--ou', ' , '], names: '--ou' },
      {
        name: 'lockout-scan: --regions with --all-regions',
        args: ['lockout-scan', '--all', '--regions', 'us-east-1', '--all-regions'],
        names: '--all-regions',
      },
      {
        name: 'lockout-scan: a region that is no region',
        args: ['lockout-scan', '--all', '--regions', 'us-east-1,mars-1'],
        names: '"mars-1"',
      },
      {
        name: 'lockout-scan: a tab in --regions',
        args: ['lockout-scan', '--all', '--regions', 'us-east-1,\teu-west-1'],
        names: '\\u0009',
      },
      {
        name: 'lockout-scan: regions of two partitions',
        args: ['lockout-scan', '--all', '--regions', 'us-east-1,cn-north-1'],
        names: 'one partition',
      },
      {
        name: "lockout-scan: regions outside the run region's partition",
        args: ['lockout-scan', '--all', '--regions', 'cn-north-1', '--region', 'us-east-1'],
        names: '"cn-north-1"',
      },
      { name: 'lockout-scan: unknown output', args: ['lockout-scan', '--all', '--output', 'yaml'], names: '"yaml"' },
      {
        name: 'lockout-scan: an account outside the organization',
        args: ['lockout-scan', '--accounts', `@member,${OUTSIDER}`],
        names: OUTSIDER,
        reaches: 'org',
      },
      {
        name: 'lockout-scan: arguments after --',
        args: ['lockout-scan', '--all', '--', '--fail-on-findings'],
        names: '"--fail-on-findings"',
      },

      // report
      { name: 'report: unknown output', args: ['report', '--output', 'pdf'], names: '"pdf"' },
      { name: 'report: --out a directory', args: ['report', '--out', 'F:dir'], names: '--out' },
      { name: 'report: empty --out', args: ['report', '--out='], names: '--out needs a value' },
      {
        name: 'report: a StackSet name with a space',
        args: ['report', '--alerts-stack-set', 'root alerts'],
        names: '"root alerts"',
      },
      { name: 'report: a selection, which report does not take', args: ['report', '--all'], names: '"--all"' },
      { name: 'report: arguments after --', args: ['report', '--', 'html'], names: '"html"' },

      // delete-root-credentials
      {
        name: 'delete: unknown credential kind',
        args: del('--accounts', '@member', '--only', 'passwords'),
        names: '"passwords"',
        json: true,
      },
      { name: 'delete: a kind in capitals', args: del('--accounts', '@member', '--only', 'MFA'), names: '"MFA"' },
      { name: 'delete: no selection', args: del(), names: '--accounts' },
      {
        name: 'delete: --only twice',
        args: del('--accounts', '@member', '--only', 'mfa', '--only', 'access-keys'),
        names: '"access-keys"',
      },
      {
        name: 'delete: the management account in --accounts',
        args: del('--accounts', `@member,${MANAGEMENT}`),
        names: MANAGEMENT,
        reaches: 'org',
        json: true,
      },
      {
        name: 'delete: an account outside the organization',
        args: del('--accounts', OUTSIDER),
        names: OUTSIDER,
        reaches: 'org',
        json: true,
      },
      {
        name: 'delete: world-writable --backup-dir',
        args: del('--accounts', '@member', '--backup-dir', 'F:world-writable'),
        names: 'mode 0777',
      },
      {
        name: 'delete: arguments after --',
        args: del('--accounts', '@member', '--', '--dry-run'),
        names: '"--dry-run"',
      },

      // exec, credentials, spoke
      {
        name: 'exec: unknown task alias',
        args: ['exec', '--account', '@member', '--task', 'admin', '--', 'true'],
        names: '"admin"',
      },
      {
        name: 'exec: custom task policy ARN',
        args: ['exec', '--account', '@member', '--task', 'arn:aws:iam::111122223333:policy/Mine', '--', 'true'],
        names: 'arn:aws:iam::111122223333:policy/Mine',
      },
      {
        name: 'exec: task ARN of another partition',
        args: [
          'exec',
          '--account',
          '@member',
          '--task',
          'arn:aws-cn:iam::aws:policy/root-task/IAMAuditRootUserCredentials',
          '--',
          'true',
        ],
        names: 'partition aws',
      },
      {
        name: 'exec: task with a trailing space',
        args: ['exec', '--account', '@member', '--task', 'audit ', '--', 'true'],
        names: '"audit "',
      },
      { name: 'exec: no command', args: exec(), names: '--' },
      { name: 'exec: --account twice', args: [...exec('--account', '@other'), '--', 'true'], names: '"@other"' },
      {
        name: 'exec: inside another runbook session',
        args: [...exec(), '--', 'true'],
        env: { RUNBOOK_EXEC_SESSION: 'exec:x:audit' },
        names: 'RUNBOOK_EXEC_SESSION',
      },
      { name: 'credentials: unknown format', args: creds('--format', 'yaml'), names: '"yaml"' },
      { name: 'credentials: bad account', args: ['credentials', '--account', '42', '--task', 'audit'], names: '"42"' },
      { name: 'credentials: arguments after --', args: creds('--', 'env'), names: '"env"' },
      {
        name: 'credentials: a wildcard task ARN',
        args: ['credentials', '--account', '@member', '--task', 'arn:aws:iam::*:policy/root-task/*'],
        names: 'arn:aws:iam::*',
      },
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
      {
        name: 'spoke: hub account from a bad variable',
        args: [
          'spoke',
          'exec',
          '--hub-role',
          'Hub',
          '--spoke-account',
          '@member',
          '--spoke-role',
          'Spoke',
          '--',
          'true',
        ],
        env: { ASSUME_ROLE_HUB_ACCOUNT: 'hub' },
        names: 'ASSUME_ROLE_HUB_ACCOUNT "hub"',
      },
      {
        name: 'spoke: a role name with a slash',
        args: [
          'spoke',
          'exec',
          '--hub-account',
          '@other',
          '--hub-role',
          '../Admin',
          '--spoke-account',
          '@member',
          '--spoke-role',
          'Spoke',
          '--',
          'true',
        ],
        names: '"../Admin"',
      },
      { name: 'spoke: unknown subcommand', args: ['spoke', 'exce', '--', 'true'], names: '"exce"' },
      {
        name: 'spoke: session name too long',
        args: [...spoke('--session-name', 's'.repeat(60)), '--', 'true'],
        names: 's'.repeat(60),
      },
      {
        name: 'spoke: --role-arn',
        args: [...spoke('--role-arn', 'arn:aws:iam::@member:role/Op'), '--', 'true'],
        names: '--role-arn',
      },

      // doctor, enable
      { name: 'doctor: bad --account', args: ['doctor', '--account', '1234'], names: '"1234"', json: true },
      { name: 'doctor: a stray positional', args: ['doctor', 'now'], names: '"now"' },
      { name: 'doctor: AWS_REGION=evil', args: ['doctor'], env: { AWS_REGION: 'evil' }, names: 'AWS_REGION "evil"' },
      { name: 'enable: a boolean with a value', args: ['enable', '--root-sessions=yes'], names: '"yes"' },
      {
        name: 'enable: arguments after --',
        args: ['enable', '--yes', '--', '--dry-run'],
        names: '"--dry-run"',
        json: true,
      },
      { name: 'enable: unknown profile', args: ['enable', '--dry-run', '--profile', 'nope'], names: '"nope"' },

      // log (reads the audit trail only; still no request may leave)
      { name: 'log: no subcommand', args: ['log'], names: 'log subcommand', json: true },
      { name: 'log: an unknown subcommand', args: ['log', 'rewrite'], names: '"rewrite"' },
      { name: 'log: two subcommands', args: ['log', 'show', 'verify'], names: '"show verify"' },
      { name: 'log show: bad --account', args: ['log', 'show', '--account', '12'], names: '"12"', json: true },
      {
        name: 'log show: --since not a date',
        args: ['log', 'show', '--since', 'last tuesday'],
        names: '"last tuesday"',
      },
      {
        name: 'log show: --since an impossible date',
        args: ['log', 'show', '--since', '2026-13-45'],
        names: '"2026-13-45"',
      },
      { name: 'log show: --runbook a path', args: ['log', 'show', '--runbook', '../x'], names: '"../x"' },
      {
        name: 'log show: --account twice',
        args: ['log', 'show', '--account', '111122223333', '--account', '222233334444'],
        names: '--account',
      },
      { name: 'log verify: a filter it does not take', args: ['log', 'verify', '--since', '7d'], names: '--since' },
      {
        name: 'log verify: --account, a filter it does not take',
        args: ['log', 'verify', '--account', '@member'],
        names: '--account',
      },
      { name: 'log verify: an empty --audit-log', args: ['log', 'verify', '--audit-log='], names: '--audit-log' },
      { name: 'log verify: arguments after --', args: ['log', 'verify', '--', 'x'], names: '"x"' },
    ];
  }

  /**
   * Placeholders, because the cases are listed before the sandbox runs: F:<name> is a seeded file (F:<name>/sub a
   * path through it), Q:url the seeded queue's URL, A: the attacker's origin, @member and @other two members.
   */
  function resolve(arg: string): string {
    const file = /^F:([^/]+)(.*)$/.exec(arg);
    if (file !== null) return files[file[1]] + file[2];
    if (arg === 'Q:url') return queueUrl;
    return arg
      .replace(/A:/g, attackerOrigin())
      .replace(/@member/g, member)
      .replace(/@other/g, otherMember);
  }

  async function run(c: Case, extra: string[] = []) {
    proxy.clearLog();
    attacker.clearLog();
    const dash = c.args.indexOf('--');
    const args = (
      dash === -1 ? [...c.args, ...extra] : [...c.args.slice(0, dash), ...extra, ...c.args.slice(dash)]
    ).map(resolve);
    const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([name, value]) => [name, resolve(value)]));
    let result;
    if (c.endpoint === 'services') {
      const base: NodeJS.ProcessEnv = { ...cliEnv(proxy.endpoint, scratch), ...env };
      delete base.AWS_ENDPOINT_URL;
      for (const service of ['STS', 'IAM', 'ORGANIZATIONS', 'S3']) base[`AWS_ENDPOINT_URL_${service}`] = proxy.endpoint;
      result = await spawnCli(args, { cwd: scratch, env: base, timeoutMs: 30_000 });
      outputs.push(result.stdout, result.stderr);
    } else {
      result = await runCli(args, { endpoint: proxy.endpoint, scratch, env, timeoutMs: 30_000 });
    }
    return { result, log: proxy.log(), attacked: attacker.log() };
  }

  function expectNothingSent(c: Case, log: ProxyLogEntry[], attacked: ProxyLogEntry[]): void {
    expect(attacked).toEqual([]);
    if (c.reaches === 'org') {
      // Membership is decided by the organization: its reads (and the caller check) are all that may go out.
      const others = log.filter((e) => e.service !== 'organizations' && !isCallerLookup(e.service, e.action));
      expect(others).toEqual([]);
    } else if (c.reaches === 'caller') {
      // Only STS knows the caller's own account (and AWS whether the target is a member): it may be asked, and
      // it must refuse the AssumeRoot, so that no session exists; nothing else is called but the caller's reads.
      expect(log.filter((e) => e.service !== 'sts' && !isCallerLookup(e.service, e.action))).toEqual([]);
      expect(log.filter((e) => e.action.startsWith('Assume') && (e.status ?? 0) < 400)).toEqual([]);
    } else {
      expect(log).toEqual([]);
    }
    expect(log.filter((e) => e.mutating)).toEqual([]);
  }

  describe('bad input', () => {
    it('has at least 100 cases, across every command', async () => {
      const all = cases();
      expect(all.length).toBeGreaterThanOrEqual(100);
      const { COMMANDS } = await import('../../runbooks/cli/registry');
      const covered = new Set(all.map((c) => c.args[0]));
      expect(Object.keys(COMMANDS).filter((name) => !covered.has(name))).toEqual([]);
      expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    });

    it('the checks can fail: a valid dry run is seen by the proxy, and the seeded files hold the marker', async () => {
      const { result, log } = await run({
        name: 'control',
        args: ['sqs-unlock', '--account', '@member', '--queue-url', 'Q:url', '--dry-run'],
        names: '',
      });
      expect(result.code).toBe(0);
      expect(log.map((e) => e.action)).toContain('GetQueueAttributes');
      expect(JSON.stringify(files)).not.toContain(MARKER);
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(files['not-json.json'], 'utf8')).toContain(MARKER);
    });

    it.each(cases().map((c) => [c.name, c] as const))(
      '%s: exits 2, names the value, echoes no file, sends nothing',
      async (_name, c) => {
        const { result, log, attacked } = await run(c);
        expect({ code: result.code, stderr: result.stderr }).toEqual({
          code: 2,
          stderr: expect.stringContaining(resolve(c.names)),
        });
        expect(result.stderr).toMatch(ALLOWED);
        expect(result.stdout + result.stderr).not.toContain(MARKER);
        expect(result.stdout + result.stderr).not.toContain('hunter2');
        expectNothingSent(c, log, attacked);
      },
    );

    it.each(
      cases()
        .filter((c) => c.json)
        .map((c) => [c.name, c] as const),
    )('--json %s: prints exactly one JSON object with the error', async (_name, c) => {
      const { result, log, attacked } = await run(c, ['--json']);
      expect(result.code).toBe(2);
      const lines = result.stdout.split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(1);
      const object = JSON.parse(lines[0]) as { status?: unknown; error?: { code?: unknown; message?: unknown } };
      expect(object).toEqual(expect.objectContaining({ status: 'failed', error: expect.any(Object) }));
      expect(typeof object.error?.code).toBe('string');
      expect(typeof object.error?.message).toBe('string');
      expect(result.stdout).not.toContain(MARKER);
      expectNothingSent(c, log, attacked);
    });

    it('never printed a secret the sandbox issued', async () => {
      const leaks = findSecrets(
        await issuedSecrets(sandbox.endpoint),
        outputs.map((text, i) => ({ where: `CLI output ${i}`, text })),
      );
      expect(leaks).toEqual([]);
    });
  });
});
