/**
 * Launcher of the local AWS sandbox: moto's server with the project's extension (emulator/server.py),
 * on 127.0.0.1 and a port the OS picks. The Python side reports its port once it accepts connections,
 * and exits when its stdin closes, so it never outlives this process even if we are killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

export interface Sandbox {
  readonly endpoint: string;
  readonly port: number;
  /** The server process, for benchmarks that read its CPU time. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface SandboxOptions {
  /** Receives the server's stderr lines (moto warnings, Python tracebacks). Default: dropped. */
  log?: (line: string) => void;
  /** Another build's server.py (benchmarks compare with an older sandbox). Default: this one. */
  serverScript?: string;
}

/** The sandbox's management account: moto's default account, which any unknown access key acts as. */
export const MANAGEMENT_ACCOUNT_ID = '123456789012';

const SERVER_SCRIPT = path.join(__dirname, 'server.py');
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;

export function pythonCommand(): string {
  return process.env.SANDBOX_PYTHON ?? 'python3';
}

export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const child = spawn(pythonCommand(), [options.serverScript ?? SERVER_SCRIPT], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // No __pycache__ in the source tree; moto reads these to pick its default account and region.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', MOTO_ACCOUNT_ID: undefined },
  });
  const stderrTail: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    options.log?.(line);
  });

  return new Promise<Sandbox>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      const detail = stderrTail.length > 0 ? `\n${stderrTail.join('\n')}` : '';
      reject(new Error(`The AWS sandbox did not start: ${reason}.${detail}`));
    };
    const timer = setTimeout(() => fail(`no readiness line within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    child.once('error', (error) =>
      fail(
        `cannot run ${pythonCommand()} (${error.message}); install python3 with moto 5 ("pip install 'moto[server]'")`,
      ),
    );
    child.once('exit', (code, signal) => fail(`the server exited early (code ${code}, signal ${signal})`));
    const stdout = readline.createInterface({ input: child.stdout! });
    stdout.on('line', (line) => {
      if (settled) return;
      let port: unknown;
      try {
        port = (JSON.parse(line) as { port?: unknown }).port;
      } catch {
        return; // not the readiness line
      }
      if (typeof port !== 'number') return;
      settled = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(runningSandbox(child, port));
    });
  });
}

function runningSandbox(child: ChildProcess, port: number): Sandbox {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    stop(): Promise<void> {
      stopping ??= (async () => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
        child.stdin?.destroy();
      })();
      return stopping;
    },
  };
}
