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
  usage: `Usage: runbook credentials --account <id> --task <alias|arn> [--format env|json|credential-process] [--no-cache]

  --account <id>           the member account (12 digits)
  --task <alias|arn>       audit, create-password, delete-credentials, s3-unlock, sqs-unlock, or the task policy ARN
  --format <format>        env (default): KEY=value lines; json; credential-process: the JSON an AWS profile's
                           credential_process must print (Version 1, with Expiration)
  --no-cache               credential-process: take a new root session even if a cached one is still valid

As a credential_process the root session is cached for its lifetime, so the many calls an SDK or the AWS CLI
makes through the profile share one session: in $XDG_RUNTIME_DIR/runbook (else <tmpdir>/runbook-<uid>), a 0700
folder of 0600 files, keyed by account, task, caller and endpoint, each removed when its session expires. Every
call is recorded in the audit log (a cached session as "reused").

Example profile (~/.aws/config). The command is this binary's own path, {runbook} here
(yours: "command -v runbook", or "realpath node_modules/.bin/runbook" in the project that installed it).
Never "npx runbook": outside this project npx fetches and runs whatever package is published under that name.
Name the caller's profile with --profile, so that AWS_PROFILE=member-audit does not make runbook call itself:
  [profile member-audit]
  credential_process = {runbook} credentials --profile management --account 111122223333 --task audit --format credential-process`,
  options: {
    account: { type: 'string' },
    task: { type: 'string' },
    format: { type: 'string' },
    'no-cache': { type: 'boolean' },
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { issueCredentials, parseCredentialsParams } = await import('../../session/credentials');
    const params = parseCredentialsParams(ctx.values, partitionOf(runRegion(ctx.settings)));
    ctx.stdout.write(await issueCredentials(params, ctx.settings, ctx));
    return 0;
  },
};
