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

const GENERATE_RUNS = 5;
const SYNTH_RUNS = 3;
const GENERATOR = join(ROOT, 'modules', 'lib', 'generate.ts');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CDKTF = join(ROOT, 'node_modules', '.bin', 'cdktf');

export const generation: Benchmark = {
  name: 'generation',
  title: 'Module generation vs cdktf synth',
  async run() {
    if (!existsSync(GENERATOR)) throw new NotRun('modules/lib/generate.ts does not exist yet');
    const generate: number[] = [];
    for (let i = 0; i < GENERATE_RUNS + 1; i += 1) {
      const run = await runMeasured(TSX, [GENERATOR, '--check'], { cwd: ROOT, timeoutMs: 120_000 });
      if (run.exitCode !== 0) {
        throw new NotRun(`npm run generate -- --check exited ${run.exitCode}: ${run.stderr.trim().slice(-400)}`);
      }
      if (i > 0) generate.push(run.ms);
    }
    if (!existsSync(join(ROOT, 'main.ts'))) throw new NotRun('main.ts (the cdktf app) does not exist yet');
    if (!existsSync(CDKTF)) throw new NotRun('node_modules/.bin/cdktf is missing (cdktf-cli not installed)');
    const synth: number[] = [];
    for (let i = 0; i < SYNTH_RUNS; i += 1) {
      const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
      const run = await runMeasured(CDKTF, ['synth', '--output', out], {
        cwd: ROOT,
        env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true' },
        timeoutMs: 300_000,
      });
      rmSync(out, { recursive: true, force: true });
      if (run.exitCode !== 0) throw new NotRun(`cdktf synth exited ${run.exitCode}: ${run.stderr.trim().slice(-400)}`);
      synth.push(run.ms);
    }
    const generateS = round(median(generate) / 1000, 2);
    const synthS = round(median(synth) / 1000, 2);
    const speedup = round(synthS / generateS, 1);
    return {
      figures: [
        { label: '`npm run generate -- --check` median wall time', value: generateS, unit: 's' },
        { label: '`cdktf synth` median wall time (baseline)', value: synthS, unit: 's' },
        { label: 'speed-up over cdktf synth', value: speedup, unit: '×' },
        { label: 'runs', value: `${GENERATE_RUNS} generate (after 1 warm-up), ${SYNTH_RUNS} synth` },
      ],
      goals: [
        { text: `generation ≤ 2 s (measured ${generateS} s)`, met: generateS <= 2 },
        { text: `≥ 2× faster than cdktf synth (measured ${speedup}×)`, met: speedup >= 2 },
      ],
      reading:
        `Generating every module takes ${generateS} s; cdktf synth of the same app takes ${synthS} s, ` +
        `${speedup}× longer, mostly the cdktf CLI's own start-up and its child process.`,
      details: { generateMs: generate, synthMs: synth },
    };
  },
};
