/**
 * The one way tests run the built CLI: as a subprocess, the way users and scripts run it, with every byte of
 * stdout and stderr kept (for assertions and secret scans) and a guard that kills a run that hangs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(__dirname, '..', 'dist', 'runbooks', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Sent as --endpoint-url, before any `--`: what follows `--` belongs to the command exec runs. */
  endpoint?: string;
  /** SIGKILL the CLI this many ms after it starts. */
  killAfterMs?: number;
  /** Receives a `kill` function as soon as the child exists (crash tests call it from the proxy's hook). */
  onSpawn?: (kill: () => void) => void;
  /** SIGKILL after this long; default 90 s. */
  timeoutMs?: number;
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const dash = args.indexOf('--');
  const own = dash === -1 ? args : args.slice(0, dash);
  const rest = dash === -1 ? [] : args.slice(dash);
  const endpoint = options.endpoint === undefined ? [] : ['--endpoint-url', options.endpoint];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...own, ...endpoint, ...rest], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = () => child.kill('SIGKILL');
    options.onSpawn?.(kill);
    const killer = options.killAfterMs === undefined ? undefined : setTimeout(kill, options.killAfterMs);
    const guard = setTimeout(kill, options.timeoutMs ?? 90_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (killer) clearTimeout(killer);
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
