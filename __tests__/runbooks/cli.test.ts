/** The CLI's own contract, in-process: help, version, usage errors and their exit codes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../runbooks/cli/main';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: { write: (t) => void out.push(t) },
    stderr: { write: (t) => void err.push(t) },
    stdin: new PassThrough(),
    // No credentials and an unroutable endpoint: any AWS call would fail loudly, so a usage error must come first.
    env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
    cwd: '/nonexistent',
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('help and version', () => {
  it('lists every command with --help, and with no arguments', async () => {
    for (const argv of [['--help'], []]) {
      const { code, stdout } = await cli(...argv);
      expect(code).toBe(0);
      for (const name of ['s3-unlock', 'sqs-unlock', 'root-password-reset', 'restore']) expect(stdout).toContain(name);
      expect(stdout).toContain('--endpoint-url');
    }
  });

  it('prints the usage of a command', async () => {
    const { code, stdout } = await cli('sqs-unlock', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('runbook sqs-unlock --account <12 digits> (--queue-url <url> | --queue-name <name>)');
    expect(stdout).toContain('--role-arn');
  });

  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('usage errors exit 2 and say what is wrong', () => {
  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['s3-unlock', '--account', '111122223333', '--bucket', 'b-1', '--frce'], 'unknown option "--frce"'],
    [['s3-unlock', '--bucket', 'b-1', '--yes'], 'missing --account'],
    [['s3-unlock', '--account', '111122223333', '--yes'], 'missing --bucket'],
    [['s3-unlock', '--account', '1111222233', '--bucket', 'b-1'], '--account "1111222233"'],
    [['s3-unlock', '--account', '111122223333', '--bucket', 'B_1'], '--bucket "B_1"'],
    [['s3-unlock', '--account', '111122223333', '--bucket', 'b-1', '--duration', '901'], '--duration "901"'],
    [['s3-unlock', '--account', '111122223333', '--bucket', 'b-1', 'extra'], 'unexpected argument "extra"'],
    [['s3-unlock', '--account', '111122223333', '--bucket', 'b-1', '--external-id', 'incident-42'], 'needs --role-arn'],
    [['exec', '--account', '111122223333', '--task', 'audit', '--duration', '901', '--', 'true'], '--duration "901"'],
    [['spoke', 'exec', '--duration', '899', '--', 'true'], 'from 900 to 3600'],
    [['spoke', 'exec', '--duration', '3601', '--', 'true'], '--duration "3601"'],
    [['spoke', 'exec', '--role-arn', 'arn:aws:iam::111122223333:role/Op', '--', 'true'], 'does not take --role-arn'],
    [['root-password-reset', '--account', '111122223333', '--backup-dir', '/tmp'], 'unknown option "--backup-dir"'],
    [['restore', '--backup', '/nonexistent/backup.json'], '--backup "/nonexistent/backup.json"'],
  ])('%j', async (argv, expected) => {
    const { code, stdout, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: /);
    expect(stderr).toContain(expected);
  });
});
