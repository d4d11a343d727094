/**
 * runbook exec --server end to end against the sandbox, which refuses an expired root session: a child that runs
 * for more than three session lifetimes keeps working through the container credentials endpoint, every root
 * session it saw is in the audit log, and the endpoint answers only loopback requests that carry the token.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issuedSecrets, seedOrganization } from '../../emulator/seed';
import { CLI, runCli, type CliResult } from '../../test-support/cli';
import { describeWithSandbox, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { ofType, trailRecords } from '../../test-support/trail';

const hasAwsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const DURATION_S = 3;
const CHILD_RUNS_S = 10;

/** botocore through its default chain, a call every 250 ms: which session signed each call, and what failed. */
const BOTOCORE_CHILD = `
import json, os, time, botocore.session
s = botocore.session.Session()
sts = s.create_client('sts', region_name=os.environ['AWS_REGION'])
calls, fails = [], []
end = time.time() + ${CHILD_RUNS_S}
while time.time() < end:
    try:
        arn = sts.get_caller_identity()['Arn']
        calls.append([arn, s.get_credentials().get_frozen_credentials().access_key])
    except Exception as e:
        fails.append(repr(e))
    time.sleep(0.25)
print(json.dumps({'calls': calls, 'fails': fails, 'env': {k: os.environ.get(k) for k in [
    'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION']}}))
`;

/** The JS SDK's default chain, and the endpoint asked without the token, with a wrong one, and on a wrong path. */
const JS_CHILD = `
const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(require.resolve('@aws-sdk/client-sts'))});
(async () => {
  const id = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  const url = process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  const token = process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  const status = async (u, headers) => (await fetch(u, { headers })).status;
  console.log(JSON.stringify({ arn: id.Arn, url, statuses: {
    none: await status(url, {}),
    wrong: await status(url, { authorization: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') }),
    right: await status(url, { authorization: token }),
    wrongPath: await status(url.replace(/credentials$/, 'other'), { authorization: token }),
  } }));
})().catch((e) => { console.error(e.name); process.exit(99); });
`;

describeWithSandbox('runbook exec --server', () => {
  const sandbox = useSandbox();
  const work = mkdtempSync(join(tmpdir(), 'exec-server-'));
  const auditLog = join(work, 'audit.jsonl');
  const outputs: string[] = [];
  let member: string;

  const exec = async (...args: string[]): Promise<CliResult> => {
    const run = await runCli(['exec', '--server', '--account', member, '--task', 'audit', ...args], {
      cwd: work,
      env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: auditLog },
      timeoutMs: 60_000,
    });
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  /** The root sessions each `exec --server` run recorded, per run, in the order they were taken. */
  const serverRuns = (): string[][] => {
    const records = trailRecords(auditLog);
    const runs = ofType(records, 'intent').filter(
      (r) => r.runbook === 'exec' && (r.parameters as { server?: boolean }).server === true,
    );
    return runs.map((intent) =>
      records
        .filter((r) => r.run === intent.run && r.type === 'session' && r.kind === 'root')
        .map((r) => String(r.accessKeyId)),
    );
  };

  beforeAll(async () => {
    member = (await seedOrganization(sandbox.endpoint, { accounts: 1 })).accounts[0].id;
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it(`a botocore child running ${CHILD_RUNS_S} s on ${DURATION_S}-s root sessions keeps working, and every session is audited`, async () => {
    const script = join(work, 'child.py');
    writeFileSync(script, BOTOCORE_CHILD);
    const run = await exec('--duration', String(DURATION_S), '--', 'python3', script);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const child = JSON.parse(run.stdout) as {
      calls: [string, string][];
      fails: string[];
      env: Record<string, unknown>;
    };

    expect(child.fails).toEqual([]);
    expect(child.calls.length).toBeGreaterThan(CHILD_RUNS_S * 2);
    expect(new Set(child.calls.map(([arn]) => arn))).toEqual(new Set([`arn:aws:iam::${member}:root`]));
    // More than three lifetimes: at least four sessions signed the child's calls, each in its turn.
    const seen = [...new Set(child.calls.map(([, key]) => key))];
    expect(seen.length).toBeGreaterThanOrEqual(Math.ceil(CHILD_RUNS_S / DURATION_S));

    const audited = serverRuns().at(-1) ?? [];
    for (const key of seen) expect(audited).toContain(key);
    // Each session recorded once, in the order the child met them.
    expect(new Set(audited).size).toBe(audited.length);
    expect(audited.filter((key) => seen.includes(key))).toEqual(seen);

    expect(child.env).toMatchObject({
      AWS_ACCESS_KEY_ID: null,
      AWS_SECRET_ACCESS_KEY: null,
      AWS_SESSION_TOKEN: null,
      AWS_PROFILE: null,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/runbook\/credentials$/),
      AWS_CONTAINER_AUTHORIZATION_TOKEN: expect.stringMatching(/^[\w-]{43}$/),
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
  });

  (hasAwsCli ? it : it.skip)(
    `the AWS CLI in the child reads the endpoint, and reads it again once a session has ended${hasAwsCli ? '' : ' (skipped: no aws on PATH)'}`,
    async () => {
      const call = 'aws sts get-caller-identity --query Arn --output text';
      const run = await exec('--duration', '2', '--', 'sh', '-c', `${call} && sleep 2.5 && ${call}`);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split('\n')).toEqual(Array(2).fill(`arn:aws:iam::${member}:root`));
      // The second call came after the first session had ended: it was signed by a later one.
      expect((serverRuns().at(-1) ?? []).length).toBeGreaterThanOrEqual(2);
    },
  );

  it('the JS SDK child gets the session from the endpoint, which refuses a missing or wrong token', async () => {
    const run = await exec('--', process.execPath, '-e', JS_CHILD);
    expect(run.code).toBe(0);
    const child = JSON.parse(run.stdout) as { arn: string; url: string; statuses: Record<string, number> };
    expect(child.arn).toBe(`arn:aws:iam::${member}:root`);
    expect(child.statuses).toEqual({ none: 401, wrong: 401, right: 200, wrongPath: 404 });
    // The endpoint lives as long as the command: afterwards nothing answers there.
    await expect(fetch(child.url)).rejects.toThrow();
  });

  it('passes the exit code on and refuses to nest', async () => {
    expect((await exec('--', 'sh', '-c', 'exit 5')).code).toBe(5);
    // The inner runbook sees the outer one's marker and refuses before taking a session.
    const inner = ['exec', '--server', `--account=${member}`, '--task=audit', '--', 'true'];
    const nested = await exec('--', process.execPath, CLI, ...inner);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain('already inside a runbook session');
  });

  it('never printed a secret the sandbox issued, and never the endpoint token on stderr', async () => {
    const secrets = await issuedSecrets(sandbox.endpoint);
    expect(secrets.length).toBeGreaterThan(8);
    const everything = outputs.join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    // The botocore child printed its token on stdout; runbook itself must not have shown it anywhere.
    const token = (JSON.parse(outputs[0]) as { env: { AWS_CONTAINER_AUTHORIZATION_TOKEN: string } }).env
      .AWS_CONTAINER_AUTHORIZATION_TOKEN;
    expect(outputs.filter((_, i) => i % 2 === 1).join('\n')).not.toContain(token);
  });
});
