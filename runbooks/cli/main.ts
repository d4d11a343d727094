#!/usr/bin/env node
/**
 * The CLI entry point, and the only place that sets process.exitCode and signal handlers. It finds the command,
 * parses its options strictly, and turns a RunbookError into `error:`/`hint:` lines on stderr and an exit code.
 * SIGINT, SIGTERM and SIGHUP record every open run of the audit trail as interrupted, then exit 128 + the signal
 * number (130, 143, 129); while exec runs a command, the signal is forwarded to it and its end decides.
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandContext } from './command';
import { GLOBAL_OPTIONS, GLOBAL_USAGE, parseCommon, type ParsedValues } from './options';
import { COMMANDS } from './registry';
import { badInput, ExitCode, RunbookError } from '../engine/errors';
import type { Input, Writer } from '../engine/io';
import { interruptOpenRuns, trailStats } from '../engine/trail';
import { childRunning } from '../lib/child-process';

export interface Io {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly stdin: Input;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  let verbose = argv.includes('-v') || argv.includes('--verbose');
  try {
    const dash = argv.indexOf('--');
    const head = dash === -1 ? argv : argv.slice(0, dash);
    const passthrough = dash === -1 ? [] : argv.slice(dash + 1);
    const [name, ...rest] = head;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(await globalHelp());
      return ExitCode.Ok;
    }
    if (name === '--version' || name === '-V') {
      io.stdout.write(`${readVersion()}\n`);
      return ExitCode.Ok;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (load === undefined) {
      throw badInput(
        `unknown command ${JSON.stringify(name)}: expected one of ${Object.keys(COMMANDS).join(', ')}`,
        'run "runbook --help" to list the commands',
      );
    }
    const command = await load();
    const { values, positionals } = parseOptions(command, rest);
    verbose = values.verbose === true;
    if (values.help === true) {
      io.stdout.write(`${command.usage.trimEnd()}\n\n${GLOBAL_USAGE}\n`);
      return ExitCode.Ok;
    }
    const ctx: CommandContext = {
      values,
      positionals,
      passthrough,
      settings: parseCommon(values, io.env, io.cwd, command.commonRules),
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
      stdin: io.stdin,
      log: verbose ? (message) => io.stderr.write(`${message}\n`) : () => undefined,
    };
    const code = await command.run(ctx);
    logTrailStats(io.stderr, verbose);
    return code;
  } catch (err) {
    logTrailStats(io.stderr, verbose);
    return reportError(err, io.stderr, verbose);
  }
}

function parseOptions(command: Command, args: string[]): { values: ParsedValues; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: command.allowPositionals ?? false,
    });
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
  } catch (err) {
    // node's parseArgs errors name the offending token; keep that, drop its advice about `--`.
    const message = (err as Error).message.split('. ')[0];
    throw badInput(`${command.name}: ${message}`, `run "runbook ${command.name} --help" for the options`);
  }
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
      process.exit(128 + constants.signals[signal]);
    });
  }
}

function reportError(err: unknown, stderr: Writer, verbose: boolean): number {
  if (err instanceof RunbookError) {
    stderr.write(`error: ${err.message}\n`);
    if (err.hint !== undefined) stderr.write(`hint: ${err.hint}\n`);
    if (verbose && err.cause instanceof Error) stderr.write(`cause: ${err.cause.name}: ${err.cause.message}\n`);
    return err.exitCode;
  }
  const error = err instanceof Error ? err : new Error(String(err));
  stderr.write(`error: unexpected failure: ${error.message}\n`);
  if (verbose && error.stack !== undefined) stderr.write(`${error.stack}\n`);
  return ExitCode.Failed;
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
  }).then((code) => {
    process.exitCode = code;
  });
}
