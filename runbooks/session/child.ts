/**
 * Running a command with temporary credentials (exec, spoke exec): the child's environment, the nesting guard,
 * and a child process whose exit code and signals are passed on.
 */
import { devNull } from 'node:os';
import type { SessionCredentials } from '../engine/clients';
import { badInput, RunbookError } from '../engine/errors';
import { reraise, runChild, type ChildExit } from '../lib/child-process';
import type { OutcomeFacts } from '../engine/trail';

/** Set in every child's environment; a runbook exec that finds it refuses to start a second session inside. */
export const NESTING_MARKER = 'RUNBOOK_EXEC_SESSION';

export function refuseNesting(env: NodeJS.ProcessEnv): void {
  const outer = env[NESTING_MARKER];
  if (outer !== undefined && outer !== '') {
    throw badInput(
      `already inside a runbook session (${NESTING_MARKER}=${outer}); refusing to nest another one`,
      `exit the outer session first, or unset ${NESTING_MARKER} if you really mean to`,
    );
  }
}

/**
 * Variables that would make the SDKs and the AWS CLI prefer other credentials over the injected ones
 * (a profile wins over env keys in several SDKs), or that describe the parent's credentials.
 */
const DROPPED = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
];

export function childEnv(
  parent: NodeJS.ProcessEnv,
  credentials: SessionCredentials,
  options: { region: string; marker: string },
): NodeJS.ProcessEnv {
  const env = baseEnv(parent, DROPPED, options);
  const expiration = credentials.expiration?.toISOString();
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
    // Older tools (boto 2, some Terraform providers) read the token under its former name.
    AWS_SECURITY_TOKEN: credentials.sessionToken ?? '',
  });
  if (expiration !== undefined) {
    env.AWS_SESSION_EXPIRATION = expiration;
    env.AWS_CREDENTIAL_EXPIRATION = expiration;
  }
  return env;
}

/**
 * For exec --server: every credential source the SDKs would try before the container endpoint is taken away.
 * Environment keys come first in every SDK's chain and would be used until they expire, so none are set; the
 * shared config and credentials files come next, and a [default] profile there would win over the endpoint, so
 * the child sees empty ones (its region comes from AWS_REGION).
 */
const DROPPED_FOR_SERVER = [
  ...DROPPED,
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_SESSION_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

export function serverChildEnv(
  parent: NodeJS.ProcessEnv,
  endpoint: { url: string; token: string },
  options: { region: string; marker: string },
): NodeJS.ProcessEnv {
  const env = baseEnv(parent, DROPPED_FOR_SERVER, options);
  Object.assign(env, {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: endpoint.token,
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
  });
  return env;
}

function baseEnv(
  parent: NodeJS.ProcessEnv,
  dropped: readonly string[],
  options: { region: string; marker: string },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const name of dropped) delete env[name];
  Object.assign(env, {
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    [NESTING_MARKER]: options.marker,
  });
  return env;
}

/** The command after `--`, checked before any AWS call. */
export function requireCommand(argv: string[]): void {
  if (argv.length === 0 || argv[0] === '') {
    throw badInput(
      'no command to run after "--"',
      'example: runbook exec --account 111122223333 --task audit -- aws sts get-caller-identity',
    );
  }
}

/**
 * Runs the command with the session's environment (see lib/child-process: stdio inherited, signals forwarded).
 * A command that cannot be started is a CommandFailed error.
 */
export async function runCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<ChildExit> {
  try {
    return await runChild(argv, env);
  } catch (err) {
    throw new RunbookError('CommandFailed', (err as Error).message, { hint: 'check the command name and PATH' });
  }
}

/** The outcome record of a command that ran with a session: it may have changed anything, so `changed`. */
export function commandOutcome(exit: ChildExit): OutcomeFacts {
  const details = { exitCode: exit.code, signal: exit.signal };
  if (exit.signal !== null) return { outcome: 'interrupted', errorCode: exit.signal, details };
  return exit.code === 0 ? { outcome: 'changed', details } : { outcome: 'failed', errorCode: 'CommandFailed', details };
}

/**
 * The exit code of runbook exec for the command's end, once its outcome is recorded: the command's own code; a
 * command killed by a signal ends runbook by the same signal, as a shell sees it.
 */
export function passOn(exit: ChildExit): number {
  if (exit.signal !== null) reraise(exit.signal);
  return exit.code;
}
