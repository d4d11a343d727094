/**
 * The shared checks of the validation layer, one by one: strict JSON, input files, the argv rules, endpoints, the
 * environment and profiles, and backup folders. (The table in reliability/bad-input.test.ts runs them through the
 * built CLI against the sandbox.)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, type CommandLineRules } from '../../runbooks/cli/argv';
import { checkBackupDir } from '../../runbooks/engine/backup-dir';
import { writeBackup } from '../../runbooks/engine/backup';
import { endpointOverride, parseEndpointUrl } from '../../runbooks/engine/endpoints';
import { httpTimeoutMs } from '../../runbooks/engine/clients';
import { checkEnvironment } from '../../runbooks/engine/environment';
import type { RunbookError } from '../../runbooks/engine/errors';
import { readInputFile } from '../../runbooks/engine/input-file';
import { parseJsonText } from '../../runbooks/engine/json-text';
import { partitionOf, quote } from '../../runbooks/engine/validate';
import { rejection, rejectionOf } from '../support/rejection';

const dir = mkdtempSync(join(tmpdir(), 'runbook-input-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const text = (err: RunbookError) => `${err.message}\n${err.hint ?? ''}`;

describe('quote', () => {
  it('reads like JSON for plain ASCII, and escapes everything else', () => {
    expect(quote('abc "x"')).toBe(JSON.stringify('abc "x"'));
    expect(quote('１a\u200b\n\x1b[31m')).toBe('"\\uff11a\\u200b\\u000a\\u001b[31m"');
  });
  it('cuts long values, saying how long they were, and masks URL passwords', () => {
    expect(quote('9'.repeat(500))).toBe(`"${'9'.repeat(120)}"… (500 characters)`);
    expect(quote('https://ops:hunter2@sqs.us-east-1.amazonaws.com/1/q')).toBe(
      '"https://ops:***@sqs.us-east-1.amazonaws.com/1/q"',
    );
  });
});

describe('partitions', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
  ])('%s is in %s', (region, partition) => expect(partitionOf(region)).toBe(partition));
});

describe('strict JSON', () => {
  it.each(['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', ' {"a" : {"b" : [ ] } } '])(
    'reads %s as JSON.parse does',
    (json) => expect(parseJsonText(json)).toEqual({ ok: true, value: JSON.parse(json) }),
  );
  it.each([
    ['{"a": oops}', 'a JSON value was expected', 1, 7],
    ['{\n  "a": 1,\n}', 'trailing comma', 2, 9],
    ['{"a": "x\ny"}', 'raw control character', 1, 9],
    ['{"a": 1, "a": 2}', 'appears twice', 1, 10],
    ['{"a": 01}', 'malformed', 1, 7],
    ['\ufeff{}', 'byte order mark', 1, 1],
    ['{} {}', 'after the JSON value', 1, 4],
    ['{"a": [1, 2', 'ends before', 1, 12],
  ])('refuses %j: %s at line %i, column %i', (json, problem, line, column) => {
    expect(parseJsonText(json)).toEqual({ ok: false, problem: expect.stringContaining(problem), at: { line, column } });
  });
  it('keeps "__proto__" a plain key and refuses nesting deeper than 64', () => {
    const parsed = parseJsonText('{"__proto__": {"polluted": true}}');
    expect(parsed.ok && Object.keys(parsed.value as object)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(parseJsonText(`${'['.repeat(100)}${']'.repeat(100)}`)).toMatchObject({ ok: false, problem: /nested/ });
  });
  it('never puts the text into a problem', () => {
    for (const json of ['root:x:0:0', '{"secret": value-here}', '"unterminated secret']) {
      const parsed = parseJsonText(json);
      expect(parsed.ok).toBe(false);
      expect(JSON.stringify(parsed)).not.toMatch(/root:x|value-here|secret/);
    }
  });
});

describe('input files', () => {
  const rule = { option: '--policy-file', what: 'a JSON policy document', limit: 64 };
  it('returns the exact text of a regular file, through a symlink too', () => {
    const path = file('ok.json', '{"a": "é"}');
    const link = join(dir, 'ok-link.json');
    symlinkSync(path, link);
    expect(readInputFile(link, rule)).toBe('{"a": "é"}');
  });
  it('refuses a FIFO at once instead of waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    expect(text(rejection(() => readInputFile(fifo, rule)))).toContain('a FIFO (named pipe), not a regular file');
    expect(Date.now() - started).toBeLessThan(1000);
  });
  it.each([
    ['/dev/zero', 'a character device'],
    [dir, 'a directory'],
    [join(dir, 'missing.json'), 'does not exist'],
    [join(dir, 'ok.json', 'x'), 'not a directory'],
  ])('refuses %s: %s', (path, problem) => expect(text(rejection(() => readInputFile(path, rule)))).toContain(problem));
  it('refuses a file over the limit, and reads at most limit + 1 bytes of one that claims size 0', () => {
    expect(text(rejection(() => readInputFile(file('big.json', 'x'.repeat(65)), rule)))).toContain('65 bytes');
    // /proc files report size 0; the read stops at limit + 1 bytes.
    expect(text(rejection(() => readInputFile('/proc/self/maps', rule)))).toContain('more than 64 bytes');
  });
  it('refuses bytes that are not UTF-8, and NUL bytes, saying where', () => {
    const latin1 = file('latin1.json', Buffer.from([0x7b, 0x0a, 0x22, 0xe9, 0x22, 0x7d]));
    expect(rejection(() => readInputFile(latin1, rule)).hint).toBe('it is not valid UTF-8: byte 4 (line 2, column 2)');
    for (const bytes of [
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    ]) {
      const path = file('bad-utf8.json', Buffer.from([0x61, ...bytes]));
      expect(rejection(() => readInputFile(path, rule)).hint).toMatch(/^it is not valid UTF-8: byte 2 /);
    }
    expect(rejection(() => readInputFile(file('nul.json', '{}\n\0'), rule)).hint).toBe(
      'it contains a NUL byte at line 2, column 1',
    );
  });
  it('names the path and the option, never the content', () => {
    const err = rejection(() => readInputFile(file('secret.json', `${'s3cr3t'.repeat(20)}`), rule));
    expect(err.message).toContain('invalid --policy-file');
    expect(err.message).toContain('secret.json');
    expect(text(err)).not.toContain('s3cr3t');
  });
});

describe('the command line', () => {
  const rules = {
    name: 'demo',
    options: {
      account: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      verbose: { type: 'boolean', short: 'v' },
    },
    allowPositionals: false,
    runsChild: false,
  } as const;
  const parse = (args: string[], override: Partial<CommandLineRules> = {}) =>
    parseCommandLine({ ...rules, ...override }, args);
  it('reads flags, = values, grouped short flags, and a repeat with the same value', () => {
    expect(parse(['--account', '111122223333', '-yv', '--account=111122223333']).values).toEqual({
      account: '111122223333',
      yes: true,
      verbose: true,
    });
    expect(parse(['--account=-dash']).values.account).toBe('-dash');
  });
  it.each([
    [['--account', 'a', '--account', 'b'], 'given twice, with different values ("a" and "b")'],
    [['--account', ''], '--account needs a value'],
    [['--account'], '--account needs a value'],
    [['--account', '--yes'], 'followed by "--yes"'],
    [['--yes=no'], '--yes takes no value (got "no")'],
    [['--acount', '1'], 'did you mean --account?'],
    [['--y\u0435s'], 'unknown option "--y\\u0435s"'],
    [['stray'], 'unexpected argument "stray"'],
    [['--yes', '--', '--dry-run'], 'arguments after "--" are not accepted ("--dry-run")'],
  ])('refuses %j', (args, message) => expect(text(rejection(() => parse(args)))).toContain(message));
  it('gives what follows -- to a command that runs a child, and accepts a bare --', () => {
    expect(parse(['--yes', '--', 'aws', '--account', 'x'], { runsChild: true })).toEqual({
      values: { yes: true },
      positionals: [],
      passthrough: ['aws', '--account', 'x'],
    });
    expect(parse(['--yes', '--']).passthrough).toEqual([]);
  });
});

describe('endpoints', () => {
  it.each(['http://127.0.0.1:4566', 'https://vpce-1.sqs.us-east-1.vpce.amazonaws.com', 'http://[::1]:9000/'])(
    'accepts %s',
    (url) => expect(parseEndpointUrl(url, '--endpoint-url')).toBe(url),
  );
  it.each([
    ['localhost:4566', 'only http and https'],
    ['http://u:hunter2@127.0.0.1:1', 'user name or password'],
    ['http://127.0.0.1:1/prefix', 'a path'],
    ['http://127.0.0.1:1/?x=1', 'query'],
    ['http://127.0.0.1:1 ', 'expected'],
  ])('refuses %j: %s', (url, problem) => {
    const err = rejection(() => parseEndpointUrl(url, 'AWS_ENDPOINT_URL'));
    expect(text(err)).toContain(problem);
    expect(text(err)).toContain('AWS_ENDPOINT_URL');
    expect(text(err)).not.toContain('hunter2');
  });
  it('resolves the override as the SDK does: the flag, the service variable, the global variable', () => {
    const env = { AWS_ENDPOINT_URL: 'http://g:1', AWS_ENDPOINT_URL_SQS: 'http://s:1' };
    expect(endpointOverride('SQS', { endpointUrl: 'http://f:1', env })).toBe('http://f:1');
    expect(endpointOverride('SQS', { env })).toBe('http://s:1');
    expect(endpointOverride('S3', { env })).toBe('http://g:1');
    expect(endpointOverride('S3', { env: { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' } })).toBeUndefined();
    expect(endpointOverride('STS', { env: {} })).toBeUndefined();
  });
});

describe('environment and profiles', () => {
  const config = file('config', '[default]\nregion = eu-west-2\n[profile ops]\nregion = eu-central-1\n');
  const credentials = file('credentials', '[incident]\naws_access_key_id = x\naws_secret_access_key = y\n');
  const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, HOME: dir };
  it('finds profiles in either file and takes the default region in the SDK order', async () => {
    expect(await checkEnvironment({}, env)).toEqual({ defaultRegion: 'eu-west-2' });
    expect(await checkEnvironment({ profile: 'ops' }, env)).toEqual({ defaultRegion: 'eu-central-1' });
    expect(await checkEnvironment({ profile: 'incident' }, env)).toEqual({ defaultRegion: 'us-east-1' });
    expect(await checkEnvironment({ profile: 'ops' }, { ...env, AWS_REGION: 'ap-south-1' })).toEqual({
      defaultRegion: 'ap-south-1',
    });
    expect(await checkEnvironment({ region: 'sa-east-1' }, env)).toEqual({ defaultRegion: 'sa-east-1' });
  });
  it('refuses an unknown profile, naming it and the files searched', async () => {
    const err = await rejectionOf(checkEnvironment({}, { ...env, AWS_PROFILE: 'nope' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      `unknown profile "nope" (AWS_PROFILE): it is in neither ${config} (AWS_CONFIG_FILE) nor ${credentials} (AWS_SHARED_CREDENTIALS_FILE)`,
    );
    const defaults = await rejectionOf(checkEnvironment({ profile: '__proto__' }, { HOME: dir }));
    expect(defaults.message).toContain(`${join(dir, '.aws', 'config')} (the default)`);
    // AWS_PROFILE=default is the SDK's own default, which may well be absent; --profile default must exist.
    await expect(checkEnvironment({}, { HOME: dir, AWS_PROFILE: 'default' })).resolves.toBeDefined();
    await expect(checkEnvironment({ profile: 'default' }, { HOME: dir })).rejects.toThrow(/unknown profile "default"/);
  });
  it('refuses a profile region that is not one, without quoting the file', async () => {
    const bad = file('config-bad', '[profile bad]\nregion = us-east-1; curl evil\n');
    const err = await rejectionOf(checkEnvironment({ profile: 'bad' }, { ...env, AWS_CONFIG_FILE: bad }));
    expect(err.message).toContain(`the region of profile "bad" in ${bad}`);
    expect(text(err)).not.toContain('curl');
  });
  it.each([
    [{ AWS_REGION: 'evil' }, 'invalid AWS_REGION "evil"'],
    [{ AWS_DEFAULT_REGION: '' }, 'AWS_DEFAULT_REGION is set but empty'],
    [{ AWS_ENDPOINT_URL_SQS: 'sqs' }, 'invalid AWS_ENDPOINT_URL_SQS "sqs"'],
    [{ RUNBOOK_HTTP_TIMEOUT_MS: '1.5' }, 'invalid RUNBOOK_HTTP_TIMEOUT_MS "1.5"'],
    [{ AWS_CONFIG_FILE: '/dev/zero' }, 'AWS_CONFIG_FILE names "/dev/zero", which is a character device'],
    [{ AWS_SHARED_CREDENTIALS_FILE: dir }, 'which is a directory'],
  ])('refuses %j', async (extra, message) => {
    expect((await rejectionOf(checkEnvironment({}, { ...env, ...extra }))).message).toContain(message);
  });
  it('takes /dev/null as an empty config file, and reads the request timeout within its range', async () => {
    await expect(checkEnvironment({}, { AWS_CONFIG_FILE: '/dev/null', HOME: dir })).resolves.toBeDefined();
    expect(httpTimeoutMs({})).toBe(10_000);
    expect(httpTimeoutMs({ RUNBOOK_HTTP_TIMEOUT_MS: '300' })).toBe(300);
    expect(rejection(() => httpTimeoutMs({ RUNBOOK_HTTP_TIMEOUT_MS: '600001' })).hint).toContain('milliseconds');
  });
});

describe('backup folders', () => {
  const folder = (name: string, mode: number) => {
    const path = join(dir, name);
    mkdirSync(path);
    chmodSync(path, mode);
    return path;
  };
  it('accepts an owner-only folder and a missing one under a writable parent', () => {
    expect(() => checkBackupDir(folder('private', 0o700), '--backup-dir')).not.toThrow();
    expect(() => checkBackupDir(join(dir, 'new', 'deeper'), '--backup-dir')).not.toThrow();
  });
  it.each([
    [() => folder('open', 0o777), 'group or others can write it (mode 0777)'],
    [() => folder('group', 0o775), 'mode 0775'],
    [() => '/proc/self/backups', 'under /proc'],
    [() => '/sys/kernel/x', 'under /sys'],
    [() => file('plain', 'x'), 'it is a regular file'],
    [() => join(file('plain2', 'x'), 'sub'), 'a part of the path is a file'],
  ])('refuses %#: %s', (path, problem) => {
    const err = rejection(() => checkBackupDir(path(), 'RUNBOOK_BACKUP_DIR'));
    expect(err.message).toMatch(/^invalid RUNBOOK_BACKUP_DIR /);
    expect(text(err)).toContain(problem);
  });
  it('creates a missing folder, and the folders above it, owner-only', () => {
    const path = join(dir, 'created', 'backups');
    const previous = process.umask(0o022);
    try {
      writeBackup(path, {
        runbook: 's3-unlock',
        run: 'run-1',
        account: '111122223333',
        region: 'us-east-1',
        resourceType: 's3-bucket',
        resource: 'b-1',
        policy: null,
        takenAt: new Date().toISOString(),
        taskPolicy: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
        rootAccessKeyId: 'ASIAEXAMPLE',
      });
    } finally {
      process.umask(previous);
    }
    expect(statSync(path).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'created')).mode & 0o777).toBe(0o700);
  });
});
