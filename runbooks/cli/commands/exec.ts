/**
 * runbook exec: runs a command with a root session of one member account in its environment (the
 * `atmos auth exec` / aws-vault pattern). The command's exit code is passed on, and so is a signal.
 */
import type { Command } from '../command';
import { parseAccountId } from '../../engine/validate';
import { childEnv, NESTING_MARKER, refuseNesting, requireCommand, runCommand } from '../../session/child';
import { str } from '../fleet-options';
import { openRootSession } from '../../session/root-session';
import { parseTask } from '../../session/task';

export const command: Command = {
  name: 'exec',
  summary: 'run a command with a root session of a member account in its environment',
  usage: `Usage: runbook exec --account <id> --task <alias|arn> -- <command> [args…]

Takes a root session (AssumeRoot) into the account with the task policy and runs the command with
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN, AWS_SESSION_EXPIRATION and
AWS_REGION set (AWS_PROFILE removed). The exit code of the command is the exit code of runbook exec; a signal
sent to runbook is forwarded to the command. Refuses to run inside another runbook exec (${NESTING_MARKER}).

  --account <id>           the member account (12 digits)
  --task <alias|arn>       audit, create-password, delete-credentials, s3-unlock, sqs-unlock, or the task policy ARN`,
  options: {
    account: { type: 'string' },
    task: { type: 'string' },
  },
  async run(ctx) {
    refuseNesting(ctx.env);
    const account = parseAccountId(str(ctx.values.account) ?? '');
    const { task, partition } = parseTask(str(ctx.values.task));
    requireCommand(ctx.passthrough);
    const session = await openRootSession(ctx.settings, ctx, 'exec', { account, task, partition });
    const env = childEnv(ctx.env, session.credentials, {
      region: session.root.settings.region,
      marker: `exec:${account}:${task}`,
    });
    ctx.log(`running ${ctx.passthrough[0]} with root session ${session.root.accessKeyId}`);
    // Recorded before the command runs: a command that never returns still leaves its trace.
    session.record('changed', { task, command: ctx.passthrough[0] });
    return runCommand(ctx.passthrough, env);
  },
};
