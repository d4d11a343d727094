import type { ParseArgsConfig } from 'node:util';
import type { CommonOptions, CommonRules } from './options';

/** The option table a command hands to node:util parseArgs (strict mode: unknown flags are refused). */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Values parsed by parseArgs, keyed by long option name. */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Writer {
  write(text: string): void;
}

/** What a command receives. Commands never touch process.* directly, so they can run in-process in tests. */
export interface CommandContext {
  /** The command's own options (and the common ones), as parsed. */
  readonly values: ParsedValues;
  /** Positional arguments before a `--`. */
  readonly positionals: string[];
  /** Everything after the first `--` (for commands that run a child process). */
  readonly passthrough: string[];
  /** The common options, already validated. */
  readonly common: CommonOptions;
  readonly env: NodeJS.ProcessEnv;
  /** Results only. */
  readonly stdout: Writer;
  /** Logs, progress, prompts and errors. */
  readonly stderr: Writer;
  /** Where a confirmation prompt reads its answer; `isTTY` decides whether a prompt is possible at all. */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Writes to stderr only with -v/--verbose. */
  log(message: string): void;
}

export interface Command {
  readonly name: string;
  /** One line for `runbook --help`. */
  readonly summary: string;
  /** The full text for `runbook <command> --help`, starting with the synopsis. */
  readonly usage: string;
  /** The command's options. Spread the shared ones from ./options (JSON_OPTION, CHANGE_OPTIONS, …) as needed. */
  readonly options: OptionsConfig;
  /** How --external-id and --duration are read; default ROOT_SESSION_RULES (operator role, AssumeRoot range). */
  readonly commonRules?: CommonRules;
  /** Whether bare positionals are accepted (arguments after `--` always are, in ctx.passthrough). */
  readonly allowPositionals?: boolean;
  /** Returns the exit code; failures are thrown as RunbookError. */
  run(ctx: CommandContext): Promise<number>;
}
