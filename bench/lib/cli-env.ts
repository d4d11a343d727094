/**
 * The environment the benchmarks run the CLI in: the sandbox's management-account keys, the proxy as the
 * endpoint for every service, and audit log and backups in a scratch directory. Nothing from the caller's
 * own AWS configuration leaks in, so a bench never touches a real account.
 */
export function cliEnv(endpoint: string, scratchDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('RUNBOOK_')) env[key] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: `${scratchDir}/aws-config`,
    AWS_SHARED_CREDENTIALS_FILE: `${scratchDir}/aws-credentials`,
    RUNBOOK_AUDIT_LOG: `${scratchDir}/runbook-audit.jsonl`,
    RUNBOOK_BACKUP_DIR: `${scratchDir}/backups`,
  };
}
