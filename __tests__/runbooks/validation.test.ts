import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunbookError } from '../../runbooks/engine/errors';
import {
  parseAccountId,
  parseBucketName,
  parseDuration,
  parseQueueName,
  parseQueueUrl,
  readPolicyFile,
} from '../../runbooks/engine/validate';
import { parseCommon } from '../../runbooks/cli/options';
import { command as spoke } from '../../runbooks/cli/commands/spoke';
import { parseSqsUnlockParams } from '../../runbooks/policy/sqs-unlock';
import { parseS3UnlockParams } from '../../runbooks/policy/s3-unlock';
import { parseRestoreParams } from '../../runbooks/policy/restore';

/** Runs fn and returns the RunbookError it throws (failing the test when it does not throw one). */
function rejection(fn: () => unknown): RunbookError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('expected a RunbookError');
}

const dir = mkdtempSync(join(tmpdir(), 'runbook-validate-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('account ids', () => {
  it('accepts exactly 12 digits', () => expect(parseAccountId('111122223333')).toBe('111122223333'));
  it.each(['11112222333', '1111222233334', '11112222333a', '', ' 111122223333', '1111-2222-3333'])(
    'refuses %j with exit 2, naming the value and the rule',
    (value) => {
      const err = rejection(() => parseAccountId(value));
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain(JSON.stringify(value));
      expect(err.message).toContain('12 digits');
    },
  );
});

describe('bucket names', () => {
  it.each(['project-prod-1', 'a.b-c', 'abc', 'x'.repeat(63)])('accepts %s', (name) =>
    expect(parseBucketName(name)).toBe(name),
  );
  it.each([
    'ab',
    'x'.repeat(64),
    'Project-Prod',
    'under_score',
    '-leading',
    'trailing-',
    'two..dots',
    '192.168.1.10',
    'xn--punycode',
    'bucket-s3alias',
  ])('refuses %s', (name) => {
    const err = rejection(() => parseBucketName(name));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`--bucket ${JSON.stringify(name)}`);
    expect(err.message).toContain('lowercase');
  });
});

describe('durations', () => {
  it.each([
    ['1', 1],
    ['900', 900],
  ])('accepts %s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));
  it.each(['0', '901', '-5', '1.5', 'abc', ''])('refuses %j', (text) => {
    const err = rejection(() => parseDuration(text));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('1 to 900');
  });
});

describe('queues', () => {
  it('parses an AWS queue URL', () => {
    expect(parseQueueUrl('https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo')).toEqual({
      url: 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo',
      account: '111122223333',
      region: 'eu-west-1',
      name: 'jobs.fifo',
    });
  });
  it('parses an endpoint-style URL without a region', () => {
    expect(parseQueueUrl('http://127.0.0.1:4566/111122223333/jobs').region).toBeUndefined();
  });
  it.each([
    'not a url',
    'https://sqs.us-east-1.amazonaws.com/jobs',
    'https://sqs.us-east-1.amazonaws.com/11112222333/jobs',
    'https://sqs.us-east-1.amazonaws.com/111122223333/jobs/extra',
    'ftp://sqs.us-east-1.amazonaws.com/111122223333/jobs',
  ])('refuses the URL %s', (url) => expect(rejection(() => parseQueueUrl(url)).exitCode).toBe(2));
  it.each(['', 'a b', 'x'.repeat(81), 'q.fifo.fifo'])('refuses the name %j', (name) =>
    expect(rejection(() => parseQueueName(name)).exitCode).toBe(2),
  );

  const url = 'https://sqs.us-east-1.amazonaws.com/111122223333/jobs';
  it('refuses a queue URL of another account', () => {
    const err = rejection(() => parseSqsUnlockParams({ account: '444455556666', 'queue-url': url }, undefined));
    expect(err.message).toContain('444455556666');
    expect(err.message).toContain('111122223333');
  });
  it('refuses a queue URL of another region than --region', () => {
    const err = rejection(() => parseSqsUnlockParams({ account: '111122223333', 'queue-url': url }, 'eu-west-1'));
    expect(err.message).toContain('us-east-1');
  });
  it('takes the region from the queue URL', () => {
    expect(parseSqsUnlockParams({ account: '111122223333', 'queue-url': url }, undefined).region).toBe('us-east-1');
  });
  it.each([{}, { 'queue-url': url, 'queue-name': 'jobs' }])('needs exactly one of --queue-url/--queue-name: %j', (q) =>
    expect(rejection(() => parseSqsUnlockParams({ account: '111122223333', ...q }, undefined)).message).toContain(
      'exactly one',
    ),
  );
});

describe('policy files', () => {
  const good =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}';
  it('returns the exact text', () => expect(readPolicyFile(file('good.json', good), 's3')).toBe(good));
  it.each([
    ['missing', join(dir, 'nope.json'), 'readable file'],
    ['not JSON', file('bad.json', '{"Statement": ['), 'not valid JSON'],
    ['no Statement', file('nostatement.json', '{"Version":"2012-10-17"}'), 'Statement'],
    ['empty Statement', file('empty.json', '{"Statement":[]}'), 'Statement'],
    ['an array', file('array.json', '[]'), 'Statement'],
  ])('refuses a file that is %s', (_label, path, expected) => {
    const err = rejection(() => readPolicyFile(path, 's3'));
    expect(err.exitCode).toBe(2);
    expect(`${err.message} ${err.hint ?? ''}`).toContain(expected);
  });
  it('refuses a bucket policy over 20 KB but takes it for SQS', () => {
    const big = JSON.stringify({ Statement: [{ Effect: 'Allow', Sid: 'x'.repeat(21 * 1024) }] });
    const path = file('big.json', big);
    expect(rejection(() => readPolicyFile(path, 's3')).message).toContain('20480 bytes');
    expect(readPolicyFile(path, 'sqs')).toBe(big);
  });
  it('validates --policy-file of s3-unlock before anything else', () => {
    const err = rejection(() =>
      parseS3UnlockParams({ account: '111122223333', bucket: 'b-1', 'policy-file': file('x.json', 'nope') }),
    );
    expect(err.message).toContain('--policy-file');
  });
});

describe('backup files for restore', () => {
  const record = {
    runbook: 's3-unlock',
    account: '111122223333',
    region: 'us-east-1',
    resourceType: 's3-bucket',
    resource: 'project-prod-1',
    policy: '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}',
  };
  const noLog = '/nonexistent/audit.jsonl';
  it('reads a backup the audit log has no record of only with --force', () => {
    const backup = file('b.json', JSON.stringify(record));
    const params = parseRestoreParams({ backup, force: true }, noLog);
    expect(params).toMatchObject({ account: '111122223333', resource: 'project-prod-1', policy: record.policy });
    const err = rejection(() => parseRestoreParams({ backup }, noLog));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('has no record in the audit log');
  });
  it('refuses, even with --force, a backup whose policy names another bucket', () => {
    const other = {
      ...record,
      policy: JSON.stringify({
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::other-bucket/*' }],
      }),
    };
    const err = rejection(() =>
      parseRestoreParams({ backup: file('o.json', JSON.stringify(other)), force: true }, noLog),
    );
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('arn:aws:s3:::other-bucket/*');
  });
  it('refuses, even with --force, a queue backup whose policy names another account', () => {
    const queue = {
      ...record,
      resourceType: 'sqs-queue',
      resource: 'https://sqs.us-east-1.amazonaws.com/111122223333/jobs',
      policy: JSON.stringify({
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-1:444455556666:jobs' },
        ],
      }),
    };
    expect(
      rejection(() => parseRestoreParams({ backup: file('q.json', JSON.stringify(queue)), force: true }, noLog))
        .message,
    ).toContain('444455556666');
    const wildcard = { ...queue, policy: queue.policy.replace('444455556666:jobs', '111122223333:*') };
    expect(parseRestoreParams({ backup: file('w.json', JSON.stringify(wildcard)), force: true }, noLog).resource).toBe(
      queue.resource,
    );
  });
  it('refuses a FIFO, a directory, an oversized file and bytes that are not UTF-8', () => {
    const dir = mkdtempSync(join(tmpdir(), 'restore-'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    writeFileSync(join(dir, 'big.json'), Buffer.alloc(1024 * 1024 + 1, 0x20));
    writeFileSync(
      join(dir, 'latin1.json'),
      Buffer.from(JSON.stringify({ ...record, resource: 'caf\u00e9' }), 'latin1'),
    );
    for (const path of [join(dir, 'fifo'), dir, join(dir, 'big.json'), join(dir, 'latin1.json')]) {
      expect(rejection(() => parseRestoreParams({ backup: path, force: true }, noLog)).exitCode).toBe(2);
    }
  });
  it.each([
    ['not JSON', 'nope'],
    ['without account', JSON.stringify({ ...record, account: undefined })],
    ['with a bad account', JSON.stringify({ ...record, account: '12' })],
    ['with an unknown type', JSON.stringify({ ...record, resourceType: 'dynamodb-table' })],
    ['with a bad bucket', JSON.stringify({ ...record, resource: 'Bad_Bucket' })],
    ['with a policy that is not a policy', JSON.stringify({ ...record, policy: '{}' })],
    [
      'with a queue of another account',
      JSON.stringify({
        ...record,
        resourceType: 'sqs-queue',
        resource: 'https://sqs.us-east-1.amazonaws.com/444455556666/jobs',
      }),
    ],
  ])('refuses a backup %s', (_label, text) => {
    expect(rejection(() => parseRestoreParams({ backup: file('r.json', text), force: true }, noLog)).exitCode).toBe(2);
  });
});

describe('common options', () => {
  const cwd = '/work';
  it('keeps the audit log and backups in the per-user state folder, never the working directory', () => {
    expect(parseCommon({}, { HOME: '/home/op' }, cwd)).toMatchObject({
      duration: 900,
      auditLog: '/home/op/.local/state/runbook/audit.jsonl',
      backupDir: '/home/op/.local/state/runbook/backups',
    });
    expect(parseCommon({}, { HOME: '/home/op', XDG_STATE_HOME: '/state' }, cwd)).toMatchObject({
      auditLog: '/state/runbook/audit.jsonl',
      backupDir: '/state/runbook/backups',
    });
    // The XDG rule: a relative XDG_STATE_HOME is ignored.
    expect(parseCommon({}, { HOME: '/home/op', XDG_STATE_HOME: 'state' }, cwd).auditLog).toBe(
      '/home/op/.local/state/runbook/audit.jsonl',
    );
    expect(parseCommon({}, { RUNBOOK_AUDIT_LOG: 'a.jsonl', RUNBOOK_BACKUP_DIR: '/b' }, cwd)).toMatchObject({
      auditLog: '/work/a.jsonl',
      backupDir: '/b',
    });
    expect(parseCommon({ 'audit-log': '/x.jsonl' }, { RUNBOOK_AUDIT_LOG: '' }, cwd).auditLog).toBe('/x.jsonl');
  });
  it.each([
    [{ 'audit-log': '' }, {}, '--audit-log'],
    [{ 'backup-dir': '' }, {}, '--backup-dir'],
    [{}, { RUNBOOK_AUDIT_LOG: '' }, 'RUNBOOK_AUDIT_LOG'],
    [{}, { RUNBOOK_BACKUP_DIR: '' }, 'RUNBOOK_BACKUP_DIR'],
  ])('refuses an empty audit log or backup location %j %j (exit 2)', (values, env, named) => {
    const err = rejection(() => parseCommon(values, env, cwd));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(named);
  });
  it.each([
    [{ duration: '901' }, '--duration'],
    [{ 'endpoint-url': 'localhost:4566' }, '--endpoint-url'],
    [{ 'role-arn': 'arn:aws:iam::1:role/x' }, '--role-arn'],
    [{ region: 'Mars' }, '--region'],
    [{ 'external-id': 'x' }, '--external-id'],
    [{ 'external-id': 'incident-42' }, '--external-id needs --role-arn'],
    [{ duration: '0' }, '--duration'],
  ])('refuses %j', (values, option) => {
    const err = rejection(() => parseCommon(values, {}, cwd));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(option);
  });
  it('lets spoke exec take --external-id alone (its hub/spoke id) and AssumeRole durations of 900..3600', () => {
    expect(parseCommon({ 'external-id': 'shared-id' }, {}, cwd, spoke.commonRules)).toMatchObject({
      externalId: 'shared-id',
      duration: 3600,
    });
    expect(parseCommon({ duration: '1800' }, {}, cwd, spoke.commonRules).duration).toBe(1800);
    for (const duration of ['899', '3601']) {
      expect(rejection(() => parseCommon({ duration }, {}, cwd, spoke.commonRules)).exitCode).toBe(2);
    }
    expect(rejection(() => parseCommon({ 'external-id': 'x' }, {}, cwd, spoke.commonRules)).message).toContain(
      '--external-id',
    );
  });
});
