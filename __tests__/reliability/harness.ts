/**
 * What the reliability tests share: running the built CLI as a subprocess against a proxy, killing it at a
 * chosen moment, and collecting everything it wrote so the secret scan can look at all of it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv } from '../../bench/lib/cli-env';

export const CLI = join(__dirname, '..', '..', 'dist', 'runbooks', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Every output of every CLI run in this test file, for the secret scan. */
export const outputs: string[] = [];

export function scratchDir(prefix = 'reliability-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface RunOptions {
  endpoint: string;
  scratch: string;
  env?: NodeJS.ProcessEnv;
  /** SIGKILL the CLI this many ms after it starts. */
  killAfterMs?: number;
  /** Receives a `kill` function as soon as the child exists (crash tests call it from the proxy's hook). */
  onSpawn?: (kill: () => void) => void;
  timeoutMs?: number;
}

export function runCli(args: string[], options: RunOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // The endpoint goes before `--`: what follows it belongs to the command exec runs.
    const dash = args.indexOf('--');
    const own = dash === -1 ? args : args.slice(0, dash);
    const rest = dash === -1 ? [] : args.slice(dash);
    const child = spawn(process.execPath, [CLI, ...own, '--endpoint-url', options.endpoint, ...rest], {
      env: { ...cliEnv(options.endpoint, options.scratch), ...options.env },
      cwd: options.scratch,
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
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (killer) clearTimeout(killer);
      clearTimeout(guard);
      outputs.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Every file under a directory, recursively (backups, audit logs, records), as text. */
export function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, text: readFileSync(path, 'utf8') }];
  });
}

/** The lines of a JSONL audit log, each parsed; throws naming the line that is not JSON. */
export function auditLines(scratch: string): unknown[] {
  const path = join(scratch, 'runbook-audit.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new Error(`audit log line ${index + 1} is not JSON: ${line}`);
      }
    });
}

/** Backup files (JSON with runbook/account/resource/policy) found under the scratch dir's backups. */
export function backups(scratch: string): { path: string; resource?: string; account?: string; policy?: string }[] {
  return filesUnder(join(scratch, 'backups')).flatMap(({ path, text }) => {
    try {
      return [{ path, ...(JSON.parse(text) as { resource?: string; account?: string; policy?: string }) }];
    } catch {
      // A half-written backup is not a backup; the invariant checks treat it as missing.
      return [];
    }
  });
}

/** Where a secret occurs in the collected outputs and files, if anywhere ("" when clean). */
export function findSecrets(secrets: string[], texts: { where: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const secret of secrets.filter((s) => s.length >= 8)) {
    for (const { where, text } of texts) {
      if (text.includes(secret)) found.push(`${where} contains an issued secret starting ${secret.slice(0, 4)}…`);
    }
  }
  return found;
}
