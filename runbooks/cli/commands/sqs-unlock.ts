import type { Command } from '../command';
import { BACKUP_OPTION, CHANGE_OPTIONS, FORCE_OPTION, JSON_OPTION } from '../options';

export const command: Command = {
  name: 'sqs-unlock',
  summary: 'remove (or replace) a queue policy that locks everyone out',
  usage: `Usage: runbook sqs-unlock --account <12 digits> (--queue-url <url> | --queue-name <name>) [--policy-file <file> [--force]] [--dry-run] [--yes] [--backup-dir <dir>] [--json]

Takes a root session in the member account (task SQSUnlockQueuePolicy), backs up the queue policy, then
removes it (SetQueueAttributes Policy=""), or replaces it with --policy-file, and reads it back to verify.
Right before the change (after the confirmation and the backup) the policy is read again: if someone changed it
meanwhile, the run stops (exit 1, outcome changed-since-plan) and changes nothing.
A queue URL must be https://sqs.<region>.amazonaws.com/<account>/<name> (or the legacy
https://<region>.queue.amazonaws.com/… form; with an endpoint override, that endpoint's host) and name --account
(and --region, when given); a queue name is resolved with GetQueueUrl.

Options:
  --account <id>           the member account that owns the queue
  --queue-url <url>        the queue, by URL
  --queue-name <name>      the queue, by name (in --region)
  --policy-file <file>     put this policy instead of removing it; its resources must be this queue's ARN
  --force                  put --policy-file even though it still locks everyone out
  --dry-run                show the current policy and the statements that lock everyone out; change nothing
  -y, --yes                do not ask for confirmation (required without a terminal)
  --backup-dir <dir>       where backups go (default: RUNBOOK_BACKUP_DIR, else the backups/ folder beside
                           the default audit log)
  --json                   print exactly one JSON object`,
  options: {
    account: { type: 'string' },
    'queue-url': { type: 'string' },
    'queue-name': { type: 'string' },
    'policy-file': { type: 'string' },
    ...FORCE_OPTION,
    ...CHANGE_OPTIONS,
    ...BACKUP_OPTION,
    ...JSON_OPTION,
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const [{ parseSqsUnlockParams, sqsUnlock }, { runPolicyRunbook }] = await Promise.all([
      import('../../policy/sqs-unlock'),
      import('../../policy/policy-runbook'),
    ]);
    return runPolicyRunbook(sqsUnlock, parseSqsUnlockParams(ctx.values, ctx.settings, ctx.env), ctx);
  },
};
