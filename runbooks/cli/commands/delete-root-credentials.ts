/** runbook delete-root-credentials: see fleet/delete-run.ts for the plan → confirm → record → delete → verify run. */
import type { Command } from '../command';
import { parseFleetOptions, SELECTION_OPTIONS, SELECTION_USAGE } from '../fleet-options';
import { BACKUP_OPTION, CHANGE_OPTIONS, JSON_OPTION } from '../options';

export const command: Command = {
  name: 'delete-root-credentials',
  summary: 'delete root user credentials (login profile, keys, MFA, certificates) across member accounts',
  usage: `Usage: runbook delete-root-credentials (--accounts <id,id,…> | --ou <ou-id> | --all)
         [--only login-profile,access-keys,mfa,signing-certificates] [--dry-run] [--yes] [--json] [--backup-dir <dir>]

1. Plan: audits each account (IAMAuditRootUserCredentials) and shows what exists and what would go.
2. Asks for confirmation (--yes skips it; without a terminal and without --yes it refuses, exit 3).
3. Writes a record of every credential id about to be deleted to --backup-dir (fsync'd) before deleting.
4. Deletes with IAMDeleteRootUserCredentials: login profile, access keys, MFA (deactivate, then delete the
   virtual device), signing certificates; then re-reads each account to verify nothing (of --only) remains.
   Right before an account's first delete its credentials are read again: if they are not the planned ones
   (someone added or removed one since the plan), nothing is deleted there (changed-since-plan, exit 1).
Keys and certificates cannot be restored. Re-running is safe: what is already gone counts as done, and a
re-run also deletes an MFA device that a killed run deactivated but did not delete (the audit cannot list it;
its serial is in the record in --backup-dir). --accounts naming the management account is refused (exit 2).

  --only <kinds>           only these kinds (default: all four)
  --dry-run                show the plan and change nothing
  --json                   print one JSON object with the plan and the results

${SELECTION_USAGE}
Exit codes: 0 every planned account verified clean, 1 any account failed (audit or delete) or not clean,
2 bad input, 3 not confirmed.`,
  options: {
    ...SELECTION_OPTIONS,
    ...JSON_OPTION,
    ...CHANGE_OPTIONS,
    ...BACKUP_OPTION,
    only: { type: 'string' },
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { deleteRootCredentials, parseDeleteParams } = await import('../../fleet/delete-run');
    return deleteRootCredentials(parseDeleteParams(ctx.values, parseFleetOptions(ctx.values)), ctx.settings, ctx);
  },
};
