import type { Command } from '../command';
import { BACKUP_OPTION, CHANGE_OPTIONS, FORCE_OPTION, JSON_OPTION } from '../options';

export const command: Command = {
  name: 's3-unlock',
  summary: 'remove (or replace) a bucket policy that locks everyone out',
  usage: `Usage: runbook s3-unlock --account <12 digits> --bucket <name> [--policy-file <file> [--force]] [--dry-run] [--yes] [--backup-dir <dir>] [--json]

Takes a root session in the member account (task S3UnlockBucketPolicy), backs up the bucket policy,
then deletes it, or replaces it with --policy-file (JSON with a Statement, at most 20 KB), and reads it
back to verify. Right before the change (after the confirmation and the backup) the policy is read again: if
someone changed it meanwhile, the run stops (exit 1, outcome changed-since-plan) and changes nothing.

Options:
  --account <id>           the member account that owns the bucket
  --bucket <name>          the bucket
  --policy-file <file>     put this policy instead of deleting; its resources must be this bucket
                           (arn:aws:s3:::<bucket> and arn:aws:s3:::<bucket>/…)
  --force                  put --policy-file even though it still locks everyone out
  --dry-run                show the current policy and the statements that lock everyone out; change nothing
  -y, --yes                do not ask for confirmation (required without a terminal)
  --backup-dir <dir>       where backups go (default: RUNBOOK_BACKUP_DIR, else the backups/ folder beside
                           the default audit log)
  --json                   print exactly one JSON object`,
  options: {
    account: { type: 'string' },
    bucket: { type: 'string' },
    'policy-file': { type: 'string' },
    ...FORCE_OPTION,
    ...CHANGE_OPTIONS,
    ...BACKUP_OPTION,
    ...JSON_OPTION,
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const [{ parseS3UnlockParams, s3Unlock }, { runPolicyRunbook }] = await Promise.all([
      import('../../policy/s3-unlock'),
      import('../../policy/policy-runbook'),
    ]);
    return runPolicyRunbook(s3Unlock, parseS3UnlockParams(ctx.values, ctx.settings), ctx);
  },
};
