/**
 * Runs a command as a child process with inherited stdio, the way a shell would: signals sent to this process
 * are forwarded to the child, and the child's exit code (or 128 + the signal number) is the result.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** Why a child could not be started at all: `code` is the spawn error's (ENOENT, EACCES, …). */
export interface ChildStartError extends Error {
  readonly code: string;
}

/** How a child ended: its exit code (128 + the signal number when a signal ended it) and that signal. */
export interface ChildExit {
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
}

let running = 0;

/**
 * Whether a child started here is running: a signal this process receives then belongs to the child (it is
 * forwarded), and the child's end decides what happens next.
 */
export const childRunning = (): boolean => running > 0;

/** Resolves with how the child ended; rejects with a ChildStartError when the command cannot be started. */
export function runChild(argv: string[], env: NodeJS.ProcessEnv): Promise<ChildExit> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file as string, args, { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const listen = () => FORWARDED.forEach((signal) => process.on(signal, forward));
    const unlisten = () => FORWARDED.forEach((signal) => process.off(signal, forward));
    running += 1;
    listen();
    child.once('error', (error: NodeJS.ErrnoException) => {
      running -= 1;
      unlisten();
      const code = error.code ?? 'ESPAWN';
      const failure: ChildStartError = Object.assign(
        new Error(`cannot run ${JSON.stringify(file)}: ${error.code ?? error.message}`, { cause: error }),
        { code },
      );
      reject(failure);
    });
    child.once('exit', (code, signal) => {
      running -= 1;
      unlisten();
      resolve(signal === null ? { code: code ?? 1, signal } : { code: 128 + (constants.signals[signal] ?? 0), signal });
    });
  });
}

/**
 * Ends this process with `signal`, as a child's death by that signal is passed on so that a parent shell sees
 * the same cause of death: every handler of the signal is removed first, so its default action applies.
 */
export function reraise(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}
