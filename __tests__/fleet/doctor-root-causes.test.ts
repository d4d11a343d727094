/**
 * doctor against the three root causes a new user meets first, end to end through the built CLI: an endpoint
 * nothing listens on, no credentials at all, and credentials that have expired (a root session the sandbox has
 * stopped accepting). Each is reported once, on the check where it shows, with its own fix; every other check says
 * "not checked" and why, with no fix of its own.
 */
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedOrganization } from '../../emulator/seed';
import { runCli, type CliResult } from '../../test-support/cli';
import { describeWithSandbox, sandboxEnv, useSandbox } from '../../test-support/sandbox';

interface Check {
  name: string;
  ok: boolean;
  status: string;
  detail: string;
  fix?: string;
  cause?: string;
}

/** A loopback port nothing listens on: taken from the OS, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'doctor-causes-'));
const doctor = (env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> =>
  runCli(['doctor', ...args], { cwd: work, env: { ...env, RUNBOOK_AUDIT_LOG: join(work, 'audit.jsonl') } });

/** The report of one root cause: the first check carries it and its fix, the other five are not checked. */
function expectOneRootCause(run: CliResult, cause: string, detail: RegExp, fix: RegExp, summary: string): void {
  expect(run.code).toBe(1);
  const { checks } = JSON.parse(run.stdout) as { checks: Check[] };
  expect(checks).toHaveLength(6);
  expect(checks[0]).toMatchObject({ name: 'caller identity', status: 'failed', cause, ok: false });
  expect(checks[0].detail).toMatch(detail);
  expect(checks[0].fix).toMatch(fix);
  for (const check of checks.slice(1)) {
    expect(check).toEqual({
      name: check.name,
      ok: false,
      status: 'not-checked',
      detail: `not checked: ${summary} (see "caller identity")`,
    });
  }
}

describe('doctor root causes without AWS', () => {
  // One run only: the SDK retries a refused connection for a few seconds before doctor hears of it.
  it('an endpoint nothing listens on: reported once, with the endpoint fix', async () => {
    const port = await closedPort();
    const env = sandboxEnv(`http://127.0.0.1:${port}`);
    expectOneRootCause(
      await doctor(env, '--json'),
      'unreachable-endpoint',
      new RegExp(`cannot reach AWS at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED`),
      /--endpoint-url.*AWS_ENDPOINT_URL/,
      'AWS cannot be reached',
    );
  });

  it.each([
    [404, /HTTP 404, no AWS request id or error code/],
    [200, /GetCallerIdentity answered without an ARN/],
  ])(
    'an endpoint that is not AWS (a web server answering %i): reported once, with the endpoint fix',
    async (status, detail) => {
      const web = createHttpServer((_, response) => {
        response.writeHead(status, { 'content-type': 'text/html' });
        response.end('<html><body>not AWS</body></html>');
      });
      await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', () => resolve()));
      try {
        const { port } = web.address() as { port: number };
        expectOneRootCause(
          await doctor(sandboxEnv(`http://127.0.0.1:${port}`), '--json'),
          'not-aws-endpoint',
          detail,
          /must be an AWS API endpoint/,
          'the endpoint is not AWS',
        );
      } finally {
        web.close();
      }
    },
  );
});

describeWithSandbox('doctor root causes against the sandbox', () => {
  const sandbox = useSandbox();
  let member: string;

  beforeAll(async () => {
    member = (await seedOrganization(sandbox.endpoint, { accounts: 1 })).accounts[0].id;
  });

  it('no credentials anywhere: reported once, with how to configure them', async () => {
    const env = sandboxEnv(sandbox.endpoint);
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    expectOneRootCause(
      await doctor(env, '--json'),
      'no-credentials',
      /no credentials found \(CredentialsProviderError/,
      /--profile <name> or AWS_PROFILE/,
      'there are no credentials',
    );
  });

  it('expired credentials: reported once, with how to refresh them', async () => {
    const issued = await runCli(
      ['credentials', '--account', member, '--task', 'audit', '--format', 'json', '--duration', '1'],
      { cwd: work, env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: join(work, 'audit.jsonl') } },
    );
    expect(issued.code).toBe(0);
    const c = JSON.parse(issued.stdout) as Record<string, string>;
    await new Promise((r) => setTimeout(r, Math.max(0, new Date(c.Expiration).getTime() - Date.now()) + 300));
    const env = sandboxEnv(sandbox.endpoint, {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    });
    const run = await doctor(env, '--json');
    expectOneRootCause(
      run,
      'expired-credentials',
      /the caller's credentials have expired \(ExpiredToken/,
      /fresh credentials/,
      "the caller's credentials have expired",
    );
    expect(run.stdout + run.stderr).not.toContain(c.SecretAccessKey);
  });

  it('a healthy organization still passes every check (no root cause, nothing skipped)', async () => {
    const run = await doctor(sandboxEnv(sandbox.endpoint), '--json');
    const { checks } = JSON.parse(run.stdout) as { checks: Check[] };
    expect(checks.map((c) => c.status)).toEqual(Array(6).fill('ok'));
    expect(run.code).toBe(0);
  });
});
