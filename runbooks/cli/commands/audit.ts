/** runbook audit: the root credentials of member accounts, streamed (see fleet/audit-run.ts). */
import type { Command } from '../command';
import { parseFleetOptions, SELECTION_OPTIONS, SELECTION_USAGE } from '../fleet-options';

export const command: Command = {
  name: 'audit',
  summary: 'audit the root credentials of member accounts (table, JSON or CSV)',
  usage: `Usage: runbook audit (--accounts <id,id,…> | --ou <ou-id> | --all) [--concurrency <n>]
                     [--output table|json|csv] [--fail-on-findings]

Per account: one AssumeRoot with the IAMAuditRootUserCredentials task, then the login profile, access keys (with
last use), MFA devices, signing certificates and account summary, read at once. Results stream to stdout as they
come (JSON: one array of objects with account, loginProfile, accessKeys, mfaDevices, signingCertificates, error);
progress goes to stderr.

  --output <format>        table (default), json or csv
  --fail-on-findings       exit 1 when any account still has root credentials

${SELECTION_USAGE}
Exit codes: 0 no failures (and no findings with --fail-on-findings), 1 an account failed or has findings, 2 bad input.`,
  options: {
    ...SELECTION_OPTIONS,
    output: { type: 'string' },
    'fail-on-findings': { type: 'boolean' },
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { auditFleet, parseAuditParams } = await import('../../fleet/audit-run');
    return auditFleet(parseAuditParams(ctx.values, parseFleetOptions(ctx.values)), ctx.settings, ctx);
  },
};
