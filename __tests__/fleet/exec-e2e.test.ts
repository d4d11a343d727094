/**
 * exec, credentials and spoke exec end to end: the built CLI runs real child processes that use the AWS SDK
 * with the credentials they were given, against the sandbox (which enforces trust policies and external ids).
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { MANAGEMENT_ACCOUNT_ID } from '../../emulator/sandbox';
import { issuedSecrets, issuedSessions, memberAdminCredentials, seedOrganization } from '../../emulator/seed';
import { lastRun, ofType, runOutcome, trailRecords } from '../../test-support/trail';
import { describeWithSandbox, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { CLI, runCli, type CliResult as Run } from '../../test-support/cli';

/** A child that prints who it is (sts:GetCallerIdentity through the SDK's default chain) and selected env. */
const WHOAMI = `
const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(require.resolve('@aws-sdk/client-sts'))});
new STSClient({}).send(new GetCallerIdentityCommand({})).then((id) => {
  const e = process.env;
  console.log(JSON.stringify({ arn: id.Arn, env: {
    AWS_ACCESS_KEY_ID: e.AWS_ACCESS_KEY_ID, hasSecret: Boolean(e.AWS_SECRET_ACCESS_KEY),
    tokensMatch: Boolean(e.AWS_SESSION_TOKEN) && e.AWS_SESSION_TOKEN === e.AWS_SECURITY_TOKEN,
    AWS_SESSION_EXPIRATION: e.AWS_SESSION_EXPIRATION, AWS_REGION: e.AWS_REGION, RUNBOOK_EXEC_SESSION: e.RUNBOOK_EXEC_SESSION,
    AWS_PROFILE: e.AWS_PROFILE } }));
  process.exit(Number(process.argv[1] || 0));
}, (err) => { console.error(err.name); process.exit(99); });
`;

describeWithSandbox('exec, credentials and spoke exec end to end', () => {
  const sandbox = useSandbox();
  const work = mkdtempSync(join(tmpdir(), 'fleet-exec-'));
  const outputs: string[] = [];
  let member: string;
  let hubAccount: string;
  let spokeAccount: string;

  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...sandboxEnv(sandbox.endpoint),
    RUNBOOK_AUDIT_LOG: join(work, 'audit.jsonl'),
    ...extra,
  });
  const runbook = async (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> => {
    const run = await runCli(args, { cwd: work, env: env(extra) });
    outputs.push(run.stdout, run.stderr);
    return run;
  };

  beforeAll(async () => {
    const org = await seedOrganization(sandbox.endpoint, { accounts: 3 });
    [member, hubAccount, spokeAccount] = org.accounts.map((a) => a.id);
    const iamOf = async (account: string) =>
      new IAMClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: await memberAdminCredentials(sandbox.endpoint, account),
      });
    const trust = (principal: string, condition?: object) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: principal },
            Action: 'sts:AssumeRole',
            ...(condition ? { Condition: condition } : {}),
          },
        ],
      });
    const externalId = { StringEquals: { 'sts:ExternalId': 'shared-secret-id' } };
    await (
      await iamOf(hubAccount)
    ).send(
      new CreateRoleCommand({
        RoleName: 'Hub',
        AssumeRolePolicyDocument: trust(`arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:root`, externalId),
      }),
    );
    // Hub → spoke crosses accounts: the hub's identity policy must allow it as well as the spoke's trust policy.
    await (
      await iamOf(hubAccount)
    ).send(
      new PutRolePolicyCommand({
        RoleName: 'Hub',
        PolicyName: 'assume-spoke',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/Spoke' }],
        }),
      }),
    );
    await (
      await iamOf(spokeAccount)
    ).send(
      new CreateRoleCommand({
        RoleName: 'Spoke',
        AssumeRolePolicyDocument: trust(`arn:aws:iam::${hubAccount}:role/Hub`, externalId),
      }),
    );
  });

  it('exec runs the command as the member root user with the session in its env, and passes the exit code on', async () => {
    // The caller's keys come from a profile: the runbook uses it, and the child must not inherit AWS_PROFILE
    // (a profile wins over env keys in the SDKs, and the child would act as the caller).
    const credentialsFile = join(work, 'caller-credentials');
    writeFileSync(credentialsFile, '[caller]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const viaProfile: NodeJS.ProcessEnv = {
      ...env(),
      AWS_PROFILE: 'caller',
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    };
    delete viaProfile.AWS_ACCESS_KEY_ID;
    delete viaProfile.AWS_SECRET_ACCESS_KEY;
    const argv = ['exec', '--account', member, '--task', 'audit', '--', process.execPath, '-e', WHOAMI, '7'];
    const run = await runCli(argv, { cwd: work, env: viaProfile });
    outputs.push(run.stdout, run.stderr);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(7);
    const child = JSON.parse(run.stdout) as { arn: string; env: Record<string, unknown> };
    expect(child.arn).toBe(`arn:aws:iam::${member}:root`);
    expect(child.env).toMatchObject({
      AWS_ACCESS_KEY_ID: expect.stringMatching(/^ASIA/),
      hasSecret: true,
      tokensMatch: true,
      AWS_SESSION_EXPIRATION: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      AWS_REGION: 'us-east-1',
      RUNBOOK_EXEC_SESSION: `exec:${member}:audit`,
    });
    expect(child.env.AWS_PROFILE).toBeUndefined();
    const ok = await runbook([
      'exec',
      '--account',
      member,
      '--task',
      'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
      '--',
      'true',
    ]);
    expect(ok.code).toBe(0);
  });

  it('exec passes a signal on: a child killed by SIGTERM ends runbook the same way', async () => {
    const run = await runbook(['exec', '--account', member, '--task', 'audit', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(run.signal).toBe('SIGTERM');
  });

  it('exec refuses to nest, and refuses a bad task or a missing command with exit 2 before any AWS call', async () => {
    const nested = await runbook([
      'exec',
      '--account',
      member,
      '--task',
      'audit',
      '--',
      process.execPath,
      CLI,
      'exec',
      '--account',
      member,
      '--task',
      'audit',
      '--',
      'true',
    ]);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/refusing to nest/);
    for (const args of [
      ['--task', 'IAMAuditRootUserCredentials'],
      ['--task', 'arn:aws:iam::aws:policy/root-task/Custom'],
      ['--task', 'audit', '--account', '12345'],
    ]) {
      const run = await runbook(['exec', '--account', member, ...args, '--', 'true'], {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      });
      expect(run.code).toBe(2);
      // The last: --account given twice, with different values, is refused as such (never "the last one wins").
      expect(run.stderr).toMatch(/invalid --task|--account is given twice, with different values/);
    }
    const none = await runbook(['exec', '--account', member, '--task', 'audit'], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    expect(none.code).toBe(2);
  });

  it('credentials --format credential-process works as a profile credential_process for the AWS SDK', async () => {
    const config = join(work, 'aws-config');
    writeFileSync(
      config,
      `[profile member-audit]\nregion = us-east-1\ncredential_process = ${process.execPath} ${CLI} credentials --account ${member} --task audit --format credential-process\n`,
    );
    // The SDK in the child reads the profile; the credential process inherits the caller's sandbox keys.
    const sdk = `
const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(require.resolve('@aws-sdk/client-sts'))});
const { fromIni } = require(${JSON.stringify(require.resolve('@aws-sdk/credential-providers'))});
new STSClient({ credentials: fromIni({ profile: 'member-audit' }) }).send(new GetCallerIdentityCommand({}))
  .then((id) => console.log(id.Arn), (e) => { console.error(e.name, e.message); process.exit(1); });`;
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, ['-e', sdk], {
      env: { ...env(), AWS_CONFIG_FILE: config },
      encoding: 'utf8',
      timeout: 60_000,
    });
    outputs.push(run.stdout, run.stderr);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`arn:aws:iam::${member}:root`);

    const printed = await runbook([
      'credentials',
      '--account',
      member,
      '--task',
      'audit',
      '--format',
      'credential-process',
    ]);
    const parsed = JSON.parse(printed.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      Version: 1,
      AccessKeyId: expect.stringMatching(/^ASIA/),
      Expiration: expect.any(String),
    });
    expect(printed.code).toBe(0);
    const lines = (await runbook(['credentials', '--account', member, '--task', 'audit'])).stdout.trim().split('\n');
    expect(lines.map((l) => l.split('=')[0])).toEqual(
      expect.arrayContaining([
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'AWS_SESSION_EXPIRATION',
      ]),
    );
  });

  it('spoke exec goes hub → spoke with the external id on both hops and session names carrying the caller', async () => {
    const run = await runbook(['spoke', 'exec', '--', process.execPath, '-e', WHOAMI, '3'], {
      ASSUME_ROLE_HUB_ACCOUNT: hubAccount,
      ASSUME_ROLE_HUB_ROLE: 'Hub',
      ASSUME_ROLE_SPOKE_ACCOUNT: spokeAccount,
      ASSUME_ROLE_SPOKE_ROLE: 'Spoke',
      ASSUME_ROLE_EXTERNAL_ID: 'shared-secret-id',
      ASSUME_ROLE_SESSION_STRING: 'alice',
    });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(3);
    const child = JSON.parse(run.stdout) as { arn: string; env: Record<string, unknown> };
    expect(child.arn).toBe(`arn:aws:sts::${spokeAccount}:assumed-role/Spoke/${spokeAccount}-alice`);
    expect(child.env).toMatchObject({ hasSecret: true, tokensMatch: true, AWS_SESSION_EXPIRATION: expect.any(String) });

    const flags = await runbook(
      [
        'spoke',
        'exec',
        '--hub-account',
        hubAccount,
        '--hub-role',
        'Hub',
        '--spoke-account',
        spokeAccount,
        '--spoke-role',
        'Spoke',
        '--session-name',
        'bob',
        '--',
        process.execPath,
        '-e',
        WHOAMI,
      ],
      { ASSUME_ROLE_EXTERNAL_ID: 'shared-secret-id' },
    );
    expect(flags.code).toBe(0);
    expect((JSON.parse(flags.stdout) as { arn: string }).arn).toBe(
      `arn:aws:sts::${spokeAccount}:assumed-role/Spoke/${spokeAccount}-bob`,
    );
  });

  it('spoke exec takes the external id from --external-id (flag over ASSUME_ROLE_EXTERNAL_ID)', async () => {
    const target = ['--hub-account', hubAccount, '--hub-role', 'Hub', '--spoke-account', spokeAccount];
    const args = (externalId: string) => [
      'spoke',
      'exec',
      ...target,
      '--spoke-role',
      'Spoke',
      '--session-name',
      'carol',
      '--external-id',
      externalId,
      '--duration',
      '900',
      '--',
      process.execPath,
      '-e',
      WHOAMI,
    ];
    const run = await runbook(args('shared-secret-id'), { ASSUME_ROLE_EXTERNAL_ID: 'wrong-id' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const child = JSON.parse(run.stdout) as { arn: string; env: { AWS_SESSION_EXPIRATION: string } };
    expect(child.arn).toBe(`arn:aws:sts::${spokeAccount}:assumed-role/Spoke/${spokeAccount}-carol`);
    // --duration 900 reached both hops: the spoke session ends within 15 minutes.
    const left = Date.parse(child.env.AWS_SESSION_EXPIRATION) - Date.now();
    expect(left).toBeGreaterThan(800_000);
    expect(left).toBeLessThanOrEqual(900_000);

    const wrong = await runbook(args('wrong-id'), { ASSUME_ROLE_EXTERNAL_ID: 'shared-secret-id' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/sts:AssumeRole on arn:aws:iam::\d{12}:role\/Hub failed: AccessDenied/);
  });

  it('spoke exec is refused (exit 1, the command never runs) with a wrong or missing external id', async () => {
    const base = {
      ASSUME_ROLE_HUB_ACCOUNT: hubAccount,
      ASSUME_ROLE_HUB_ROLE: 'Hub',
      ASSUME_ROLE_SPOKE_ACCOUNT: spokeAccount,
      ASSUME_ROLE_SPOKE_ROLE: 'Spoke',
    };
    for (const externalId of ['wrong-id', undefined]) {
      const run = await runbook(['spoke', 'exec', '--', 'sh', '-c', 'echo ran'], {
        ...base,
        ASSUME_ROLE_EXTERNAL_ID: externalId,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/sts:AssumeRole on arn:aws:iam::\d{12}:role\/Hub failed: AccessDenied/);
    }
  });

  it('records every session exec and spoke exec take (the keys the sandbox issued), and how the command ended', async () => {
    const log = join(work, 'audit.jsonl');
    const issuedBy = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const before = (await issuedSessions(sandbox.endpoint)).length;
      const run = await runbook(args, extra);
      const issued = (await issuedSessions(sandbox.endpoint)).slice(before);
      const records = lastRun(trailRecords(log), args[0] === 'spoke' ? 'spoke exec' : args[0]);
      return { run, issued, records, sessions: ofType(records, 'session') };
    };
    const spoke = await issuedBy(['spoke', 'exec', '--', process.execPath, '-e', '0'], {
      ASSUME_ROLE_HUB_ACCOUNT: hubAccount,
      ASSUME_ROLE_HUB_ROLE: 'Hub',
      ASSUME_ROLE_SPOKE_ACCOUNT: spokeAccount,
      ASSUME_ROLE_SPOKE_ROLE: 'Spoke',
      ASSUME_ROLE_EXTERNAL_ID: 'shared-secret-id',
    });
    expect(spoke.run.code).toBe(0);
    expect(spoke.issued.map((s) => s.kind)).toEqual(['role', 'role']);
    expect(spoke.sessions.filter((s) => s.kind !== 'caller').map((s) => [s.kind, s.accessKeyId, s.account])).toEqual([
      ['hub', spoke.issued[0].accessKeyId, hubAccount],
      ['spoke', spoke.issued[1].accessKeyId, spokeAccount],
    ]);
    expect(runOutcome(spoke.records)).toMatchObject({ outcome: 'changed', details: { exitCode: 0, signal: null } });

    const killed = await issuedBy(['exec', '--account', member, '--task', 'audit', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(killed.run.signal).toBe('SIGTERM');
    expect(killed.sessions.map((s) => s.accessKeyId)).toContain(killed.issued[0].accessKeyId);
    expect(runOutcome(killed.records)).toMatchObject({ outcome: 'interrupted', errorCode: 'SIGTERM' });

    const failed = await issuedBy(['exec', '--account', member, '--task', 'audit', '--', 'sh', '-c', 'exit 7']);
    expect(failed.run.code).toBe(7);
    expect(runOutcome(failed.records)).toMatchObject({
      outcome: 'failed',
      errorCode: 'CommandFailed',
      details: { exitCode: 7 },
    });
  });

  it('never prints an issued secret outside `credentials` stdout and the child processes', async () => {
    const secrets = await issuedSecrets(sandbox.endpoint);
    // stderr of every run must be clean; stdout is allowed to carry them only for `credentials`.
    const stderrOnly = outputs.filter((_, i) => i % 2 === 1).join('\n');
    for (const secret of secrets) expect(stderrOnly.includes(secret)).toBe(false);
  });
});
