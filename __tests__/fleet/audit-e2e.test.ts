/**
 * End to end through the built CLI against the sandbox: an organization of 52 members (2 suspended) plus the
 * management account, root credentials seeded on some. The audit must match the seeded truth exactly in every
 * format; delete-root-credentials must remove exactly what was seeded; no issued secret may leak.
 */
import { trailRecords } from '../../test-support/trail';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy } from '../../emulator/proxy';
import { MANAGEMENT_ACCOUNT_ID } from '../../emulator/sandbox';
import {
  issuedSecrets,
  readRootCredentials,
  seedOrganization,
  seedRootCredentials,
  type RootCredentialSeed,
  type SeededOrg,
} from '../../emulator/seed';
import type { AccountAudit } from '../../runbooks/fleet/audit';
import { describeWithSandbox, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { runCli, type CliResult as Run } from '../../test-support/cli';

type Truth = Required<RootCredentialSeed>;
const NONE: Truth = { loginProfile: false, accessKeys: 0, mfaDevices: 0, signingCertificates: 0 };

/** A spread of combinations, including every kind alone and all together. */
const SEEDS: RootCredentialSeed[] = [
  { loginProfile: true },
  { accessKeys: 1 },
  { accessKeys: 2 },
  { mfaDevices: 1 },
  { signingCertificates: 1 },
  { signingCertificates: 2 },
  { loginProfile: true, accessKeys: 2, mfaDevices: 1, signingCertificates: 1 },
  { loginProfile: true, mfaDevices: 1 },
  { accessKeys: 1, signingCertificates: 1 },
  { loginProfile: true, accessKeys: 1 },
];

describeWithSandbox('fleet audit and delete-root-credentials end to end', () => {
  const sandbox = useSandbox();
  const work = mkdtempSync(join(tmpdir(), 'fleet-e2e-'));
  const auditLog = join(work, 'audit.jsonl');
  const backupDir = join(work, 'backups');
  const outputs: string[] = [];
  let org: SeededOrg;
  let seededIds: string[];

  const runbook = async (...args: string[]): Promise<Run> => {
    const run = await runCli(args, {
      cwd: work,
      env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: auditLog, RUNBOOK_BACKUP_DIR: backupDir },
    });
    outputs.push(run.stdout, run.stderr);
    return run;
  };

  const truth = async (): Promise<Map<string, Truth>> => {
    const active = org.accounts.filter((a) => a.state === 'ACTIVE');
    const read = await Promise.all(
      active.map(async (a) => [a.id, await readRootCredentials(sandbox.endpoint, a.id)] as const),
    );
    return new Map(read);
  };

  const fromAudit = (row: AccountAudit): Truth => ({
    loginProfile: row.loginProfile !== null,
    accessKeys: row.accessKeys?.length ?? -1,
    mfaDevices: row.mfaDevices?.length ?? -1,
    signingCertificates: row.signingCertificates?.length ?? -1,
  });

  beforeAll(async () => {
    org = await seedOrganization(sandbox.endpoint, {
      accounts: 52,
      ous: ['Prod', 'Dev', 'Sandbox'],
      suspendedAccounts: 2,
    });
    const active = org.accounts.filter((a) => a.state === 'ACTIVE');
    // Every fifth active account gets one of the seeds; the suspended ones get credentials too (never audited).
    seededIds = [];
    for (const [i, seed] of SEEDS.entries()) {
      const account = active[i * 5 + 1];
      await seedRootCredentials(sandbox.endpoint, account.id, seed);
      seededIds.push(account.id);
    }
    for (const suspended of org.accounts.filter((a) => a.state === 'SUSPENDED')) {
      await seedRootCredentials(sandbox.endpoint, suspended.id, { accessKeys: 1 });
    }
  });

  it('JSON: one object per account, matching the seeded truth exactly; management and suspended listed, not assumed', async () => {
    const run = await runbook('audit', '--all', '--output', 'json', '--concurrency', '8');
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as AccountAudit[];
    expect(rows).toHaveLength(org.accounts.length + 1);
    expect(new Set(rows.map((r) => r.account)).size).toBe(rows.length);
    const expected = await truth();
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(
        expect.arrayContaining(['account', 'loginProfile', 'accessKeys', 'mfaDevices', 'signingCertificates', 'error']),
      );
      if (row.account === MANAGEMENT_ACCOUNT_ID) {
        expect(row).toMatchObject({
          status: 'skipped',
          skipped: expect.stringMatching(/management account/),
          accessKeys: null,
        });
      } else if (!expected.has(row.account)) {
        expect(row).toMatchObject({ status: 'skipped', skipped: expect.stringMatching(/SUSPENDED/), accessKeys: null });
      } else {
        expect({ account: row.account, ...fromAudit(row) }).toEqual({
          account: row.account,
          ...expected.get(row.account),
        });
        expect(row.error).toBeNull();
      }
    }
    expect(
      rows
        .filter(
          (r) =>
            r.status === 'audited' &&
            fromAudit(r).accessKeys +
              fromAudit(r).mfaDevices +
              fromAudit(r).signingCertificates +
              Number(fromAudit(r).loginProfile) >
              0,
        )
        .map((r) => r.account)
        .sort(),
    ).toEqual([...seededIds].sort());
  });

  it('CSV and table carry the same truth, row for row', async () => {
    const expected = await truth();
    const csv = await runbook('audit', '--all', '--output', 'csv');
    expect(csv.code).toBe(0);
    const [header, ...lines] = csv.stdout.trimEnd().split('\n');
    const col = header.split(',');
    const at = (cells: string[], name: string) => cells[col.indexOf(name)];
    expect(lines).toHaveLength(org.accounts.length + 1);
    for (const line of lines) {
      const cells = line.split(',');
      const want = expected.get(at(cells, 'account'));
      if (!want) {
        expect(at(cells, 'status')).toBe('skipped');
        continue;
      }
      expect({
        loginProfile: at(cells, 'login_profile') === 'true',
        accessKeys: Number(at(cells, 'access_keys')),
        mfaDevices: Number(at(cells, 'mfa_devices')),
        signingCertificates: Number(at(cells, 'signing_certificates')),
      }).toEqual(want);
    }

    const table = await runbook('audit', '--all');
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(org.accounts.length + 1);
    for (const row of rows) {
      const [account, , login, keys, mfa, certs] = row.split(/\s{2,}/);
      const want = expected.get(account);
      if (!want) {
        expect(row).toMatch(/skipped: /);
        continue;
      }
      expect({
        loginProfile: login === 'yes',
        accessKeys: Number(keys),
        mfaDevices: Number(mfa),
        signingCertificates: Number(certs),
      }).toEqual(want);
    }
  });

  it('a run longer than the session duration still audits every account (each account gets its own session)', async () => {
    const proxy = await startFaultProxy({ target: sandbox.endpoint, latencyMs: 120 });
    try {
      const started = Date.now();
      const run = await runCli(['audit', '--all', '--output', 'json', '--duration', '1', '--concurrency', '4'], {
        cwd: work,
        env: { ...sandboxEnv(proxy.endpoint), RUNBOOK_AUDIT_LOG: auditLog },
      });
      outputs.push(run.stdout, run.stderr);
      // 50 accounts, 4 at a time, two round trips of 120 ms each: several times the 1 s session lifetime.
      expect(Date.now() - started).toBeGreaterThan(2_500);
      expect(run.code).toBe(0);
      const rows = JSON.parse(run.stdout) as AccountAudit[];
      const expected = await truth();
      expect(rows.filter((r) => r.status === 'audited')).toHaveLength(expected.size);
      for (const row of rows.filter((r) => r.status === 'audited'))
        expect(fromAudit(row)).toEqual(expected.get(row.account));
    } finally {
      await proxy.stop();
    }
  });

  it('reuses keep-alive connections across accounts: at most concurrency × 5 TCP connections for the run', async () => {
    // Counts the CLI's outgoing TCP connections (preloaded into the CLI process only, through NODE_OPTIONS).
    const counter = join(work, 'count-connections.js');
    writeFileSync(
      counter,
      `const net = require('node:net'); let n = 0; const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { n += 1; return connect.apply(this, args); };
process.on('exit', () => process.stderr.write('tcp-connections=' + n + '\\n'));`,
    );
    const run = await runCli(['audit', '--all', '--output', 'json', '--concurrency', '4'], {
      cwd: work,
      env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: auditLog, NODE_OPTIONS: `--require ${counter}` },
    });
    outputs.push(run.stdout, run.stderr);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as AccountAudit[]).filter((r) => r.status === 'audited')).toHaveLength(50);
    // A client (and connection pool) per account would open about five connections per account (~250 here).
    const connections = Number(/tcp-connections=(\d+)/.exec(run.stderr)?.[1]);
    expect(connections).toBeGreaterThan(0);
    expect(connections).toBeLessThanOrEqual(4 * 5);
  });

  it('--ou and --accounts select exactly those accounts; --fail-on-findings exits 1 while credentials remain', async () => {
    const ou = org.ous[1];
    const ouRun = await runbook('audit', '--ou', ou.id, '--output', 'json');
    const inOu = org.accounts.filter((a) => a.ouId === ou.id).map((a) => a.id);
    expect((JSON.parse(ouRun.stdout) as AccountAudit[]).map((r) => r.account).sort()).toEqual(inOu.sort());

    // An id outside the organization is a typo, not an account to skip: the run is refused before any session.
    const outside = await runbook('audit', '--accounts', `${seededIds[0]},999999999999`, '--output', 'json');
    expect({ code: outside.code, stdout: outside.stdout }).toEqual({ code: 2, stdout: '' });
    expect(outside.stderr).toMatch(/outside the organization: 999999999999/);

    const picked = await runbook(
      'audit',
      '--accounts',
      `${seededIds[0]},${MANAGEMENT_ACCOUNT_ID}`,
      '--output',
      'json',
      '--fail-on-findings',
    );
    expect(picked.code).toBe(1);
    const rows = JSON.parse(picked.stdout) as AccountAudit[];
    expect(rows.map((r) => [r.account, r.status])).toEqual([
      [seededIds[0], 'audited'],
      [MANAGEMENT_ACCOUNT_ID, 'skipped'],
    ]);
  });

  it('delete-root-credentials --dry-run shows the plan and changes nothing', async () => {
    const before = await truth();
    const run = await runbook('delete-root-credentials', '--all', '--dry-run', '--json');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { status: string; accounts: { account: string; status: string }[] };
    expect(out.status).toBe('dry-run');
    expect(
      out.accounts
        .filter((a) => a.status === 'delete')
        .map((a) => a.account)
        .sort(),
    ).toEqual([...seededIds].sort());
    expect(await truth()).toEqual(before);
    expect(readdirSync(work)).not.toContain('backups');
  });

  it('without --yes and without a terminal it refuses with exit 3 and deletes nothing', async () => {
    const before = await truth();
    const run = await runbook('delete-root-credentials', '--accounts', seededIds[0]);
    expect(run.code).toBe(3);
    // --json still prints exactly one object, saying it was not confirmed and what would have gone.
    const json = await runbook('delete-root-credentials', '--accounts', seededIds[0], '--json');
    expect(json.code).toBe(3);
    expect(json.stderr).toMatch(/^error: not confirmed/m);
    const result = JSON.parse(json.stdout) as { status: string; record: null; error: { code: string }; accounts: [] };
    expect(result).toMatchObject({ runbook: 'delete-root-credentials', status: 'not-confirmed', record: null });
    expect(result.error.code).toBe('NotConfirmed');
    expect(result.accounts).toHaveLength(1);
    expect(await truth()).toEqual(before);
  });

  it('--only access-keys deletes the access keys and nothing else', async () => {
    const before = await truth();
    const run = await runbook('delete-root-credentials', '--all', '--only', 'access-keys', '--yes', '--json');
    expect(run.code).toBe(0);
    const after = await truth();
    for (const [account, was] of before) expect(after.get(account)).toEqual({ ...was, accessKeys: 0 });
  });

  it('deletes exactly the seeded credentials, records them before, verifies, and a second audit is clean', async () => {
    const before = await truth();
    const run = await runbook('delete-root-credentials', '--all', '--yes', '--json');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      status: string;
      record: string;
      accounts: {
        account: string;
        status: string;
        result: { status: string; deleted: Record<string, unknown> } | null;
      }[];
    };
    expect(out.status).toBe('changed');
    for (const account of out.accounts) {
      const was = before.get(account.account);
      const had = was !== undefined && (was.loginProfile || was.mfaDevices + was.signingCertificates > 0);
      if (!had) {
        expect(account.result).toBeNull();
        continue;
      }
      expect(account.result?.status).toBe('clean');
      const deleted = account.result?.deleted as {
        loginProfile: boolean;
        accessKeys: string[];
        mfaDevices: string[];
        signingCertificates: string[];
      };
      expect({
        loginProfile: deleted.loginProfile,
        accessKeys: deleted.accessKeys.length,
        mfaDevices: deleted.mfaDevices.length,
        signingCertificates: deleted.signingCertificates.length,
      }).toEqual(was);
    }
    for (const creds of (await truth()).values()) expect(creds).toEqual(NONE);
    // The record lists exactly what was deleted.
    const record = JSON.parse(readFileSync(out.record, 'utf8')) as { accounts: { account: string }[] };
    expect(record.accounts.map((a) => a.account).sort()).toEqual(
      [...before]
        .filter(([, t]) => t.loginProfile || t.mfaDevices + t.signingCertificates > 0)
        .map(([id]) => id)
        .sort(),
    );

    const again = await runbook('audit', '--all', '--fail-on-findings', '--output', 'json');
    expect(again.code).toBe(0);
    // Suspended accounts keep their credentials: they are never assumed, and say so.
    expect(
      (await readRootCredentials(sandbox.endpoint, org.accounts.find((a) => a.state === 'SUSPENDED')!.id)).accessKeys,
    ).toBe(1);

    const rerun = await runbook('delete-root-credentials', '--all', '--yes', '--json');
    expect(rerun.code).toBe(0);
    expect((JSON.parse(rerun.stdout) as { status: string }).status).toBe('unchanged');
  });

  it('each deleted account has a change record after its root session record, and no secret leaked anywhere', async () => {
    const records = trailRecords(auditLog);
    const changes = records.filter((r) => r.type === 'change' && r.runbook === 'delete-root-credentials');
    expect(new Set(changes.map((c) => c.account))).toEqual(new Set(seededIds));
    for (const change of changes) {
      const session = records.find(
        (r) =>
          r.type === 'session' &&
          r.run === change.run &&
          r.account === change.account &&
          r.kind === 'root' &&
          String(r.task).endsWith('/IAMDeleteRootUserCredentials'),
      );
      expect({ account: change.account, key: session?.accessKeyId }).toEqual({
        account: change.account,
        key: expect.stringMatching(/^ASIA/),
      });
      expect(session!.seq).toBeLessThan(change.seq);
    }
    const secrets = await issuedSecrets(sandbox.endpoint);
    expect(secrets.length).toBeGreaterThan(50);
    const files = readdirSync(backupDir).map((f) => readFileSync(join(backupDir, f), 'utf8'));
    const haystack = [...outputs, readFileSync(auditLog, 'utf8'), ...files].join('\n');
    for (const secret of secrets) expect(haystack.includes(secret)).toBe(false);
  });
});
