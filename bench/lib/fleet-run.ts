/**
 * What the fleet benchmarks share: a sandbox seeded with an organization (a few accounts keep root credentials, as a
 * real fleet's would), and `runbook audit --all` run against it through the fault proxy, measured (wall, CPU, peak
 * RSS, the machine's load at the start) and checked (every row, no failed account, the results' digest).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy, type ProxyLogEntry, type ProxyOptions } from '../../emulator/proxy';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import { seedOrganization, seedRootCredentials, type SeededOrg } from '../../emulator/seed';
import { cliEnv } from '../../test-support/cli-env';
import { runMeasured } from './measure';
import { CLI, ROOT } from './paths';
import { NotRun } from './result';

export interface Fleet {
  sandbox: Sandbox;
  org: SeededOrg;
  /** Member accounts that are ACTIVE (the ones an audit assumes). */
  active: string[];
  scratch: string;
  stop(): Promise<void>;
}

export async function startFleet(accounts: number): Promise<Fleet> {
  const sandbox = await startSandbox();
  const scratch = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  try {
    const org = await seedOrganization(sandbox.endpoint, { accounts });
    // A few accounts keep root credentials, so the audit has findings to report, as a real fleet would.
    for (const account of org.accounts.slice(0, 5)) {
      await seedRootCredentials(sandbox.endpoint, account.id, { loginProfile: true, accessKeys: 1 });
    }
    await seedRootCredentials(sandbox.endpoint, org.accounts[5].id, { mfaDevices: 1, signingCertificates: 1 });
    const active = org.accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.id);
    return {
      sandbox,
      org,
      active,
      scratch,
      stop: async () => {
        await sandbox.stop();
        rmSync(scratch, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

export interface AuditRun {
  wallS: number;
  cpuS: number | null;
  peakRssMb: number | null;
  /** The 1-minute load average when the run started. */
  load: number;
  rows: number;
  failed: number;
  /** sha256 of the rows sorted by account: equal digests, identical results. */
  digest: string;
  /** Proxy log counts: `<outcome>` → requests. */
  outcomes: Record<string, number>;
  requests: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** One `runbook audit --all --output json` through a fresh proxy with `proxy` options; throws NotRun if it fails. */
export async function auditThrough(
  fleet: Fleet,
  proxy: Omit<ProxyOptions, 'target'>,
  options: { concurrency?: number; timeoutMs?: number } = {},
): Promise<AuditRun> {
  const p = await startFaultProxy({ target: fleet.sandbox.endpoint, ...proxy });
  try {
    const load = round2(loadavg()[0]);
    const concurrency = options.concurrency === undefined ? [] : ['--concurrency', String(options.concurrency)];
    const run = await runMeasured(
      process.execPath,
      [CLI, 'audit', '--all', '--output', 'json', ...concurrency, '--endpoint-url', p.endpoint],
      { cwd: ROOT, env: cliEnv(p.endpoint, fleet.scratch), timeoutMs: options.timeoutMs ?? 900_000 },
    );
    if (run.timedOut || (run.exitCode !== 0 && run.exitCode !== 1)) {
      throw new NotRun(
        `runbook audit exited ${run.timedOut ? 'on timeout' : run.exitCode}: ${run.stderr.trim().slice(-400)}`,
      );
    }
    const rows = JSON.parse(run.stdout) as { account: string; status: string }[];
    if (rows.length < fleet.org.accounts.length) {
      throw new NotRun(`runbook audit listed ${rows.length} accounts, expected ≥ ${fleet.org.accounts.length}`);
    }
    const sorted = [...rows].sort((a, b) => a.account.localeCompare(b.account));
    const log: ProxyLogEntry[] = p.log();
    const outcomes: Record<string, number> = {};
    for (const entry of log) outcomes[entry.outcome] = (outcomes[entry.outcome] ?? 0) + 1;
    return {
      wallS: round2(run.ms / 1000),
      cpuS: run.cpuS === null ? null : round2(run.cpuS),
      peakRssMb: run.peakRssMb === null ? null : Math.round(run.peakRssMb * 10) / 10,
      load,
      rows: rows.length,
      failed: rows.filter((row) => row.status === 'failed').length,
      digest: createHash('sha256').update(JSON.stringify(sorted)).digest('hex'),
      outcomes,
      requests: log.length,
    };
  } finally {
    await p.stop();
  }
}

/** "7.9 s (runs: 7.9, 8.1; load 2.1, 2.4)" style unit text for a figure of several runs. */
export function runsNote(
  runs: readonly AuditRun[],
  unit = 's',
  pick: (run: AuditRun) => number | null = (r) => r.wallS,
) {
  return `${unit} (runs: ${runs.map((r) => pick(r) ?? 'n/a').join(', ')}; load ${runs.map((r) => r.load).join(', ')})`;
}
