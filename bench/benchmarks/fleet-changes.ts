/**
 * What each change of issue 14 bought, measured in one run: the same audit assembled as before the issue and after
 * each change in turn (bench/lib/audit-variant.ts), each in a process of its own, interleaved, so every variant sees
 * the same machine. CPU is measured around the audit only (start-up excluded), which load disturbs least, on 1,000
 * accounts; throttling and the quota run on 200 accounts (as issue 14 measured them: the adaptive mode takes minutes
 * there already), their wall times as ratios to the same variant's clean run on those 200.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy, type ProxyOptions } from '../../emulator/proxy';
import { DEFAULT_CONCURRENCY } from '../../runbooks/fleet/audit';
import { VARIANTS, type Variant, type VariantResult } from '../lib/audit-variant';
import { startFleet, type Fleet } from '../lib/fleet-run';
import { round } from '../lib/measure';
import { ROOT } from '../lib/paths';
import { NotRun, type Benchmark, type Figure } from '../lib/result';

const ACCOUNTS = Number(process.env.BENCH_CHANGES_ACCOUNTS ?? 1000);
const THROTTLED_ACCOUNTS = Number(process.env.BENCH_CHANGES_THROTTLED_ACCOUNTS ?? 200);
const RUNNER = join(__dirname, '..', 'lib', 'audit-variant.ts');
const TIMEOUT_MS = 300_000;

const DESCRIBED: Record<Variant, string> = {
  before: 'before: adaptive SDK retries, an IAM client per account, every kind listed',
  summary: '+ GetAccountSummary first, lists only where it reports something',
  pacer: '+ the pacer per API instead of the adaptive mode',
  lean: '+ the lean query client for AssumeRoot and root IAM calls (as shipped)',
};

interface Measured extends VariantResult {
  load: number;
  timedOut?: boolean;
}

function runVariant(variant: Variant, endpoint: string): Promise<Measured> {
  const load = Math.round(loadavg()[0] * 100) / 100;
  return new Promise((resolve, reject) => {
    const request = JSON.stringify({ variant, endpoint, concurrency: DEFAULT_CONCURRENCY });
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, request], { cwd: ROOT, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        resolve({
          variant,
          wallMs: TIMEOUT_MS,
          cpuMs: NaN,
          accounts: 0,
          failed: NaN,
          digest: '',
          load,
          timedOut: true,
        });
        return;
      }
      if (code !== 0) {
        reject(new NotRun(`variant ${variant} exited ${code}: ${Buffer.concat(err).toString().trim().slice(-400)}`));
        return;
      }
      resolve({ ...(JSON.parse(Buffer.concat(out).toString()) as VariantResult), load });
    });
  });
}

async function through(fleet: Fleet, options: Omit<ProxyOptions, 'target'>, variant: Variant): Promise<Measured> {
  const proxy = await startFaultProxy({ target: fleet.sandbox.endpoint, ...options });
  try {
    return await runVariant(variant, proxy.endpoint);
  } finally {
    await proxy.stop();
  }
}

const cpuPerAccount = (run: Measured) => (run.accounts > 0 ? round(run.cpuMs / run.accounts, 2) : null);
const seconds = (run: Measured) => (run.timedOut ? `> ${TIMEOUT_MS / 1000}` : round(run.wallMs / 1000, 2));

export const fleetChanges: Benchmark = {
  name: 'fleet-changes',
  title: `What each change bought: the ${ACCOUNTS.toLocaleString('en-US')}-account audit before and after each`,
  async run() {
    if (!existsSync(RUNNER)) throw new NotRun(`${RUNNER} is missing`);
    const clean = new Map<Variant, Measured[]>(VARIANTS.map((v) => [v, []]));
    const fleet = await startFleet(ACCOUNTS);
    try {
      for (let i = 0; i < 2; i += 1) {
        for (const variant of VARIANTS) clean.get(variant)!.push(await through(fleet, {}, variant));
      }
    } finally {
      await fleet.stop();
    }
    const small = await startFleet(THROTTLED_ACCOUNTS);
    try {
      const smallClean = new Map<Variant, Measured>();
      const random = new Map<Variant, Measured>();
      for (const variant of VARIANTS) {
        smallClean.set(variant, await through(small, {}, variant));
        random.set(variant, await through(small, { seed: 300, faults: { throttle: 0.2 } }, variant));
      }
      const quota = { quotas: { 'sts:AssumeRoot': { rate: 40, burst: 40 } } };
      const quotaBefore = await through(small, quota, 'summary');
      const quotaAfter = await through(small, quota, 'lean');

      const sameAs = (reference: string, runs: Measured[]) =>
        runs.filter((run) => !run.timedOut).every((run) => run.digest === reference);
      const identical =
        sameAs(clean.get('before')![0].digest, [...clean.values()].flat()) &&
        sameAs(smallClean.get('before')!.digest, [...smallClean.values(), ...random.values(), quotaBefore, quotaAfter]);
      const figures: Figure[] = [];
      let previous: number | null = null;
      for (const variant of VARIANTS) {
        const [a, b] = clean.get(variant)!;
        const cpu = round(((cpuPerAccount(a) ?? NaN) + (cpuPerAccount(b) ?? NaN)) / 2, 2);
        const wall = round((a.wallMs + b.wallMs) / 2000, 2);
        const throttled = random.get(variant)!;
        const smallWall = smallClean.get(variant)!.wallMs / 1000;
        const change = previous === null ? '' : `, ${round(previous / cpu, 2)}× less than the step before`;
        figures.push(
          {
            label: `${DESCRIBED[variant]}: client CPU per account, clean`,
            value: cpu,
            unit: `ms (runs: ${cpuPerAccount(a)}, ${cpuPerAccount(b)}; load ${a.load}, ${b.load}${change})`,
          },
          { label: `${DESCRIBED[variant]}: wall time, clean`, value: wall, unit: `s (load ${a.load}, ${b.load})` },
          {
            label: `${DESCRIBED[variant]}: ${THROTTLED_ACCOUNTS} accounts, 20% random throttling / clean`,
            value: throttled.timedOut
              ? `> ${round(TIMEOUT_MS / 1000 / smallWall, 1)}`
              : round(throttled.wallMs / 1000 / smallWall, 2),
            unit: `× (${seconds(throttled)} s against ${round(smallWall, 2)} s, ${throttled.failed} failed; load ${throttled.load})`,
          },
        );
        previous = cpu;
      }
      figures.push(
        {
          label: `${THROTTLED_ACCOUNTS} accounts, AssumeRoot quota 40/s, adaptive SDK retries (before the pacer)`,
          value: seconds(quotaBefore),
          unit: `s (${quotaBefore.failed} failed; load ${quotaBefore.load})`,
        },
        {
          label: `${THROTTLED_ACCOUNTS} accounts, AssumeRoot quota 40/s, the pacer (as shipped)`,
          value: seconds(quotaAfter),
          unit: `s (${quotaAfter.failed} failed; load ${quotaAfter.load})`,
        },
        { label: 'every variant gives the same results, row for row', value: identical ? 'yes' : 'no' },
      );
      return {
        figures,
        goals: [{ text: 'the changes leave the audit result unchanged (identical rows in every run)', met: identical }],
        reading: [
          `Each line adds one change to the one above it; CPU is user + system time of the audit itself, in a process`,
          `of its own (start-up excluded: the CLI's own start-up is in fleet-audit). Listing only what the summary`,
          `reports halves the requests of a clean account; the pacer costs nothing when nothing is throttled and turns`,
          `random throttling from a fleet-wide slowdown (the adaptive mode cuts one client-wide rate on every`,
          `throttle) into a few retried requests; the lean client removes most of the SDK's per-request CPU.`,
        ].join(' '),
        details: {
          accounts: ACCOUNTS,
          throttledAccounts: THROTTLED_ACCOUNTS,
          concurrency: DEFAULT_CONCURRENCY,
          clean: Object.fromEntries(clean),
          smallClean: Object.fromEntries(smallClean),
          random: Object.fromEntries(random),
          quotaBefore,
          quotaAfter,
        },
      };
    } finally {
      await small.stop();
    }
  },
};
