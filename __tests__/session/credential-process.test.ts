/**
 * runbook credentials as an AWS profile's credential_process, end to end against the sandbox: the command shown
 * by --help is the one the profile runs; many calls through the profile (the real AWS CLI when installed, and
 * botocore in one process) share one root session; the cache is private (0700 folder, 0600 files), keyed by
 * caller, locked against concurrent calls, refuses a folder someone else prepared, and is gone at expiry; no
 * secret ever reaches stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issuedSecrets, seedOrganization } from '../../emulator/seed';
import { runCli, type CliResult } from '../../test-support/cli';
import { describeWithSandbox, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { trailRecords, type Rec } from '../../test-support/trail';

/** A root session as the audit trail records it: a new AssumeRoot, or a cached one handed out again. */
interface RootSessionLine {
  accessKeyId: string;
  reused?: boolean;
}

const hasAwsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

describeWithSandbox('runbook credentials as a credential_process', () => {
  const sandbox = useSandbox();
  const root = mkdtempSync(join(tmpdir(), 'credential-process-'));
  let member: string;
  let caseNo = 0;
  const outputs: string[] = [];

  /** A fresh home for one case: its own runtime folder, AWS config, audit log. */
  const home = () => {
    const dir = join(root, `case-${(caseNo += 1)}`);
    const runtime = join(dir, 'run');
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    const credentialsFile = join(dir, 'credentials');
    writeFileSync(credentialsFile, '[management]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const auditLog = join(dir, 'audit.jsonl');
    const env: NodeJS.ProcessEnv = {
      ...sandboxEnv(sandbox.endpoint),
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      XDG_RUNTIME_DIR: runtime,
      RUNBOOK_AUDIT_LOG: auditLog,
    };
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    const cacheDir = join(runtime, 'runbook');
    const audit = (): RootSessionLine[] =>
      trailRecords(auditLog).filter((r): r is Rec & RootSessionLine => r.type === 'session' && r.kind === 'root');
    return { dir, env, cacheDir, audit };
  };

  const credentials = async (env: NodeJS.ProcessEnv, ...extra: string[]): Promise<CliResult> => {
    const args = ['credentials', '--account', member, '--task', 'audit', '--format', 'credential-process', ...extra];
    const run = await runCli(args, { cwd: root, env, timeoutMs: 30_000 });
    outputs.push(run.stdout, run.stderr);
    return run;
  };

  /** The credential_process line `runbook credentials --help` shows, for this account and the caller's profile. */
  let credentialProcess: string;

  beforeAll(async () => {
    member = (await seedOrganization(sandbox.endpoint, { accounts: 1 })).accounts[0].id;
    const help = await runCli(['credentials', '--help'], { cwd: root, env: sandboxEnv(sandbox.endpoint) });
    const line = help.stdout.split('\n').find((l) => l.trimStart().startsWith('credential_process = '));
    credentialProcess = (line ?? '').trim().slice('credential_process = '.length).replace('111122223333', member);
  });

  afterAll(() => {
    // Removing the folders also ends every expiry helper still watching a file in them.
    rmSync(root, { recursive: true, force: true });
  });

  const rootSessionsIssued = async (since: number) => ((await issuedSecrets(sandbox.endpoint)).length - since) / 2;

  const profileConfig = (dir: string) => {
    const config = join(dir, 'config');
    writeFileSync(
      config,
      `[profile member-audit]\nregion = us-east-1\ncredential_process = ${credentialProcess}\n` +
        '[profile management]\nregion = us-east-1\n',
    );
    return config;
  };

  it('help shows the installed binary by its absolute path, never npx', () => {
    // The script itself when it is executable (an installed bin is), else node with the script.
    expect(credentialProcess).toMatch(
      /^(\/\S+ )?\/\S+\/dist\/runbooks\/cli\/main\.js credentials --profile management /,
    );
    expect(credentialProcess).toContain(`--account ${member} --task audit --format credential-process`);
    expect(credentialProcess).not.toMatch(/\bnpx\b/);
  });

  it('botocore: five calls in one process through the profile take one root session', async () => {
    const h = home();
    const before = (await issuedSecrets(sandbox.endpoint)).length;
    const script = `
import json, botocore.session
s = botocore.session.Session(profile='member-audit')
sts = s.create_client('sts', region_name='us-east-1')
out = []
for _ in range(5):
    arn = sts.get_caller_identity()['Arn']
    out.append([arn, s.get_credentials().get_frozen_credentials().access_key])
print(json.dumps(out))
`;
    const py = spawnSync('python3', ['-c', script], {
      env: { ...h.env, AWS_CONFIG_FILE: profileConfig(h.dir) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    outputs.push('', py.stderr);
    expect(py.stderr).toBe('');
    const calls = JSON.parse(py.stdout) as [string, string][];
    expect(calls.map(([arn]) => arn)).toEqual(Array(5).fill(`arn:aws:iam::${member}:root`));
    expect(new Set(calls.map(([, key]) => key)).size).toBe(1);

    expect(await rootSessionsIssued(before)).toBe(1);
    const audit = h.audit();
    expect(audit.filter((r) => r.reused !== true)).toHaveLength(1);
    expect(audit.length).toBeGreaterThan(1);
    expect(new Set(audit.map((r) => r.accessKeyId))).toEqual(new Set([calls[0][1]]));
  });

  (hasAwsCli ? it : it.skip)(
    `the AWS CLI: five commands through the profile take one root session${hasAwsCli ? '' : ' (skipped: no aws on PATH)'}`,
    async () => {
      const h = home();
      const before = (await issuedSecrets(sandbox.endpoint)).length;
      const env = { ...h.env, AWS_CONFIG_FILE: profileConfig(h.dir) };
      const arns: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const aws = spawnSync('aws', ['--profile', 'member-audit', 'sts', 'get-caller-identity', '--output', 'json'], {
          env,
          encoding: 'utf8',
          timeout: 60_000,
        });
        outputs.push('', aws.stderr);
        expect(aws.stderr).toBe('');
        arns.push((JSON.parse(aws.stdout) as { Arn: string }).Arn);
      }
      expect(arns).toEqual(Array(5).fill(`arn:aws:iam::${member}:root`));
      expect(await rootSessionsIssued(before)).toBe(1);
      expect(h.audit().filter((r) => r.reused !== true)).toHaveLength(1);
    },
  );

  it('keeps the session in a 0700 folder as a 0600 file, hands it out until it nears its end, and removes it at expiry', async () => {
    const h = home();
    const first = await credentials(h.env, '--profile', 'management', '--duration', '4');
    expect(first.code).toBe(0);
    const files = readdirSync(h.cacheDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    expect(statSync(h.cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(h.cacheDir, files[0])).mode & 0o777).toBe(0o600);
    const issued = JSON.parse(first.stdout) as { AccessKeyId: string; Expiration: string };

    const again = await credentials(h.env, '--profile', 'management', '--duration', '4');
    expect((JSON.parse(again.stdout) as { AccessKeyId: string }).AccessKeyId).toBe(issued.AccessKeyId);

    // Nothing runs after the second call: the helper started with the first one removes the file on time.
    const expiresIn = new Date(issued.Expiration).getTime() - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, expiresIn) + 700));
    expect(readdirSync(h.cacheDir).filter((f) => f.endsWith('.json'))).toEqual([]);

    const third = await credentials(h.env, '--profile', 'management', '--duration', '4');
    expect((JSON.parse(third.stdout) as { AccessKeyId: string }).AccessKeyId).not.toBe(issued.AccessKeyId);
    expect(h.audit().map((r) => r.reused === true)).toEqual([false, true, false]);
  });

  it('concurrent calls wait for one AssumeRoot instead of taking one each', async () => {
    const h = home();
    const before = (await issuedSecrets(sandbox.endpoint)).length;
    const runs = await Promise.all([1, 2, 3, 4].map(() => credentials(h.env, '--profile', 'management')));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(new Set(runs.map((r) => (JSON.parse(r.stdout) as { AccessKeyId: string }).AccessKeyId)).size).toBe(1);
    expect(await rootSessionsIssued(before)).toBe(1);
  });

  it('another caller, --no-cache, and the env format each take their own session', async () => {
    const h = home();
    const key = (run: CliResult) => (JSON.parse(run.stdout) as { AccessKeyId: string }).AccessKeyId;
    const mine = key(await credentials(h.env, '--profile', 'management'));
    // Other keys (the sandbox takes any unknown key as the management account): another caller, another session.
    const other = key(await credentials({ ...h.env, AWS_ACCESS_KEY_ID: 'other-caller', AWS_SECRET_ACCESS_KEY: 'x' }));
    expect(other).not.toBe(mine);
    expect(key(await credentials(h.env, '--profile', 'management', '--no-cache'))).not.toBe(mine);
    const env = await runCli(['credentials', '--account', member, '--task', 'audit', '--profile', 'management'], {
      cwd: root,
      env: h.env,
    });
    outputs.push(env.stdout, env.stderr);
    expect(env.stdout).not.toContain(mine);
    expect(key(await credentials(h.env, '--profile', 'management'))).toBe(mine);
  });

  it.each([
    [
      'a cache folder that group and others can enter',
      (cacheDir: string) => {
        mkdirSync(cacheDir, { mode: 0o755 });
        chmodSync(cacheDir, 0o755);
      },
      /not caching the root session: .*runbook is a folder that group or others can reach \(mode 755\)/,
    ],
    [
      'a cache folder that is a symbolic link',
      (cacheDir: string) => symlinkSync(mkdtempSync(join(tmpdir(), 'planted-')), cacheDir),
      /not caching the root session: .*runbook is a symbolic link/,
    ],
  ])('refuses %s: still answers, warns without a secret, stores nothing', async (_name, plant, warning) => {
    const h = home();
    plant(h.cacheDir);
    const run = await credentials(h.env, '--profile', 'management');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(warning);
    const { SecretAccessKey } = JSON.parse(run.stdout) as { SecretAccessKey: string };
    expect(run.stderr).not.toContain(SecretAccessKey);
    expect(readdirSync(h.cacheDir)).toEqual([]);
  });

  it('ignores an entry file it did not write privately, and replaces it', async () => {
    const h = home();
    const first = (JSON.parse((await credentials(h.env, '--profile', 'management')).stdout) as { AccessKeyId: string })
      .AccessKeyId;
    const [file] = readdirSync(h.cacheDir).filter((f) => f.endsWith('.json'));
    chmodSync(join(h.cacheDir, file), 0o644);
    const run = await credentials(h.env, '--profile', 'management');
    expect(run.stderr).toMatch(/ignoring the cached session: .*is a file that group or others can reach \(mode 644\)/);
    expect((JSON.parse(run.stdout) as { AccessKeyId: string }).AccessKeyId).not.toBe(first);
    expect(statSync(join(h.cacheDir, file)).mode & 0o777).toBe(0o600);
  });

  it('-v logs the cache by access key id only', async () => {
    const h = home();
    const runs = [await credentials(h.env, '--profile', 'management', '-v')];
    runs.push(await credentials(h.env, '--profile', 'management', '-v'));
    const { AccessKeyId, SecretAccessKey, SessionToken } = JSON.parse(runs[0].stdout) as Record<string, string>;
    expect(runs[0].stderr).toContain(`credential cache: stored root session ${AccessKeyId}`);
    expect(runs[1].stderr).toContain(`credential cache: handing out root session ${AccessKeyId} again`);
    for (const run of runs) {
      expect(run.stderr).not.toContain(SecretAccessKey);
      expect(run.stderr).not.toContain(SessionToken);
    }
  });

  it('never wrote a secret the sandbox issued to any stderr above (stdout carries them on purpose)', async () => {
    const secrets = await issuedSecrets(sandbox.endpoint);
    const stderrs = outputs.filter((_, i) => i % 2 === 1).join('\n');
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(stderrs).not.toContain(secret);
  });
});

// The helper that removes a file at expiry must go when its file does: a test that deletes its folder (above)
// leaves no process behind.
describe('the expiry helper', () => {
  it('exits without removing anything when its file is replaced, and removes its own file on time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'expire-file-'));
    const helperOf = (file: string, atMs: number) => {
      const ino = String(statSync(file, { bigint: true }).ino);
      const script = join(__dirname, '..', '..', 'dist', 'runbooks', 'lib', 'expire-file.js');
      return spawn(process.execPath, [script, file, ino, String(atMs)], { stdio: 'ignore' });
    };
    const exited = (child: ReturnType<typeof spawn>) => new Promise<void>((r) => child.once('exit', () => r()));
    try {
      const kept = join(dir, 'kept');
      writeFileSync(kept, 'old');
      const replacedHelper = helperOf(kept, Date.now() + 60_000);
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(join(dir, 'new'), 'new');
      // rename over the watched file, as the cache replaces an entry
      spawnSync('mv', [join(dir, 'new'), kept]);
      await exited(replacedHelper);
      expect(readFileSync(kept, 'utf8')).toBe('new');

      const own = join(dir, 'own');
      writeFileSync(own, 'x');
      const started = Date.now();
      await exited(helperOf(own, Date.now() + 500));
      expect(existsSync(own)).toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
