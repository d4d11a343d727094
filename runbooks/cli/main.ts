#!/usr/bin/env node
/**
 * The CLI entry point, and the only place that sets process.exitCode and signal handlers. It finds the command,
 * parses its options strictly, and turns a RunbookError into `error:`/`hint:` lines on stderr and an exit code.
 * SIGINT, SIGTERM and SIGHUP record every open run of the audit trail as interrupted, then exit 128 + the signal
 * number (130, 143, 129); while exec runs a command, the signal is forwarded to it and its end decides.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { parseCommandLine } from './argv';
import type { CommandContext } from './command';
import { GLOBAL_OPTIONS, GLOBAL_USAGE } from './options';
import { COMMANDS } from './registry';
import { badInput, ExitCode, RunbookError } from '../engine/errors';
import type { Input, Writer } from '../engine/io';
import { interruptOpenRuns, trailStats } from '../engine/trail';
import { quote } from '../engine/validate';
import { childRunning } from '../lib/child-process';

export interface Io {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly stdin: Input;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The command line that runs this CLI, shown wherever a usage text says `{runbook}`; default "runbook". */
  readonly self?: string;
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  // Until the command line is parsed, -v and --json are read from the raw arguments (never from a child's, after
  // `--`), so that even a command line that cannot be parsed gets the error in the shape that was asked for.
  const dash = argv.indexOf('--');
  const head = dash === -1 ? argv : argv.slice(0, dash);
  let verbose = head.includes('-v') || head.includes('--verbose');
  let json = head.includes('--json');
  let commandName: string | null = null;
  const stdout = watched(io.stdout);
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      stdout.write(await globalHelp());
      return ExitCode.Ok;
    }
    if (name === '--version' || name === '-V') {
      stdout.write(`${readVersion()}\n`);
      return ExitCode.Ok;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (load === undefined) {
      throw badInput(
        `unknown command ${quote(name)}: expected one of ${Object.keys(COMMANDS).join(', ')}`,
        'run "runbook --help" to list the commands',
      );
    }
    const command = await load();
    commandName = command.name;
    const { values, positionals, passthrough } = parseCommandLine(
      {
        name: command.name,
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: command.allowPositionals ?? false,
        runsChild: command.runsChild ?? false,
      },
      rest,
    );
    verbose = values.verbose === true;
    json = values.json === true;
    if (values.help === true) {
      const usage = command.usage.replaceAll('{runbook}', io.self ?? 'runbook');
      stdout.write(`${usage.trimEnd()}\n\n${GLOBAL_USAGE}\n`);
      return ExitCode.Ok;
    }
    const { runSettings } = await import('./run-settings');
    const settings = await runSettings(values, io.env, io.cwd, {
      rules: command.commonRules,
      writesBackups: Object.hasOwn(command.options, 'backup-dir'),
    });
    const ctx: CommandContext = {
      values,
      positionals,
      passthrough,
      settings,
      env: io.env,
      stdout,
      stderr: io.stderr,
      stdin: io.stdin,
      log: verbose ? (message) => io.stderr.write(`${message}\n`) : () => undefined,
    };
    const code = await command.run(ctx);
    logTrailStats(io.stderr, verbose);
    return code;
  } catch (err) {
    logTrailStats(io.stderr, verbose);
    // A command that already printed its result object (the runbooks print one with the error) is not repeated.
    const jsonError = json && !stdout.written ? { stdout, runbook: commandName } : undefined;
    return reportError(err, io.stderr, verbose, jsonError);
  }
}

/** stdout, remembering whether anything was written to it. */
function watched(out: Writer): Writer & { readonly written: boolean } {
  let written = false;
  return {
    write(text: string) {
      written = true;
      out.write(text);
    },
    get written() {
      return written;
    },
  };
}

function logTrailStats(stderr: Writer, verbose: boolean): void {
  const { records, flushes } = trailStats();
  if (verbose && records > 0) stderr.write(`audit log: ${records} records in ${flushes} fsync'd writes\n`);
}

const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function exitOnInterrupt(): void {
  for (const signal of INTERRUPTS) {
    process.on(signal, () => {
      if (childRunning()) return;
      interruptOpenRuns(signal);
      process.exit(128 + osConstants.signals[signal]);
    });
  }
}

/**
 * The error on stderr (`error:`, `hint:`), and with --json also as the one JSON object on stdout, so a script
 * reading stdout always gets `{"status": "failed" | "not-confirmed", "error": {"code", "message", "hint"}}`.
 */
function reportError(
  err: unknown,
  stderr: Writer,
  verbose: boolean,
  json: { stdout: Writer; runbook: string | null } | undefined,
): number {
  const error =
    err instanceof RunbookError
      ? err
      : new RunbookError('Failed', `unexpected failure: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
  stderr.write(`error: ${error.message}\n`);
  if (error.hint !== undefined) stderr.write(`hint: ${error.hint}\n`);
  const cause = error.cause;
  if (verbose && cause instanceof Error) {
    stderr.write(err instanceof RunbookError ? `cause: ${cause.name}: ${cause.message}\n` : `${cause.stack ?? ''}\n`);
  }
  if (json !== undefined) {
    json.stdout.write(
      `${JSON.stringify({
        runbook: json.runbook,
        status: error.code === 'NotConfirmed' ? 'not-confirmed' : 'failed',
        error: { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) },
      })}\n`,
    );
  }
  return error.exitCode;
}

async function globalHelp(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: runbook <command> [options]

Runbooks for AWS centralized root access: each one takes a short STS AssumeRoot session into a member
account, scoped to one AWS-managed task policy, and records what it did.

Commands:
${lines.join('\n')}

${GLOBAL_USAGE}

Run "runbook <command> --help" for a command's options. "runbook --version" prints the version.
Exit codes: 0 ok, 1 failed, 2 bad input or usage, 3 not confirmed.
`;
}

/** Reads the version from package.json next to the source or the build, without importing anything heavy. */
function readVersion(): string {
  for (let dir = __dirname, i = 0; i < 5; i += 1, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look one directory up
    }
  }
  return 'unknown';
}

/**
 * How another program (an AWS profile's credential_process) starts this very CLI: the path it was started by
 * when that is executable (a global or node_modules/.bin install), else node with the script. Never a package
 * name that npx would resolve, and download, by itself.
 */
function selfCommand(): string {
  const script = process.argv[1];
  if (script === undefined) return 'runbook';
  const quote = (path: string) => (/^[\w./+@:-]+$/.test(path) ? path : JSON.stringify(path));
  try {
    accessSync(script, constants.X_OK);
    return quote(script);
  } catch {
    return `${quote(process.execPath)} ${quote(script)}`;
  }
}

if (require.main === module) {
  // The SDK warns on every run that future releases need node 22; in an incident that is noise on stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  exitOnInterrupt();
  void runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    self: selfCommand(),
  }).then((code) => {
    process.exitCode = code;
  });
}
