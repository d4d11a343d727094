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

/**
 * Resolves with the child's exit code, or 128 + the signal number when a signal ended it (after re-raising that
 * signal on this process when `reraise` is set, so a parent shell sees the same cause of death). Rejects with a
 * ChildStartError when the command cannot be started.
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
      const code = error.code ?? 'ESPAWN';
      const failure: ChildStartError = Object.assign(
        new Error(`cannot run ${JSON.stringify(file)}: ${error.code ?? error.message}`, { cause: error }),
        { code },
      );
      reject(failure);
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
