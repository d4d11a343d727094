/**
 * `npm run bench [-- <name> …]`: runs the benchmarks (all, or the named ones), writes
 * bench/results/<name>.json for each and regenerates BENCHMARKS.md from every stored result.
 * A slow figure never fails the run; a benchmark whose prerequisite is missing is recorded as "not run".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotRun, machineInfo, type BenchResult, type Benchmark } from './lib/result';
import { writeReport } from './lib/report';
import { coldStart } from './benchmarks/cold-start';
import { generation } from './benchmarks/generation';
import { fleetAudit } from './benchmarks/fleet-audit';
import { fleetThrottling } from './benchmarks/fleet-throttling';
import { fleetChanges } from './benchmarks/fleet-changes';
import { hubSpokePlan } from './benchmarks/hub-spoke-plan';
import { callCounts } from './benchmarks/call-counts';
import { packageSize } from './benchmarks/package';
import { enforcementCost } from './benchmarks/enforcement-cost';
import { sandboxLatency } from './benchmarks/sandbox-latency';

// The SDK's notice that future releases need node 22 is noise in a benchmark log; the scripts and builds the
// benchmarks start inherit the switch.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = join(__dirname, '..');
const RESULTS = join(__dirname, 'results');
const BENCHMARKS: Benchmark[] = [
  coldStart,
  generation,
  fleetAudit,
  fleetThrottling,
  fleetChanges,
  hubSpokePlan,
  callCounts,
  packageSize,
  enforcementCost,
  sandboxLatency,
];

async function runOne(bench: Benchmark): Promise<BenchResult> {
  const base = {
    name: bench.name,
    title: bench.title,
    command: `npm run bench -- ${bench.name}`,
    ranAt: new Date().toISOString(),
    machine: machineInfo(),
  };
  const started = Date.now();
  process.stderr.write(`bench: ${bench.name} …\n`);
  try {
    const outcome = await bench.run();
    process.stderr.write(`bench: ${bench.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return { ...base, status: 'ok', ...outcome };
  } catch (error) {
    // Anything that stops a benchmark is reported, never silently dropped: NotRun names a missing piece,
    // other errors are the benchmark's own failure and keep their message.
    const reason = error instanceof NotRun ? error.message : `failed: ${(error as Error).stack ?? String(error)}`;
    process.stderr.write(`bench: ${bench.name} not run: ${reason}\n`);
    return { ...base, status: 'not-run', reason, figures: [], goals: [], reading: '' };
  }
}

async function main(): Promise<number> {
  const names = process.argv.slice(2).filter((arg) => arg !== '--');
  const unknown = names.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark ${unknown.join(', ')}: expected one of ${BENCHMARKS.map((b) => b.name).join(', ')}\n`,
    );
    return 2;
  }
  mkdirSync(RESULTS, { recursive: true });
  const selected = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((bench) => names.includes(bench.name));
  for (const bench of selected) {
    const result = await runOne(bench);
    writeFileSync(join(RESULTS, `${bench.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  }
  writeReport(
    RESULTS,
    join(ROOT, 'BENCHMARKS.md'),
    BENCHMARKS.map((bench) => bench.name),
  );
  process.stderr.write(`bench: wrote ${join(ROOT, 'BENCHMARKS.md')}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
