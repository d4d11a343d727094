/**
 * Module generation (`npm run generate`, run here as `generate --check`, which does the full generation and
 * only compares instead of writing) against `cdktf synth` of the same constructs, in the same run.
 * Goal: generation ≤ 2 s median, and ≥ 2× faster than cdktf synth.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, round, runMeasured } from '../lib/measure';
import { ROOT } from '../lib/paths';
import { NotRun, type Benchmark } from '../lib/result';

/** The end of a failed child's output, without npm's own configuration warnings. */
function failureTail(run: { stdout: string; stderr: string }): string {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => line.trim() && !/^npm warn/i.test(line));
  return lines.slice(-6).join(' | ').slice(-600);
}

const GENERATE_RUNS = 5;
const SYNTH_RUNS = 3;
const GENERATOR = join(ROOT, 'modules', 'app', 'generate.ts');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CDKTF = join(ROOT, 'node_modules', '.bin', 'cdktf');
const SYNTH_CONFIG = 'config/organization.example.yaml';

/** `cdktf synth` wall times, or why it could not run (the baseline is optional; generation is not). */
async function synthTimes(): Promise<number[] | string> {
  if (!existsSync(join(ROOT, 'main.ts'))) return 'main.ts (the cdktf app) does not exist';
  if (!existsSync(join(ROOT, SYNTH_CONFIG))) return `${SYNTH_CONFIG} (the config cdktf synth reads) does not exist`;
  if (!existsSync(CDKTF)) return 'node_modules/.bin/cdktf is missing (cdktf-cli not installed)';
  const times: number[] = [];
  for (let i = 0; i < SYNTH_RUNS; i += 1) {
    const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
    const run = await runMeasured(CDKTF, ['synth', '--output', out], {
      cwd: ROOT,
      // The example config declares all four constructs (organization, guardrails, operators, hub/spoke),
      // the same ones `generate` emits as modules; it needs no endpoint, so synthesis touches no AWS.
      env: { ...process.env, CENTRALIZED_ROOT_CONFIG: SYNTH_CONFIG, CHECKPOINT_DISABLE: '1', CI: 'true' },
      timeoutMs: 300_000,
    });
    rmSync(out, { recursive: true, force: true });
    if (run.exitCode !== 0) return `cdktf synth exited ${run.exitCode}: ${failureTail(run)}`;
    times.push(run.ms);
  }
  return times;
}

export const generation: Benchmark = {
  name: 'generation',
  title: 'Module generation vs cdktf synth',
  async run() {
    if (!existsSync(GENERATOR)) throw new NotRun('modules/app/generate.ts does not exist yet');
    const generate: number[] = [];
    for (let i = 0; i < GENERATE_RUNS + 1; i += 1) {
      const run = await runMeasured(TSX, [GENERATOR, '--check'], { cwd: ROOT, timeoutMs: 120_000 });
      if (run.exitCode !== 0) {
        throw new NotRun(`npm run generate -- --check exited ${run.exitCode}: ${failureTail(run)}`);
      }
      if (i > 0) generate.push(run.ms);
    }
    const generateS = round(median(generate) / 1000, 2);
    const synth = await synthTimes();
    const synthS = Array.isArray(synth) ? round(median(synth) / 1000, 2) : null;
    const speedup = synthS === null ? null : round(synthS / generateS, 1);
    return {
      figures: [
        { label: '`npm run generate -- --check` median wall time', value: generateS, unit: 's' },
        { label: '`cdktf synth` median wall time (baseline)', value: synthS, unit: 's' },
        { label: 'speed-up over cdktf synth', value: speedup, unit: '×' },
        { label: 'runs', value: `${GENERATE_RUNS} generate (after 1 warm-up), ${SYNTH_RUNS} synth` },
      ],
      goals: [
        { text: `generation ≤ 2 s (measured ${generateS} s)`, met: generateS <= 2 },
        {
          text: `≥ 2× faster than cdktf synth (measured ${speedup ?? 'n/a'}×)`,
          met: speedup === null ? null : speedup >= 2,
        },
      ],
      reading:
        `Generating every module takes ${generateS} s. ` +
        (typeof synth === 'string'
          ? `The cdktf synth baseline was not run: ${synth}.`
          : `cdktf synth of the app with ${SYNTH_CONFIG} (all four constructs) takes ${synthS} s, ${speedup}× as ` +
            'long: the cdktf CLI starts its own ' +
            'toolchain and runs the app as a child process before synthesizing.'),
      details: { generateMs: generate, synthMs: Array.isArray(synth) ? synth : null },
    };
  },
};
