import type { Command } from '../command';
import { BACKUP_OPTION, CHANGE_OPTIONS, JSON_OPTION } from '../options';

export const command: Command = {
  name: 'restore',
  summary: 'put a backed-up bucket or queue policy back exactly as it was',
  usage: `Usage: runbook restore --backup <file> [--dry-run] [--yes] [--backup-dir <dir>] [--json]

Reads a backup written by s3-unlock, sqs-unlock or restore, takes a root session in its account with the
same task policy, backs up the current policy, and puts the backed-up policy text back byte for byte (or
removes the policy when the backup recorded none). The account and region come from the backup file.

Options:
  --backup <file>          the backup file
  --dry-run                show the current policy and what would be put; change nothing
  -y, --yes                do not ask for confirmation (required without a terminal)
  --backup-dir <dir>       where the backup of the current policy goes
  --json                   print exactly one JSON object`,
  options: { backup: { type: 'string' }, ...CHANGE_OPTIONS, ...BACKUP_OPTION, ...JSON_OPTION },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const [{ parseRestoreParams, restoreSpec }, { runPolicyRunbook }] = await Promise.all([
      import('../../policy/restore'),
      import('../../policy/policy-runbook'),
    ]);
    const params = parseRestoreParams(ctx.values, ctx.settings, ctx.env);
    return runPolicyRunbook(restoreSpec(params), params, ctx);
  },
};
