/**
 * Cold start of the CLI: `node dist/runbooks/cli/main.js --help` against bare `node -e 0`, interleaved in
 * the same run so both see the same machine load. Goal: median ≤ 150 ms and peak RSS ≤ 90 MB.
 */
import { existsSync } from 'node:fs';
import { median, round, runMeasured } from '../lib/measure';
import { CLI, ROOT } from '../lib/paths';
import { NotRun, type Benchmark } from '../lib/result';

const RUNS = 21;
const WARMUP = 2;
const GOAL_MS = 150;
const GOAL_MB = 90;

export const coldStart: Benchmark = {
  name: 'cold-start',
  title: 'CLI cold start',
  async run() {
    if (!existsSync(CLI)) throw new NotRun(`${CLI} does not exist (npm run build did not produce the CLI)`);
    const node = process.execPath;
    const samples = { bare: [] as number[], bareRss: [] as number[], cli: [] as number[], cliRss: [] as number[] };
    for (let i = 0; i < WARMUP + RUNS; i += 1) {
      const bare = await runMeasured(node, ['-e', '0'], { cwd: ROOT });
      const cli = await runMeasured(node, [CLI, '--help'], { cwd: ROOT });
      if (cli.exitCode !== 0) throw new NotRun(`runbook --help exited ${cli.exitCode}: ${cli.stderr.trim()}`);
      if (i < WARMUP) continue;
      samples.bare.push(bare.ms);
      samples.cli.push(cli.ms);
      if (bare.peakRssMb !== null) samples.bareRss.push(bare.peakRssMb);
      if (cli.peakRssMb !== null) samples.cliRss.push(cli.peakRssMb);
    }
    const cliMs = round(median(samples.cli));
    const bareMs = round(median(samples.bare));
    const cliMb = samples.cliRss.length ? round(median(samples.cliRss)) : null;
    const bareMb = samples.bareRss.length ? round(median(samples.bareRss)) : null;
    const overhead = round(cliMs - bareMs);
    return {
      figures: [
        { label: '`runbook --help` median wall time', value: cliMs, unit: 'ms' },
        { label: '`node -e 0` median wall time (baseline)', value: bareMs, unit: 'ms' },
        { label: 'CLI overhead over bare node', value: overhead, unit: 'ms' },
        { label: 'ratio CLI / bare node', value: round(cliMs / bareMs, 2), unit: '×' },
        { label: '`runbook --help` median peak RSS', value: cliMb, unit: 'MB' },
        { label: '`node -e 0` median peak RSS (baseline)', value: bareMb, unit: 'MB' },
        { label: 'runs per command (after warm-up)', value: RUNS },
      ],
      goals: [
        { text: `median ≤ ${GOAL_MS} ms (measured ${cliMs} ms)`, met: cliMs <= GOAL_MS },
        {
          text: `peak RSS ≤ ${GOAL_MB} MB (measured ${cliMb ?? 'n/a'} MB)`,
          met: cliMb === null ? null : cliMb <= GOAL_MB,
        },
      ],
      reading:
        `Printing the help takes ${cliMs} ms against ${bareMs} ms for a node process that does nothing, so the CLI ` +
        `itself adds about ${overhead} ms and ${cliMb !== null && bareMb !== null ? round(cliMb - bareMb) : '?'} MB: ` +
        `it loads no AWS SDK client and no cdktf code until a command needs them.`,
      details: { samples, warmup: WARMUP },
    };
  },
};
