/**
 * A command's argv, read strictly. node:util parseArgs splits the tokens; the rules are ours, because its strict
 * mode lets through what costs most in an incident and its messages echo tokens raw:
 * - a flag given twice with different values is refused (parseArgs keeps the last one: `--account A --account B`
 *   would act on B); the same value twice is harmless and accepted;
 * - a string flag needs a non-empty value, and one that swallowed the next flag (`--account --yes`) is refused;
 * - a boolean flag takes no value (`--yes=no` is refused rather than read as yes);
 * - arguments after `--` belong to the child a command runs; a command that runs none refuses them
 *   (`s3-unlock --yes … -- --dry-run` must not delete the policy while the operator believes it is a dry run).
 */
import { parseArgs } from 'node:util';
import { badInput } from '../engine/errors';
import { quote } from '../engine/validate';
import type { OptionsConfig, ParsedValues } from './options';

export interface CommandLineRules {
  readonly name: string;
  readonly options: OptionsConfig;
  readonly allowPositionals: boolean;
  /** Arguments after `--` are the command to run (exec, spoke exec); elsewhere they are refused. */
  readonly runsChild: boolean;
}

export interface CommandLine {
  readonly values: ParsedValues;
  readonly positionals: string[];
  /** Everything after the first `--`. */
  readonly passthrough: string[];
}

export function parseCommandLine(rules: CommandLineRules, args: string[]): CommandLine {
  const help = `run "runbook ${rules.name} --help" for the options`;
  const { tokens } = parseArgs({ args, options: rules.options, strict: false, allowPositionals: true, tokens: true });
  const values: ParsedValues = {};
  const positionals: string[] = [];
  let passthrough: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      passthrough = args.slice(token.index + 1);
      break;
    }
    if (token.kind === 'positional') {
      if (!rules.allowPositionals) {
        throw badInput(
          `${rules.name}: unexpected argument ${quote(token.value)}`,
          `${rules.name} takes no positional arguments: every value follows its flag (${help})`,
        );
      }
      positionals.push(token.value);
      continue;
    }
    const option = Object.hasOwn(rules.options, token.name) ? rules.options[token.name] : undefined;
    if (option === undefined) {
      const near = closest(token.name, Object.keys(rules.options));
      throw badInput(
        `${rules.name}: unknown option ${quote(token.rawName)}`,
        near === undefined ? help : `did you mean --${near}? (${help})`,
      );
    }
    const flag = `--${token.name}`;
    let value: string | boolean;
    if (option.type === 'boolean') {
      if (token.value !== undefined) {
        throw badInput(`${rules.name}: ${flag} takes no value (got ${quote(token.value)})`, `write ${flag} alone`);
      }
      value = true;
    } else {
      if (token.value === undefined || token.value === '') {
        throw badInput(`${rules.name}: ${flag} needs a value`, `write ${flag} <value> (${help})`);
      }
      if (!token.inlineValue && token.value.startsWith('-') && token.value !== '-') {
        throw badInput(
          `${rules.name}: ${flag} needs a value, but is followed by ${quote(token.value)}`,
          `give the value after ${flag}, or write ${flag}=${token.value} if it really starts with "-"`,
        );
      }
      value = token.value;
    }
    const earlier = values[token.name];
    if (earlier !== undefined && earlier !== value) {
      throw badInput(
        `${rules.name}: ${flag} is given twice, with different values (${describe(earlier)} and ${describe(value)})`,
        `give ${flag} once`,
      );
    }
    values[token.name] = value;
  }
  if (passthrough.length > 0 && !rules.runsChild) {
    throw badInput(
      `${rules.name}: arguments after "--" are not accepted (${passthrough.map(quote).join(' ')}): ${rules.name} runs no command`,
      `put every option before "--" (${help})`,
    );
  }
  return { values, positionals, passthrough };
}

function describe(value: ParsedValues[string]): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

/** The option a typo most likely meant: at most two edits away, and the only one that close. */
function closest(name: string, options: string[]): string | undefined {
  const near = options.filter((option) => editDistance(name.toLowerCase(), option) <= 2);
  return near.length === 1 ? near[0] : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
