/**
 * Fleet audit at 1,000 and 10,000 accounts through the proxy with a fixed 50 ms latency per request, against
 * (a) the sequential baseline run on a sample of accounts in the same run and extrapolated linearly, and
 * (b) the latency-bound limit ceil(N / concurrency) × 2 × latency (one AssumeRoot, then the reads in parallel).
 * Goals: ≥ 25× the baseline, within 1.5× of the limit, peak RSS ≤ 150 MB, 10k RSS ≤ 1.3× 1k RSS.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy } from '../../emulator/proxy';
import { startSandbox } from '../../emulator/sandbox';
import { seedOrganization, seedRootCredentials } from '../../emulator/seed';
import { cliEnv } from '../../test-support/cli-env';
import { median, round, runMeasured } from '../lib/measure';
import { CLI, ROOT } from '../lib/paths';
import { NotRun, machineInfo, type Benchmark, type Figure, type Goal } from '../lib/result';
import { sequentialAudit } from '../lib/sequential-audit';

const LATENCY_MS = 50;
const CONCURRENCY = Number(process.env.BENCH_AUDIT_CONCURRENCY ?? 32);
const SAMPLE = 50;
/** The first size is "small", the last "large"; BENCH_AUDIT_SIZES=200,1000 gives a quick look. */
const SIZES = (process.env.BENCH_AUDIT_SIZES ?? '1000,10000')
  .split(',')
  .map((n, index, all) => ({ accounts: Number(n), runs: index === all.length - 1 ? 1 : 3 }));

interface SizeResult {
  accounts: number;
  medianS: number;
  samplesS: number[];
  peakRssMb: number | null;
  limitS: number;
  baselineS: number;
  baselineSampleS: number;
  /** One run with no added latency: what the sandbox and the CLI manage on their own. */
  zeroLatencyS: number | null;
}

async function auditSize(accounts: number, runs: number, withZeroLatency: boolean): Promise<SizeResult> {
  const sandbox = await startSandbox();
  const scratch = mkdtempSync(join(tmpdir(), 'bench-audit-'));
  try {
    const org = await seedOrganization(sandbox.endpoint, { accounts });
    // A few accounts keep root credentials, so the audit has findings to report, as a real fleet would.
    for (const account of org.accounts.slice(0, 5)) {
      await seedRootCredentials(sandbox.endpoint, account.id, { loginProfile: true, accessKeys: 1 });
    }
    const audit = async (endpoint: string) => {
      const run = await runMeasured(
        process.execPath,
        [CLI, 'audit', '--all', '--concurrency', String(CONCURRENCY), '--output', 'json', '--endpoint-url', endpoint],
        { cwd: ROOT, env: cliEnv(endpoint, scratch), timeoutMs: 600_000 },
      );
      if (run.exitCode !== 0 || run.timedOut) {
        throw new NotRun(
          `runbook audit exited ${run.timedOut ? 'on timeout' : run.exitCode}: ${run.stderr.trim().slice(-400)}`,
        );
      }
      const rows = JSON.parse(run.stdout) as unknown[];
      if (rows.length < accounts)
        throw new NotRun(`runbook audit listed ${rows.length} accounts, expected ≥ ${accounts}`);
      return run;
    };
    const direct = withZeroLatency ? await startFaultProxy({ target: sandbox.endpoint }) : undefined;
    const zeroLatencyS = direct ? round((await audit(direct.endpoint)).ms / 1000, 2) : null;
    await direct?.stop();
    const proxy = await startFaultProxy({ target: sandbox.endpoint, latencyMs: LATENCY_MS });
    try {
      const samples: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        const run = await audit(proxy.endpoint);
        samples.push(run.ms / 1000);
        if (run.peakRssMb !== null) rss.push(run.peakRssMb);
      }
      const sample = org.accounts
        .filter((a) => a.state === 'ACTIVE')
        .slice(0, SAMPLE)
        .map((a) => a.id);
      const started = Date.now();
      await sequentialAudit(proxy.endpoint, sample);
      const baselineSampleS = (Date.now() - started) / 1000;
      const active = org.accounts.filter((a) => a.state === 'ACTIVE').length;
      return {
        accounts,
        medianS: round(median(samples), 2),
        samplesS: samples.map((s) => round(s, 2)),
        peakRssMb: rss.length ? round(Math.max(...rss)) : null,
        limitS: round((Math.ceil(active / CONCURRENCY) * 2 * LATENCY_MS) / 1000, 2),
        baselineS: round((baselineSampleS / sample.length) * active, 1),
        baselineSampleS: round(baselineSampleS, 2),
        zeroLatencyS,
      };
    } finally {
      await proxy.stop();
    }
  } finally {
    await sandbox.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

export const fleetAudit: Benchmark = {
  name: 'fleet-audit',
  title: 'Fleet audit at 1,000 and 10,000 accounts (50 ms latency)',
  async run() {
    if (!existsSync(CLI)) throw new NotRun(`${CLI} does not exist (npm run build did not produce the CLI)`);
    const results: SizeResult[] = [];
    for (const [index, size] of SIZES.entries()) results.push(await auditSize(size.accounts, size.runs, index === 0));
    const figures: Figure[] = [];
    const goals: Goal[] = [];
    for (const r of results) {
      const speedup = round(r.baselineS / r.medianS, 1);
      const ofLimit = round(r.medianS / r.limitS, 2);
      const n = r.accounts.toLocaleString('en-US');
      figures.push(
        {
          label: `${n} accounts: \`runbook audit\` median wall time`,
          value: r.medianS,
          unit: `s (runs: ${r.samplesS.join(', ')})`,
        },
        {
          label: `${n} accounts: sequential baseline (extrapolated from ${SAMPLE} accounts)`,
          value: r.baselineS,
          unit: 's',
        },
        { label: `${n} accounts: speed-up over the baseline`, value: speedup, unit: '×' },
        {
          label: `${n} accounts: latency-bound limit ceil(N/${CONCURRENCY}) × 2 × ${LATENCY_MS} ms`,
          value: r.limitS,
          unit: 's',
        },
        { label: `${n} accounts: measured / limit`, value: ofLimit, unit: '×' },
        { label: `${n} accounts: peak RSS of the CLI`, value: r.peakRssMb, unit: 'MB' },
        ...(r.zeroLatencyS === null
          ? []
          : [
              {
                label: `${n} accounts: same audit with 0 ms added latency (throughput floor)`,
                value: r.zeroLatencyS,
                unit: 's',
              },
            ]),
      );
      goals.push({ text: `${n}: ≥ 25× the sequential baseline (measured ${speedup}×)`, met: speedup >= 25 });
      goals.push({ text: `${n}: within 1.5× of the latency-bound limit (measured ${ofLimit}×)`, met: ofLimit <= 1.5 });
      goals.push({
        text: `${n}: peak RSS ≤ 150 MB (measured ${r.peakRssMb ?? 'n/a'} MB)`,
        met: r.peakRssMb === null ? null : r.peakRssMb <= 150,
      });
    }
    const [small, large] = results;
    const growth = small.peakRssMb && large.peakRssMb ? round(large.peakRssMb / small.peakRssMb, 2) : null;
    figures.push({ label: 'peak RSS 10,000 / 1,000 accounts', value: growth, unit: '×' });
    goals.push({
      text: `10,000-account RSS ≤ 1.3× the 1,000-account RSS (measured ${growth ?? 'n/a'}×)`,
      met: growth === null ? null : growth <= 1.3,
    });
    return {
      figures,
      goals,
      reading: [
        `Every request waits ${LATENCY_MS} ms in the proxy, like a real AWS round trip.`,
        `The audit of ${small.accounts} accounts took ${small.medianS} s (median of ${small.samplesS.length}) at`,
        `concurrency ${CONCURRENCY}. The sequential script took ${small.baselineSampleS} s for ${SAMPLE} accounts, which`,
        `extrapolates linearly to ${small.baselineS} s for all of them: the baseline is run on a sample, not on the`,
        `full fleet, to keep the bench short. The floor set by latency alone is ${small.limitS} s. The same audit with`,
        `no added latency took ${small.zeroLatencyS} s: that is the request throughput of the sandbox and the CLI`,
        `sharing this machine's ${machineInfo().cores} cores, and a floor the latency-bound limit does not account for.`,
        `At ${large.accounts} accounts the audit took ${large.medianS} s with peak RSS ${large.peakRssMb ?? 'n/a'} MB,`,
        growth === null
          ? 'and peak RSS could not be compared.'
          : `${growth}× the ${small.peakRssMb} MB measured at ${small.accounts} accounts` +
            (growth <= 1.3 ? ': memory stays nearly flat as the fleet grows.' : ': memory grows with the fleet.'),
      ].join(' '),
      details: { latencyMs: LATENCY_MS, concurrency: CONCURRENCY, baselineSample: SAMPLE, results },
    };
  },
};
