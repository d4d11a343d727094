/**
 * What policy enforcement costs the sandbox on the audit path: sandbox CPU per request (AssumeRoot + the 5 IAM
 * reads per account, with a root session) with the evaluator on (the default) against off, in the same sandbox
 * process, passes interleaved so both see the same machine load, at 1,000 and 10,000 member accounts.
 *
 * "Off" is the debug switch PUT /_sandbox/enforcement {"enabled": false}: the gate still resolves the caller and
 * reads the request, and checks a root session's action against its task's allowed list, as the sandbox did
 * before it evaluated policies; only the policy evaluation (authorize.check) is skipped.
 * With BENCH_ENFORCEMENT_BASELINE=<an older build's emulator/server.py> the same passes also run, interleaved,
 * against that build (e.g. `git archive <commit> emulator | tar -x -C /tmp/base`), so "before" is measured too.
 * CPU is the sandbox process's own (user + system, all threads, from /proc/<pid>/stat), so the SDK on the
 * client side is not counted. Goal: on ≤ 2× off (and ≤ 2× the baseline build, when given).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import { seedOrganization, seedRootCredentials, setEnforcement } from '../../emulator/seed';
import { median, round } from '../lib/measure';
import { NotRun, type Benchmark, type Figure, type Goal } from '../lib/result';
import { sequentialAudit } from '../lib/sequential-audit';

const SIZES = (process.env.BENCH_ENFORCEMENT_SIZES ?? '1000,10000').split(',').map(Number);
const SAMPLE = Number(process.env.BENCH_ENFORCEMENT_SAMPLE ?? 150);
const BASELINE = process.env.BENCH_ENFORCEMENT_BASELINE;
const PASSES = 5;
/** Accounts audited side by side: shortens the run; CPU per request is what is compared, not wall time. */
const PARALLEL = 4;
const REQUESTS_PER_ACCOUNT = 6;
const GOAL_RATIO = 2;

type Mode = 'on' | 'off' | 'baseline';

interface SizeResult {
  accounts: number;
  us: Record<Mode, number[]>;
}

let clockTicks: number | undefined;

/** User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** A seeded sandbox and the audit over a sample of its accounts, spread over the whole organization. */
async function prepare(sandbox: Sandbox, accounts: number): Promise<() => Promise<unknown>> {
  const org = await seedOrganization(sandbox.endpoint, { accounts });
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
  await audit(); // warm-up: first-use state and caches, every mode alike
  return audit;
}

async function measureSize(accounts: number): Promise<SizeResult> {
  const current = await startSandbox();
  const baseline = BASELINE ? await startSandbox({ serverScript: BASELINE }) : undefined;
  try {
    const audits = {
      current: await prepare(current, accounts),
      baseline: baseline && (await prepare(baseline, accounts)),
    };
    const pass = async (mode: Mode): Promise<number> => {
      const sandbox = mode === 'baseline' ? baseline! : current;
      if (mode !== 'baseline') await setEnforcement(current.endpoint, mode === 'on');
      const before = cpuSeconds(sandbox.pid);
      await (mode === 'baseline' ? audits.baseline! : audits.current)();
      return ((cpuSeconds(sandbox.pid) - before) / (SAMPLE * REQUESTS_PER_ACCOUNT)) * 1e6;
    };
    const result: SizeResult = { accounts, us: { on: [], off: [], baseline: [] } };
    const modes: Mode[] = baseline ? ['baseline', 'off', 'on'] : ['off', 'on'];
    for (let i = 0; i < PASSES; i += 1) for (const mode of modes) result.us[mode].push(await pass(mode));
    await setEnforcement(current.endpoint, true);
    return result;
  } finally {
    await current.stop();
    await baseline?.stop();
  }
}

export const enforcementCost: Benchmark = {
  name: 'enforcement-cost',
  title: 'Sandbox CPU per request with policy enforcement (audit path)',
  async run() {
    if (!existsSync('/proc/self/stat')) throw new NotRun('needs /proc to read the sandbox process’s CPU time');
    if (BASELINE && !existsSync(BASELINE)) throw new NotRun(`BENCH_ENFORCEMENT_BASELINE ${BASELINE} does not exist`);
    if (SIZES.some((n) => !Number.isInteger(n) || n < SAMPLE)) {
      throw new NotRun(`BENCH_ENFORCEMENT_SIZES must list account counts of at least ${SAMPLE}`);
    }
    const results: SizeResult[] = [];
    for (const accounts of SIZES) results.push(await measureSize(accounts));
    const figures: Figure[] = [];
    const goals: Goal[] = [];
    for (const r of results) {
      const n = r.accounts.toLocaleString('en-US');
      const on = round(median(r.us.on), 1);
      const off = round(median(r.us.off), 1);
      const ratio = round(on / off, 2);
      figures.push(
        {
          label: `${n} accounts: sandbox CPU per request, enforcement on (median of ${PASSES})`,
          value: on,
          unit: 'µs',
        },
        { label: `${n} accounts: same process, enforcement off (median of ${PASSES})`, value: off, unit: 'µs' },
        { label: `${n} accounts: ratio on / off`, value: ratio, unit: '×' },
      );
      goals.push({ text: `${n} accounts: on ≤ ${GOAL_RATIO}× off (measured ${ratio}×)`, met: ratio <= GOAL_RATIO });
      if (r.us.baseline.length) {
        const before = round(median(r.us.baseline), 1);
        const vsBefore = round(on / before, 2);
        figures.push(
          { label: `${n} accounts: baseline build (${BASELINE}) (median of ${PASSES})`, value: before, unit: 'µs' },
          { label: `${n} accounts: ratio on / baseline build`, value: vsBefore, unit: '×' },
        );
        goals.push({
          text: `${n} accounts: on ≤ ${GOAL_RATIO}× the baseline build (measured ${vsBefore}×)`,
          met: vsBefore <= GOAL_RATIO,
        });
      }
    }
    figures.push({ label: 'accounts audited per pass (AssumeRoot + 5 IAM reads each)', value: SAMPLE });
    const last = results[results.length - 1];
    const extra = round(median(last.us.on) - median(last.us.off), 1);
    return {
      figures,
      goals,
      reading:
        `Evaluating every request (identity and task policies, three SCP levels, the request context) adds ${extra} µs ` +
        `of sandbox CPU per audit request at ${last.accounts.toLocaleString('en-US')} accounts ` +
        `(${round(median(last.us.on) / median(last.us.off), 2)}× the same process without it)` +
        (last.us.baseline.length
          ? `; against the baseline build it is ${round(median(last.us.on) / median(last.us.baseline), 2)}× ` +
            `(BENCH_ENFORCEMENT_BASELINE=${BASELINE}, e.g. the emulator of the commit before enforcement: ` +
            '`git archive <commit> emulator | tar -x -C /tmp/base-emulator`)'
          : '; set BENCH_ENFORCEMENT_BASELINE to an older build’s emulator/server.py to measure it too') +
        '. The figures at both sizes match: the lookups stay O(1) as the organization grows.',
      details: { results, sample: SAMPLE, passes: PASSES, baseline: BASELINE ?? null },
    };
  },
};
