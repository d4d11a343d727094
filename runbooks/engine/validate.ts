/**
 * Parameter validation: the value rules every command shares. Every check runs before the first AWS call, and
 * every failure names the bad value and what is allowed, so a typo in the middle of an incident costs one re-run
 * and nothing else. Values are quoted with `quote`, which makes look-alikes, whitespace and control characters
 * visible instead of letting them hide in a terminal.
 */
import { badInput, RunbookError } from './errors';

/** Longer values are cut in messages: the operator needs to recognise the value, not to read 100 KB of it. */
const QUOTE_LIMIT = 120;

/**
 * A value as a double-quoted string in which everything outside printable ASCII is a \uXXXX escape: a
 * fullwidth digit, a Cyrillic "а", a zero-width space, a newline or an ESC can neither pass for an ordinary
 * character nor drive the terminal. Plain ASCII values read exactly like JSON.stringify's. A password in a URL
 * (`https://user:secret@host/…`) is masked: a pasted URL's password is a secret like any other, and messages go
 * to terminals and CI logs.
 */
export function quote(value: string): string {
  const masked = value.replace(/^([a-z][\w+.-]*:\/\/[^/@?#]*?:)[^/@?#]*@/i, '$1***@');
  const cut = masked.length > QUOTE_LIMIT;
  const shown = cut ? masked.slice(0, QUOTE_LIMIT) : masked;
  const escaped = shown.replace(/[^\x20-\x7e]|["\\]/g, (c) =>
    c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"${cut ? `… (${masked.length} characters)` : ''}`;
}

/** Why a value that looks right may not be: said in the hint, because the quoted value alone is easy to misread. */
function characterProblem(value: string): string | undefined {
  if ([...value].some((c) => c < ' ' || c === '\x7f')) {
    return 'it contains a control character (a newline, tab, NUL or escape)';
  }
  if (/[^\x20-\x7e]/.test(value)) return 'it contains characters outside ASCII (shown as \\u escapes): retype it';
  if (value !== value.trim()) return 'it has leading or trailing spaces';
  return undefined;
}

/** The error for a value that breaks a rule: `invalid --bucket "X": expected …`. */
export function badValue(option: string, value: string, allowed: string, hint?: string): RunbookError {
  return badInput(`invalid ${option} ${quote(value)}: expected ${allowed}`, hint ?? characterProblem(value));
}

export function parseAccountId(value: string, option = '--account'): string {
  if (!/^\d{12}$/.test(value)) throw badValue(option, value, 'an AWS account id of exactly 12 digits');
  return value;
}

/** AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, ap-southeast-5, us-isob-east-1. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `source` names where the value came from: `--region`, `AWS_REGION`, or a profile in a config file. */
export function parseRegion(value: string, source: string): string {
  if (!REGION.test(value)) throw badValue(source, value, 'an AWS region name such as us-east-1 or eu-west-2');
  return value;
}

/** The partition a region belongs to: what every ARN of the run must name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  const iso = /^(us|eu)-iso([a-z]?)-/.exec(region);
  if (iso !== null) return iso[2] === '' ? 'aws-iso' : `aws-iso-${iso[2]}`;
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/** Where no --region, AWS_REGION, AWS_DEFAULT_REGION or profile region says otherwise (the AWS CLI's default too). */
export const FALLBACK_REGION = 'us-east-1';

/** The region of a run whose target names none: --region, else the validation layer's default. */
export function runRegion(settings: { readonly region?: string; readonly defaultRegion?: string }): string {
  return settings.region ?? settings.defaultRegion ?? FALLBACK_REGION;
}

/** The range --duration accepts, and why (shown as the hint when a value is out of range). */
export interface DurationLimit {
  readonly min: number;
  readonly max: number;
  readonly why: string;
}

/** AssumeRoot accepts 0..900 s; 0 is useless for a runbook, so root sessions take 1..900. */
export const ROOT_SESSION_DURATION: DurationLimit = { min: 1, max: 900, why: 'AssumeRoot sessions last at most 900 s' };

export function parseDuration(value: string, option = '--duration', limit = ROOT_SESSION_DURATION): number {
  return parseWholeNumber(value, option, limit, 'seconds');
}

/** A whole number within `limit` (digits only: no sign, exponent, fraction or spaces). */
export function parseWholeNumber(value: string, option: string, limit: DurationLimit, unit: string): number {
  const allowed = `a whole number of ${unit} from ${limit.min} to ${limit.max}`;
  if (!/^\d{1,15}$/.test(value)) throw badValue(option, value, allowed);
  const n = Number(value);
  if (n < limit.min || n > limit.max) throw badValue(option, value, allowed, limit.why);
  return n;
}

/** S3 general purpose bucket naming rules (the ones a typo can break). */
export function parseBucketName(value: string, option = '--bucket'): string {
  const allowed =
    '3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  const problem = bucketNameProblem(value);
  if (problem !== undefined) throw badValue(option, value, allowed, characterProblem(value) ?? problem);
  return value;
}

/** What is wrong with a bucket name, or undefined when S3 would accept it. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `the name has ${name.length} characters`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'only a-z, 0-9, "." and "-" are allowed';
  if (name.includes('..')) return 'two adjacent dots are not allowed';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a name formatted like an IP address is not allowed';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return 'the prefix is reserved by S3';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return 'the suffix is reserved by S3';
  return undefined;
}

/** SQS: up to 80 characters of letters, digits, hyphens and underscores, a FIFO queue's ".fifo" included. */
export const QUEUE_NAME = /^(?=.{1,80}$)[\w-]+(\.fifo)?$/;

export function parseQueueName(value: string, option = '--queue-name'): string {
  if (!QUEUE_NAME.test(value)) {
    throw badValue(option, value, '1-80 letters, digits, hyphens or underscores (a ".fifo" suffix included)');
  }
  return value;
}

/** A required string option; parseArgs leaves a missing one undefined. */
export function requireOption(values: Record<string, unknown>, name: string, allowed: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw badInput(`missing --${name}: expected ${allowed}`);
  return value;
}

export function optionalString(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
