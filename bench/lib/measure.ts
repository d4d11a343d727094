/**
 * Runs a child process and measures its wall time, CPU time and peak RSS. Peak RSS comes from GNU time's `%M` when
 * /usr/bin/time exists (exact, read by the kernel at exit); otherwise from polling VmHWM in /proc, which
 * is the same high-water mark but can miss the last few milliseconds of a very short process. CPU time (user and
 * system, `%U` `%S`) needs GNU time; without it it is not measured. On a machine shared with other work, CPU time
 * is the figure that load disturbs least.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the child after this long; the run is then reported with `timedOut`. */
  timeoutMs?: number;
}

export interface RunMeasure {
  ms: number;
  peakRssMb: number | null;
  /** User + system CPU seconds of the child, or null without GNU time. */
  cpuS: number | null;
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

export function rssMethod(): string {
  return existsSync(GNU_TIME) ? 'GNU time %M (maxrss at exit)' : 'VmHWM polled from /proc every 5 ms';
}

function readVmHwmKb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export function runMeasured(command: string, args: string[], options: RunOptions = {}): Promise<RunMeasure> {
  const useTime = existsSync(GNU_TIME);
  const dir = useTime ? mkdtempSync(join(tmpdir(), 'bench-time-')) : '';
  const timeFile = join(dir, 'rss');
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let polledKb = 0;
    const poll = useTime
      ? undefined
      : setInterval(() => {
          const kb = child.pid === undefined ? null : readVmHwmKb(child.pid);
          if (kb !== null) polledKb = Math.max(polledKb, kb);
        }, 5);
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      let kb: number | null = polledKb || null;
      let cpuS: number | null = null;
      if (useTime) {
        const text = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
        // GNU time prefixes "Command exited with non-zero status N" before the figures; take the last line.
        const last = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(text.trim().split('\n').pop() ?? '');
        kb = last ? Number(last[1]) : null;
        cpuS = last ? Number(last[2]) + Number(last[3]) : null;
        rmSync(dir, { recursive: true, force: true });
      }
      resolve({
        ms,
        peakRssMb: kb === null ? null : kb / 1024,
        cpuS,
        exitCode: code,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
