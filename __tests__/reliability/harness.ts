/**
 * What the reliability tests share: running the built CLI as a subprocess against a proxy, killing it at a
 * chosen moment, and collecting everything it wrote so the secret scan can look at all of it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as spawnCli, type CliOptions, type CliResult } from '../../test-support/cli';
import { cliEnv } from '../../test-support/cli-env';
import { trailRecords, type Rec } from '../../test-support/trail';

export type { CliResult };

/** Every output of every CLI run in this test file, for the secret scan. */
export const outputs: string[] = [];

export function scratchDir(prefix = 'reliability-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface RunOptions extends Pick<CliOptions, 'killAfterMs' | 'onSpawn' | 'timeoutMs'> {
  endpoint: string;
  scratch: string;
  env?: NodeJS.ProcessEnv;
}

/** The CLI against `endpoint` (the proxy), with its audit log and backups in `scratch`; outputs are kept. */
export async function runCli(args: string[], options: RunOptions): Promise<CliResult> {
  const { endpoint, scratch, env, ...rest } = options;
  const result = await spawnCli(args, {
    ...rest,
    endpoint,
    cwd: scratch,
    env: { ...cliEnv(endpoint, scratch), ...env },
  });
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** Every file under a directory, recursively (backups, audit logs, records), as text. */
export function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, text: readFileSync(path, 'utf8') }];
  });
}

/** The audit log a run in `scratch` writes (test-support/cli-env sets RUNBOOK_AUDIT_LOG to it). */
export const auditLogOf = (scratch: string): string => join(scratch, 'runbook-audit.jsonl');

/** The records of the scratch dir's audit log, each parsed; throws naming the line that is not JSON. */
export function auditLines(scratch: string): Rec[] {
  return trailRecords(auditLogOf(scratch));
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
