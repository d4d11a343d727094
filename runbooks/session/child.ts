/**
 * Running a command with temporary credentials (exec, spoke exec): the child's environment, the nesting guard,
 * and a child process whose exit code and signals are passed on.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { badInput, RunbookError } from '../engine/errors';
import type { SessionCredentials } from '../fleet/account-session';

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
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const name of DROPPED) delete env[name];
  const expiration = credentials.expiration?.toISOString();
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
    // Older tools (boto 2, some Terraform providers) read the token under its former name.
    AWS_SECURITY_TOKEN: credentials.sessionToken ?? '',
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    [NESTING_MARKER]: options.marker,
  });
  if (expiration !== undefined) {
    env.AWS_SESSION_EXPIRATION = expiration;
    env.AWS_CREDENTIAL_EXPIRATION = expiration;
  }
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

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Runs the command with inherited stdio. Signals sent to the CLI are forwarded to the child. Resolves with the
 * child's exit code, or 128 + the signal number when a signal ended it (after re-raising that signal on this
 * process when `reraise` is set, so a parent shell sees the same cause of death).
 */
export function runChild(argv: string[], env: NodeJS.ProcessEnv, options: { reraise?: boolean } = {}): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file as string, args, { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const listen = () => FORWARDED.forEach((signal) => process.on(signal, forward));
    const unlisten = () => FORWARDED.forEach((signal) => process.off(signal, forward));
    listen();
    child.once('error', (error: NodeJS.ErrnoException) => {
      unlisten();
      reject(
        new RunbookError('CommandFailed', `cannot run ${JSON.stringify(file)}: ${error.code ?? error.message}`, {
          hint: 'check the command name and PATH',
        }),
      );
    });
    child.once('exit', (code, signal) => {
      unlisten();
      if (signal === null) {
        resolve(code ?? 1);
        return;
      }
      if (options.reraise) process.kill(process.pid, signal);
      resolve(128 + (constants.signals[signal] ?? 0));
    });
  });
}
