/**
 * runbook exec: runs a command with a root session of one member account in its environment (the
 * `atmos auth exec` / aws-vault pattern). The command's exit code is passed on, and so is a signal.
 */
import type { Command } from '../command';
import { NESTING_MARKER } from '../../session/child';
import { partitionOf, runRegion } from '../../engine/validate';

export const command: Command = {
  name: 'exec',
  summary: 'run a command with a root session of a member account in its environment',
  usage: `Usage: runbook exec --account <id> --task <alias|arn> [--server] -- <command> [args…]

Takes a root session (AssumeRoot) into the account with the task policy and runs the command with
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN, AWS_SESSION_EXPIRATION and
AWS_REGION set (AWS_PROFILE removed). The exit code of the command is the exit code of runbook exec; a signal
sent to runbook is forwarded to the command. Refuses to run inside another runbook exec (${NESTING_MARKER}).

With --server the command runs as long as it needs (a root session lasts at most 15 minutes): it gets no keys
but AWS_CONTAINER_CREDENTIALS_FULL_URI (http://127.0.0.1:<port>/…, this process only) and
AWS_CONTAINER_AUTHORIZATION_TOKEN (random, needed by every request), the container credentials endpoint the
AWS SDKs and the AWS CLI fetch from and refresh from. A new root session is taken before each one ends, and each
is recorded in the audit log. The shared config and credentials files are hidden from the command
(AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point to an empty file), because a [default] profile there
would win over the endpoint; the region comes from AWS_REGION and AWS_DEFAULT_REGION.

  --account <id>           the member account (12 digits)
  --task <alias|arn>       audit, create-password, delete-credentials, s3-unlock, sqs-unlock, or the task policy ARN
  --server                 serve the credentials from a local endpoint and renew the root session as it ends`,
  runsChild: true,
  options: {
    account: { type: 'string' },
    task: { type: 'string' },
    server: { type: 'boolean' },
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { execWithRootSession, parseExecParams } = await import('../../session/exec');
    const partition = partitionOf(runRegion(ctx.settings));
    return execWithRootSession(parseExecParams(ctx.values, ctx.passthrough, ctx.env, partition), ctx.settings, ctx);
  },
};
