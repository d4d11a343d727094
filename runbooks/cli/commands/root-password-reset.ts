import type { Command } from '../command';
import { CHANGE_OPTIONS, JSON_OPTION } from '../options';

export const command: Command = {
  name: 'root-password-reset',
  summary: 'let the root e-mail owner of a member account reset the root password',
  usage: `Usage: runbook root-password-reset --account <12 digits> [--dry-run] [--yes] [--json]

Takes a root session in the member account (task IAMCreateRootUserPassword) and creates the root login
profile without a password; the owner of the root e-mail address then completes "Forgot password".
Reports "already enabled" (status unchanged) when the root user has a login profile. The profile is checked
again right before the change: if it appeared meanwhile, the run stops (exit 1, changed-since-plan).

Options:
  --account <id>           the member account
  --dry-run                only check whether a login profile exists
  -y, --yes                do not ask for confirmation (required without a terminal)
  --json                   print exactly one JSON object`,
  options: { account: { type: 'string' }, ...CHANGE_OPTIONS, ...JSON_OPTION },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const [{ parseRootPasswordResetParams, rootPasswordReset }, { executeRunbook }] = await Promise.all([
      import('../../policy/root-password-reset'),
      import('../../engine/runbook'),
    ]);
    return executeRunbook(rootPasswordReset, parseRootPasswordResetParams(ctx.values), ctx);
  },
};
