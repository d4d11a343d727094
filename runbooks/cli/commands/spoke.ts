/**
 * runbook spoke exec: hub role, then spoke role, then the command with the spoke role's credentials in its
 * environment. The exit code of the command is passed on.
 */
import type { Command } from '../command';
import type { CommonRules } from '../options';
import { resolveCaller } from '../../engine/credentials';
import { badInput } from '../../engine/errors';
import { roleAssumer } from '../../fleet/aws';
import { childEnv, NESTING_MARKER, refuseNesting, requireCommand, runCommand } from '../../session/child';
import { str } from '../fleet-options';
import { assumeHubThenSpoke, parseSpokeTarget } from '../../session/spoke';

/**
 * --external-id is the hub/spoke external id here, not an operator role's. AssumeRole takes at least 900 s, and
 * role chaining caps a chained session at one hour, which is also the default.
 */
const SPOKE_RULES: CommonRules = {
  externalId: 'command',
  duration: { min: 900, max: 3600, default: 3600, why: 'AssumeRole takes 900 s to 3600 s for a chained role session' },
};

export const command: Command = {
  name: 'spoke',
  summary: 'run a command in a spoke account through the hub role (spoke exec)',
  usage: `Usage: runbook spoke exec --hub-account <id> --hub-role <name> --spoke-account <id> --spoke-role <name>
                          [--external-id <s>] [--session-name <s>] -- <command> [args…]

Assumes the hub role with the caller's credentials, then the spoke role with the hub session, sending the same
external id on both hops; both role session names are <spoke-account>-<session string>. The command runs with
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN, AWS_SESSION_EXPIRATION and
AWS_REGION of the spoke session; its exit code is passed on. Refuses to run inside another runbook exec
(${NESTING_MARKER}).

Defaults come from ASSUME_ROLE_HUB_ACCOUNT, ASSUME_ROLE_HUB_ROLE, ASSUME_ROLE_SPOKE_ACCOUNT, ASSUME_ROLE_SPOKE_ROLE,
ASSUME_ROLE_EXTERNAL_ID and ASSUME_ROLE_SESSION_STRING (default session string: the local user name).
Sessions last one hour (the role-chaining maximum) unless --duration (900..3600) says less.`,
  commonRules: SPOKE_RULES,
  allowPositionals: true,
  options: {
    'hub-account': { type: 'string' },
    'hub-role': { type: 'string' },
    'spoke-account': { type: 'string' },
    'spoke-role': { type: 'string' },
    'session-name': { type: 'string' },
  },
  async run(ctx) {
    if (ctx.positionals.length !== 1 || ctx.positionals[0] !== 'exec') {
      throw badInput(
        `unknown spoke subcommand ${JSON.stringify(ctx.positionals.join(' '))}: expected "exec"`,
        'usage: runbook spoke exec --hub-account … -- <command>',
      );
    }
    refuseNesting(ctx.env);
    if (ctx.settings.roleArn !== undefined) {
      throw badInput(
        'spoke exec does not take --role-arn',
        "the hub role is assumed with the caller's own credentials: choose them with --profile",
      );
    }
    const target = parseSpokeTarget(
      {
        hubAccount: str(ctx.values['hub-account']),
        hubRole: str(ctx.values['hub-role']),
        spokeAccount: str(ctx.values['spoke-account']),
        spokeRole: str(ctx.values['spoke-role']),
        externalId: ctx.settings.externalId,
        sessionString: str(ctx.values['session-name']),
      },
      ctx.env,
    );
    requireCommand(ctx.passthrough);
    const caller = await resolveCaller(ctx.settings, ctx.env, ctx.log);
    const { spoke } = await assumeHubThenSpoke(await roleAssumer(caller.session), target, ctx.settings.duration);
    const env = childEnv(ctx.env, spoke, {
      region: caller.session.settings.region,
      marker: `spoke:${target.spokeAccount}:${target.spokeRole}`,
    });
    return runCommand(ctx.passthrough, env);
  },
};
