/**
 * Fleet audit at 1,000 and 10,000 accounts through the proxy with 100 ms added to every request, like an AWS round
 * trip, at the CLI's default concurrency C, against (a) the sequential baseline run on a sample of accounts in the
 * same run and extrapolated linearly, and (b) the latency-bound limit ceil(N / C) × 2 × RTT (one AssumeRoot, then
 * GetAccountSummary and GetLoginProfile together).
 * Goals: ≥ 25× the baseline; within 1.5× of the limit at 1,000; ≤ 3 ms of client CPU (user + system) per audited
 * account at 1,000; peak RSS ≤ 150 MB at 1,000 and ≤ 1.3× that at 10,000.
 */
import { existsSync } from 'node:fs';
import { startFaultProxy } from '../../emulator/proxy';
import { DEFAULT_CONCURRENCY } from '../../runbooks/fleet/audit';
import { auditThrough, runsNote, startFleet, type AuditRun } from '../lib/fleet-run';
import { median, round } from '../lib/measure';
import { CLI } from '../lib/paths';
import { NotRun, type Benchmark, type Figure, type Goal } from '../lib/result';
import { sequentialAudit } from '../lib/sequential-audit';

const LATENCY_MS = 100;
const CONCURRENCY = DEFAULT_CONCURRENCY;
const SAMPLE = 20;
const CPU_GOAL_MS = 3;
const RSS_GOAL_MB = 150;
/** The first size is "small", the last "large"; BENCH_AUDIT_SIZES=200,1000 gives a quick look. */
const SIZES = (process.env.BENCH_AUDIT_SIZES ?? '1000,10000')
  .split(',')
  .map((n, index, all) => ({ accounts: Number(n), runs: index === all.length - 1 ? 1 : 3 }));

interface SizeResult {
  accounts: number;
  active: number;
  runs: AuditRun[];
  medianS: number;
  cpuMsPerAccount: number | null;
  peakRssMb: number | null;
  limitS: number;
  baselineS: number;
  baselineSampleS: number;
  /** One run with no added latency: what the sandbox and the CLI manage on their own. */
  zeroLatency: AuditRun | null;
}

async function auditSize(accounts: number, runs: number, withZeroLatency: boolean): Promise<SizeResult> {
  const fleet = await startFleet(accounts);
  try {
    const zeroLatency = withZeroLatency ? await auditThrough(fleet, {}) : null;
    const measured: AuditRun[] = [];
    for (let i = 0; i < runs; i += 1) measured.push(await auditThrough(fleet, { latencyMs: LATENCY_MS }));
    const failed = measured.find((run) => run.failed > 0);
    if (failed) throw new NotRun(`runbook audit failed ${failed.failed} accounts without any fault injected`);
    const proxy = await startFaultProxy({ target: fleet.sandbox.endpoint, latencyMs: LATENCY_MS });
    let baselineSampleS: number;
    try {
      const started = Date.now();
      await sequentialAudit(proxy.endpoint, fleet.active.slice(0, SAMPLE));
      baselineSampleS = (Date.now() - started) / 1000;
    } finally {
      await proxy.stop();
    }
    const active = fleet.active.length;
    const cpu = measured.map((run) => run.cpuS).filter((s): s is number => s !== null);
    const rss = measured.map((run) => run.peakRssMb).filter((mb): mb is number => mb !== null);
    return {
      accounts,
      active,
      runs: measured,
      medianS: round(median(measured.map((run) => run.wallS)), 2),
      cpuMsPerAccount: cpu.length ? round((median(cpu) * 1000) / active, 2) : null,
      peakRssMb: rss.length ? round(Math.max(...rss)) : null,
      limitS: round((Math.ceil(active / CONCURRENCY) * 2 * LATENCY_MS) / 1000, 2),
      baselineS: round((baselineSampleS / SAMPLE) * active, 1),
      baselineSampleS: round(baselineSampleS, 2),
      zeroLatency,
    };
  } finally {
    await fleet.stop();
  }
}

export const fleetAudit: Benchmark = {
  name: 'fleet-audit',
  title: `Fleet audit at 1,000 and 10,000 accounts (${LATENCY_MS} ms latency)`,
  async run() {
    if (!existsSync(CLI)) throw new NotRun(`${CLI} does not exist (npm run build did not produce the CLI)`);
    const results: SizeResult[] = [];
    for (const [index, size] of SIZES.entries()) results.push(await auditSize(size.accounts, size.runs, index === 0));
    const figures: Figure[] = [];
    const goals: Goal[] = [];
    for (const [index, r] of results.entries()) {
      const speedup = round(r.baselineS / r.medianS, 1);
      const ofLimit = round(r.medianS / r.limitS, 2);
      const n = r.accounts.toLocaleString('en-US');
      figures.push(
        { label: `${n} accounts: \`runbook audit\` median wall time`, value: r.medianS, unit: runsNote(r.runs) },
        {
          label: `${n} accounts: client CPU (user + system) per audited account, median`,
          value: r.cpuMsPerAccount,
          unit: runsNote(r.runs, 'ms', (run) => (run.cpuS === null ? null : round((run.cpuS * 1000) / r.active, 2))),
        },
        { label: `${n} accounts: requests per audited account`, value: round(r.runs[0].requests / r.active, 2) },
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
        {
          label: `${n} accounts: peak RSS of the CLI`,
          value: r.peakRssMb,
          unit: runsNote(r.runs, 'MB', (run) => run.peakRssMb),
        },
        ...(r.zeroLatency === null
          ? []
          : [
              {
                label: `${n} accounts: same audit with 0 ms added latency (throughput floor)`,
                value: r.zeroLatency.wallS,
                unit: runsNote([r.zeroLatency]),
              },
            ]),
      );
      goals.push({ text: `${n}: ≥ 25× the sequential baseline (measured ${speedup}×)`, met: speedup >= 25 });
      if (index === 0) {
        goals.push({
          text: `${n}: within 1.5× of the latency-bound limit at the default concurrency ${CONCURRENCY} (measured ${ofLimit}×)`,
          met: ofLimit <= 1.5,
        });
        goals.push({
          text: `${n}: client CPU ≤ ${CPU_GOAL_MS} ms per audited account (measured ${r.cpuMsPerAccount ?? 'n/a'} ms)`,
          met: r.cpuMsPerAccount === null ? null : r.cpuMsPerAccount <= CPU_GOAL_MS,
        });
        goals.push({
          text: `${n}: peak RSS ≤ ${RSS_GOAL_MB} MB (measured ${r.peakRssMb ?? 'n/a'} MB)`,
          met: r.peakRssMb === null ? null : r.peakRssMb <= RSS_GOAL_MB,
        });
      }
    }
    const [small, large] = results;
    const growth = large && small.peakRssMb && large.peakRssMb ? round(large.peakRssMb / small.peakRssMb, 2) : null;
    if (large) {
      figures.push({ label: 'peak RSS 10,000 / 1,000 accounts', value: growth, unit: '×' });
      goals.push({
        text: `10,000-account RSS ≤ 1.3× the 1,000-account RSS (measured ${growth ?? 'n/a'}×)`,
        met: growth === null ? null : growth <= 1.3,
      });
    }
    return {
      figures,
      goals,
      reading: [
        `Every request waits ${LATENCY_MS} ms in the proxy, like a real AWS round trip. The audit of ${small.accounts}`,
        `accounts took ${small.medianS} s (median of ${small.runs.length}) at the default concurrency ${CONCURRENCY},`,
        `against a latency-bound floor of ${small.limitS} s; a clean account costs AssumeRoot, then GetAccountSummary`,
        `and GetLoginProfile together, so ${round(small.runs[0].requests / small.active, 2)} requests per account`,
        `on average. The CLI spent ${small.cpuMsPerAccount ?? 'n/a'} ms of CPU per audited account, start-up included.`,
        `The sequential script took ${small.baselineSampleS} s for ${SAMPLE} accounts, which extrapolates linearly to`,
        `${small.baselineS} s for all of them. With no added latency the same audit took`,
        `${small.zeroLatency?.wallS ?? 'n/a'} s: the request throughput of the sandbox (a single Python process) and`,
        `the CLI sharing this machine's cores, a floor the latency-bound limit does not account for.`,
        large
          ? `At ${large.accounts} accounts the audit took ${large.medianS} s with peak RSS ${large.peakRssMb ?? 'n/a'} MB` +
            (growth === null
              ? '.'
              : `, ${growth}× the ${small.peakRssMb} MB at ${small.accounts}` +
                (growth <= 1.3 ? ': memory stays nearly flat as the fleet grows.' : ': memory grows with the fleet.'))
          : '',
      ].join(' '),
      details: { latencyMs: LATENCY_MS, concurrency: CONCURRENCY, baselineSample: SAMPLE, results },
    };
  },
};
