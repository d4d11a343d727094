/**
 * runbook credentials: prints a root session's credentials, for eval, for tools that read JSON, or as a
 * credential_process. Printing them is this command's whole purpose, so stdout is the one place they go;
 * nothing about them reaches stderr, -v or the audit log beyond the access key id.
 */
import type { Command } from '../command';
import { partitionOf, runRegion } from '../../engine/validate';

export const command: Command = {
  name: 'credentials',
  summary: 'print root-session credentials (env lines, JSON, or credential_process)',
  usage: `Usage: runbook credentials --account <id> --task <alias|arn> [--format env|json|credential-process]

  --account <id>           the member account (12 digits)
  --task <alias|arn>       audit, create-password, delete-credentials, s3-unlock, sqs-unlock, or the task policy ARN
  --format <format>        env (default): KEY=value lines; json; credential-process: the JSON an AWS profile's
                           credential_process must print (Version 1, with Expiration)

Example profile (~/.aws/config):
  [profile member-audit]
  credential_process = npx runbook credentials --account 111122223333 --task audit --format credential-process`,
  options: {
    account: { type: 'string' },
    task: { type: 'string' },
    format: { type: 'string' },
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { issueCredentials, parseCredentialsParams } = await import('../../session/credentials');
    const params = parseCredentialsParams(ctx.values, partitionOf(runRegion(ctx.settings)));
    ctx.stdout.write(await issueCredentials(params, ctx.settings, ctx));
    return 0;
  },
};
