/**
 * The environment the benchmarks and the reliability tests run the CLI in: the sandbox-only AWS settings of
 * the test support (management-account keys, the endpoint — here the proxy — and no ~/.aws), plus the audit
 * log and backups in a scratch directory, so a run never touches a real account or the working tree.
 */
import { sandboxEnv } from './sandbox';

export function cliEnv(endpoint: string, scratchDir: string): NodeJS.ProcessEnv {
  const env = sandboxEnv(endpoint);
  for (const name of Object.keys(env)) {
    if (name.startsWith('RUNBOOK_')) delete env[name];
  }
  return {
    ...env,
    RUNBOOK_AUDIT_LOG: `${scratchDir}/runbook-audit.jsonl`,
    RUNBOOK_BACKUP_DIR: `${scratchDir}/backups`,
  };
}
