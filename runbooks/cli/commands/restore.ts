import type { Command } from '../command';
import { BACKUP_OPTION, CHANGE_OPTIONS, JSON_OPTION } from '../options';

export const command: Command = {
  name: 'restore',
  summary: 'put a backed-up bucket or queue policy back exactly as it was',
  usage: `Usage: runbook restore --backup <file> [--force] [--dry-run] [--yes] [--backup-dir <dir>] [--json]

Reads a backup written by s3-unlock, sqs-unlock or restore, takes a root session in its account with the
same task policy, backs up the current policy, and puts the backed-up policy text back byte for byte (or
removes the policy when the backup recorded none). The account and region come from the backup file.

Before any AWS call the backup is checked against the audit log: it must be the file the original run wrote
(same sha256: an edited backup is refused), agree with that run's record (account, resource, digest), and its
policy's resource ARNs must name its own bucket or queue. Then, if the current policy is not the one the
original run left, restore refuses (exit 1, nothing changed) and says what changed. Like every change, the
policy is read again right before the write: if it moved after the confirmation, the run stops
(changed-since-plan, exit 1) and changes nothing.

Options:
  --backup <file>          the backup file (a regular file, at most 1 MiB)
  --force                  restore over a policy that changed since the original run, or a backup the audit
                           log has no record of (never one that contradicts its record or itself)
  --dry-run                show the current policy and what would be put; change nothing
  -y, --yes                do not ask for confirmation (required without a terminal)
  --backup-dir <dir>       where the backup of the current policy goes
  --json                   print exactly one JSON object`,
  options: {
    backup: { type: 'string' },
    force: { type: 'boolean' },
    ...CHANGE_OPTIONS,
    ...BACKUP_OPTION,
    ...JSON_OPTION,
  },
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
