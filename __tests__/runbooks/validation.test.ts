import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAccountId, parseBucketName, parseDuration, parseQueueName } from '../../runbooks/engine/validate';
import { parseQueueUrl } from '../../runbooks/engine/queue-url';
import { readPolicyFile, type PolicyTarget } from '../../runbooks/policy/policy-document';
import { parseCommon } from '../../runbooks/cli/options';
import { command as spoke } from '../../runbooks/cli/commands/spoke';
import { parseSqsUnlockParams } from '../../runbooks/policy/sqs-unlock';
import { parseS3UnlockParams } from '../../runbooks/policy/s3-unlock';
import { parseRestoreParams } from '../../runbooks/policy/restore';
import { rejection } from '../support/rejection';

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
  const option = { option: '--queue-url' };
  it('parses an AWS queue URL', () => {
    expect(parseQueueUrl('https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo', option)).toEqual({
      url: 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo',
      account: '111122223333',
      region: 'eu-west-1',
      name: 'jobs.fifo',
    });
  });
  it.each([
    ['https://eu-west-1.queue.amazonaws.com/111122223333/jobs', 'eu-west-1'],
    ['https://queue.amazonaws.com/111122223333/jobs', 'us-east-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/111122223333/jobs', 'cn-north-1'],
    ['https://sqs.us-gov-west-1.amazonaws.com/111122223333/jobs', 'us-gov-west-1'],
  ])('parses %s in %s', (url, region) => expect(parseQueueUrl(url, option).region).toBe(region));
  it('takes the endpoint override host, without a region, and only it', () => {
    const endpoint = 'http://127.0.0.1:4566';
    expect(parseQueueUrl('http://127.0.0.1:4566/111122223333/jobs', { ...option, endpoint }).region).toBeUndefined();
    for (const url of [
      'https://sqs.us-east-1.amazonaws.com/111122223333/jobs',
      'http://127.0.0.1:4567/111122223333/jobs',
      'http://localhost:4566/111122223333/jobs',
    ]) {
      expect(rejection(() => parseQueueUrl(url, { ...option, endpoint })).hint).toContain('127.0.0.1:4566');
    }
  });
  it.each([
    'not a url',
    'https://sqs.us-east-1.amazonaws.com/jobs',
    'https://sqs.us-east-1.amazonaws.com/11112222333/jobs',
    'https://sqs.us-east-1.amazonaws.com/111122223333/jobs/extra',
    'ftp://sqs.us-east-1.amazonaws.com/111122223333/jobs',
    'http://sqs.us-east-1.amazonaws.com/111122223333/jobs',
    'http://attacker.example/111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com.evil.example/111122223333/jobs',
    'https://evil.example/sqs.us-east-1.amazonaws.com/111122223333/jobs',
    'https://user:pass@sqs.us-east-1.amazonaws.com/111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com@evil.example/111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com/111122223333/jobs#x',
    'https://sqs.us-east-1.amazonaws.com/111122223333/jobs?Action=x',
    'https://sqs.us-east-1.amazonaws.com/444455556666/../111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com/111122223333/%6aobs',
    'https://sqs.us-east-1.amazonaws.com//111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com/111122223333/jobs/',
    'https://sqs.us-east-1.amazonaws.com:443/111122223333/jobs',
    'https://SQS.us-east-1.amazonaws.com/111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com./111122223333/jobs',
    'https://sqs.cn-north-1.amazonaws.com/111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com.cn/111122223333/jobs',
    'https://sqs.evil.amazonaws.com/111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com\\..\\111122223333/jobs',
    ' https://sqs.us-east-1.amazonaws.com/111122223333/jobs',
    'https://sqs.us-east-1.amazonaws.com/111122223333/jobs\n',
  ])('refuses the URL %j', (url) => expect(rejection(() => parseQueueUrl(url, option)).exitCode).toBe(2));
  it.each(['', 'a b', 'x'.repeat(81), 'q.fifo.fifo', `${'x'.repeat(76)}.fifo`])('refuses the name %j', (name) =>
    expect(rejection(() => parseQueueName(name)).exitCode).toBe(2),
  );

  const url = 'https://sqs.us-east-1.amazonaws.com/111122223333/jobs';
  const settings = { region: undefined, defaultRegion: 'us-east-1' };
  it('refuses a queue URL of another account', () => {
    const err = rejection(() => parseSqsUnlockParams({ account: '444455556666', 'queue-url': url }, settings, {}));
    expect(err.message).toContain('444455556666');
    expect(err.message).toContain('111122223333');
  });
  it('refuses a queue URL of another region than --region', () => {
    const err = rejection(() =>
      parseSqsUnlockParams({ account: '111122223333', 'queue-url': url }, { region: 'eu-west-1' }, {}),
    );
    expect(err.message).toContain('us-east-1');
  });
  it('takes the region from the queue URL', () => {
    expect(parseSqsUnlockParams({ account: '111122223333', 'queue-url': url }, settings, {}).region).toBe('us-east-1');
  });
  it('takes the endpoint override of AWS_ENDPOINT_URL_SQS over AWS_ENDPOINT_URL', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2' };
    const local = 'http://127.0.0.1:2/111122223333/jobs';
    expect(parseSqsUnlockParams({ account: '111122223333', 'queue-url': local }, settings, env).queue).toEqual({
      url: local,
    });
  });
  it.each([{}, { 'queue-url': url, 'queue-name': 'jobs' }])('needs exactly one of --queue-url/--queue-name: %j', (q) =>
    expect(rejection(() => parseSqsUnlockParams({ account: '111122223333', ...q }, settings, {})).message).toContain(
      'exactly one',
    ),
  );
});

describe('policy files', () => {
  const bucket: PolicyTarget = { service: 's3', account: '111122223333', bucket: 'b-1', partition: 'aws' };
  const statement = (extra: object = {}) => ({
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:root' },
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::b-1/*',
    ...extra,
  });
  const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const good = doc(statement());
  const read = (path: string, target: PolicyTarget = bucket, force = false) => readPolicyFile(path, target, { force });
  it('returns the exact text', () => expect(read(file('good.json', good))).toBe(good));
  it('takes one statement object, and the bucket itself as a resource', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: statement({ Resource: 'arn:aws:s3:::b-1' }) });
    expect(read(file('one.json', text))).toBe(text);
  });
  it.each([
    ['missing', join(dir, 'nope.json'), 'does not exist'],
    ['a directory', dir, 'a directory'],
    ['not JSON', file('bad.json', '{"Statement": ['), 'not valid JSON'],
    ['no Version', file('noversion.json', JSON.stringify({ Statement: [statement()] })), '"Version"'],
    ['no Statement', file('nostatement.json', '{"Version":"2012-10-17"}'), 'Statement'],
    ['empty Statement', file('empty.json', '{"Version":"2012-10-17","Statement":[]}'), 'Statement'],
    ['an array', file('array.json', '[]'), 'JSON object'],
    ['a number as a statement', file('number.json', '{"Version":"2012-10-17","Statement":[1]}'), 'statement 1'],
    ['without Effect', file('noeffect.json', doc(statement({ Effect: undefined }))), '"Effect"'],
    ['with Effect "allow"', file('lowercase.json', doc(statement({ Effect: 'allow' }))), '"Effect"'],
    ['without Action', file('noaction.json', doc(statement({ Action: undefined }))), '"Action"'],
    ['with both Action and NotAction', file('both.json', doc(statement({ NotAction: 's3:*' }))), '"NotAction"'],
    ['with another bucket', file('other.json', doc(statement({ Resource: 'arn:aws:s3:::other/*' }))), 'other than'],
    ['with a prefix bucket', file('prefix.json', doc(statement({ Resource: 'arn:aws:s3:::b-10/*' }))), 'other than'],
    ['with a wildcard bucket', file('wild.json', doc(statement({ Resource: 'arn:aws:s3:::b-*' }))), 'other than'],
    ['with Resource "*"', file('star.json', doc(statement({ Resource: '*' }))), 'other than'],
    ['of another partition', file('cn.json', doc(statement({ Resource: 'arn:aws-cn:s3:::b-1' }))), 'other than'],
    [
      'with a second statement elsewhere',
      file('second.json', doc(statement(), statement({ Resource: ['arn:aws:s3:::b-1', 'arn:aws:s3:::x'] }))),
      'statement 2',
    ],
    ['with an unknown element', file('unknown.json', doc(statement({ Effects: 'Allow' }))), 'element other than'],
    [
      'with a duplicate key',
      file('dup.json', good.replace('"Effect":"Allow"', '"Effect":"Deny","Effect":"Allow"')),
      'twice',
    ],
    ['with a byte order mark', file('bom.json', `\ufeff${good}`), 'byte order mark'],
    ['with a NUL byte', file('nul.json', `${good}\0`), 'NUL'],
  ])('refuses a file %s', (_label, path, expected) => {
    const err = rejection(() => read(path));
    expect(err.exitCode).toBe(2);
    expect(`${err.message} ${err.hint ?? ''}`).toContain(expected);
  });
  it('refuses a byte that is not UTF-8, saying where, instead of replacing it', () => {
    const path = join(dir, 'latin1.json');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(good.slice(0, 20)), Buffer.from([0xe9]), Buffer.from(good.slice(20))]),
    );
    expect(rejection(() => read(path)).hint).toMatch(/not valid UTF-8: byte 21 \(line 1, column 21\)/);
  });
  it('refuses a replacement that still locks everyone out, unless --force', () => {
    const path = file(
      'lockout.json',
      doc(statement(), statement({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b-1' })),
    );
    expect(rejection(() => read(path)).hint).toMatch(
      /still locks everyone out \(statement 2 denies s3:GetBucketPolicy/,
    );
    expect(read(path, bucket, true)).toContain('Deny');
  });
  it('judges a replacement by the lock-out rule: a Deny on the objects only, or of insecure transport, is taken', () => {
    const deny = (extra: object) => statement({ Effect: 'Deny', Principal: '*', Action: 's3:*', ...extra });
    const objects = doc(statement(), deny({ Resource: 'arn:aws:s3:::b-1/*' }));
    expect(read(file('objects.json', objects))).toBe(objects);
    const tls = doc(
      deny({
        Resource: ['arn:aws:s3:::b-1', 'arn:aws:s3:::b-1/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(read(file('tls.json', tls))).toBe(tls);
    const pipeline = doc(
      deny({
        Resource: 'arn:aws:s3:::b-1',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/pipeline' } },
      }),
    );
    expect(rejection(() => read(file('pipeline.json', pipeline))).hint).toMatch(
      /still locks everyone out \(statement 1 denies .*s3:PutBucketPolicy/,
    );
  });
  it('refuses a condition operator IAM does not know, even with --force, naming the statement only', () => {
    const odd = doc(statement(), statement({ Condition: { StringSometimes: { 'aws:PrincipalArn': 'x' } } }));
    const path = file('operator.json', odd);
    for (const force of [false, true]) {
      const err = rejection(() => read(path, bucket, force));
      expect(err.exitCode).toBe(2);
      expect(err.hint).toBe('statement 2 has a condition operator IAM does not know');
    }
  });
  it('refuses a condition value that is not a string, number or boolean', () => {
    const path = file('value.json', doc(statement({ Condition: { StringEquals: { 'aws:PrincipalArn': { a: 1 } } } })));
    expect(rejection(() => read(path)).hint).toMatch(/statement 1 has a "Condition" that is not/);
  });
  it('never quotes the file in its messages', () => {
    const secret = 'root:$6$SECRETHASH:19000:0:99999:7:::';
    for (const text of [secret, `{"Version":"2012-10-17","Statement":[{"Sid":"${secret}"}]}`, `{"${secret}": 1}`]) {
      const err = rejection(() => read(file('shadow.json', text)));
      expect(`${err.message} ${err.hint ?? ''}`).not.toContain('SECRETHASH');
    }
  });
  it('refuses a bucket policy over 20 KB but takes it for SQS', () => {
    const queueArn = 'arn:aws:sqs:us-east-1:111122223333:q';
    const big = doc(statement({ Sid: 'x'.repeat(21 * 1024), Action: 'sqs:SendMessage', Resource: queueArn }));
    const path = file('big.json', big);
    expect(rejection(() => read(path)).hint).toContain('20480');
    expect(read(path, { service: 'sqs', queueArn })).toBe(big);
  });
  it('validates --policy-file of s3-unlock before anything else', () => {
    const err = rejection(() =>
      parseS3UnlockParams({ account: '111122223333', bucket: 'b-1', 'policy-file': file('x.json', 'nope') }, {}),
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
    policy:
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::project-prod-1"}]}',
  };
  const noLog = '/nonexistent/audit.jsonl';
  // --force: these backups have no record in an audit log (the trail's checks are tested in restore-safety).
  const restore = (text: string, settings = {}, env = {}) =>
    parseRestoreParams({ backup: file('r.json', text), force: true }, { auditLog: noLog, ...settings }, env);
  it('reads a backup the audit log has no record of only with --force', () => {
    const backup = file('b.json', JSON.stringify(record));
    const params = parseRestoreParams({ backup, force: true }, { auditLog: noLog }, {});
    expect(params).toMatchObject({ account: '111122223333', resource: 'project-prod-1', policy: record.policy });
    const err = rejection(() => parseRestoreParams({ backup }, { auditLog: noLog }, {}));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('has no record in the audit log');
  });
  it('refuses, even with --force, a backup whose policy names another bucket', () => {
    const other = {
      ...record,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::other-bucket/*' }],
      }),
    };
    const err = rejection(() =>
      parseRestoreParams({ backup: file('o.json', JSON.stringify(other)), force: true }, { auditLog: noLog }, {}),
    );
    expect(err.exitCode).toBe(2);
    // Named by what is wrong, never by quoting the file's own text (the ARN is the file's content).
    expect(err.message).toContain('names a resource other than the bucket');
    expect(err.message).not.toContain('other-bucket');
  });
  it('refuses, even with --force, a queue backup whose policy names another account', () => {
    const queue = {
      ...record,
      resourceType: 'sqs-queue',
      resource: 'https://sqs.us-east-1.amazonaws.com/111122223333/jobs',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-1:444455556666:jobs' },
        ],
      }),
    };
    expect(
      rejection(() =>
        parseRestoreParams({ backup: file('q.json', JSON.stringify(queue)), force: true }, { auditLog: noLog }, {}),
      ).message,
    ).toContain('names a resource other than the queue');
    const wildcard = { ...queue, policy: queue.policy.replace('444455556666:jobs', '111122223333:*') };
    expect(
      parseRestoreParams({ backup: file('w.json', JSON.stringify(wildcard)), force: true }, { auditLog: noLog }, {})
        .resource,
    ).toBe(queue.resource);
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
      expect(rejection(() => parseRestoreParams({ backup: path, force: true }, { auditLog: noLog }, {})).exitCode).toBe(
        2,
      );
    }
  });
  it('reads a queue backup taken through an endpoint override', () => {
    const queue = {
      ...record,
      resourceType: 'sqs-queue',
      resource: 'http://127.0.0.1:4566/111122223333/jobs',
      policy: null,
    };
    expect(restore(JSON.stringify(queue), {}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }).resource).toBe(
      queue.resource,
    );
  });
  const queue = (resource: string) => JSON.stringify({ ...record, resourceType: 'sqs-queue', resource, policy: null });
  it.each([
    ['not JSON', 'nope'],
    ['without account', JSON.stringify({ ...record, account: undefined })],
    ['with a bad account', JSON.stringify({ ...record, account: '12' })],
    ['with a bad region', JSON.stringify({ ...record, region: 'evil' })],
    ['with an unknown type', JSON.stringify({ ...record, resourceType: 'dynamodb-table' })],
    ['with a bad bucket', JSON.stringify({ ...record, resource: 'Bad_Bucket' })],
    ['with a policy that is not a policy', JSON.stringify({ ...record, policy: '{}' })],
    [
      'with a policy for another bucket',
      JSON.stringify({ ...record, policy: record.policy.replace('project-prod-1', 'x-1') }),
    ],
    ['with a queue of another account', queue('https://sqs.us-east-1.amazonaws.com/444455556666/jobs')],
    ['with a queue of another region', queue('https://sqs.eu-west-1.amazonaws.com/111122223333/jobs')],
    ['with a queue on another host', queue('http://attacker.example/111122223333/jobs')],
    ['with a queue URL holding a password', queue('https://u:p@sqs.us-east-1.amazonaws.com/111122223333/jobs')],
  ])('refuses a backup %s', (_label, text) => {
    expect(rejection(() => restore(text)).exitCode).toBe(2);
  });
  it('refuses a backup of another region than --region', () => {
    expect(rejection(() => restore(JSON.stringify(record), { region: 'eu-west-1' })).hint).toContain('eu-west-1');
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
