import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import type { CommonRules, OptionsConfig, ParsedValues } from './options';

/**
 * What a command receives: the engine's I/O and settings, plus its parsed argv. Commands never touch process.*
 * directly, so they can run in-process in tests.
 */
export interface CommandContext extends RunIo {
  /** The command's own options (and the common ones), as parsed. */
  readonly values: ParsedValues;
  /** Positional arguments before a `--`. */
  readonly positionals: string[];
  /** Everything after the first `--` (only commands that run a child process accept any). */
  readonly passthrough: string[];
  /** The common options, already validated. */
  readonly settings: RunSettings;
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
  /** Whether bare positionals are accepted. */
  readonly allowPositionals?: boolean;
  /** Whether the arguments after `--` are a command to run (ctx.passthrough); elsewhere they are refused. */
  readonly runsChild?: boolean;
  /** Returns the exit code; failures are thrown as RunbookError. */
  run(ctx: CommandContext): Promise<number>;
}
