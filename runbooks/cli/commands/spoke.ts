/**
 * runbook spoke exec: hub role, then spoke role, then the command with the spoke role's credentials in its
 * environment. The exit code of the command is passed on.
 */
import type { Command } from '../command';
import type { CommonRules } from '../options';
import { NESTING_MARKER } from '../../session/child';

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
  runsChild: true,
  options: {
    'hub-account': { type: 'string' },
    'hub-role': { type: 'string' },
    'spoke-account': { type: 'string' },
    'spoke-role': { type: 'string' },
    'session-name': { type: 'string' },
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { parseSpokeExecParams, spokeExec } = await import('../../session/spoke-exec');
    const argv = { values: ctx.values, positionals: ctx.positionals, command: ctx.passthrough };
    return spokeExec(parseSpokeExecParams(argv, ctx.settings, ctx.env), ctx.settings, ctx);
  },
};
