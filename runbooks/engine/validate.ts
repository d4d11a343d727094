/**
 * Parameter validation. Every check runs before the first AWS call, and every failure names the bad
 * value and what is allowed, so a typo in the middle of an incident costs one re-run and nothing else.
 */
import { readFileSync, statSync } from 'node:fs';
import { badInput, RunbookError } from './errors';

/** The error for a value that breaks a rule: `invalid --bucket "X": expected …`. */
export function badValue(option: string, value: string, allowed: string, hint?: string): RunbookError {
  return badInput(`invalid ${option} ${JSON.stringify(value)}: expected ${allowed}`, hint);
}

export function parseAccountId(value: string, option = '--account'): string {
  if (!/^\d{12}$/.test(value)) throw badValue(option, value, 'an AWS account id of exactly 12 digits');
  return value;
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
  const allowed = `a whole number of seconds from ${limit.min} to ${limit.max}`;
  if (!/^\d+$/.test(value)) throw badValue(option, value, allowed);
  const seconds = Number(value);
  if (seconds < limit.min || seconds > limit.max) throw badValue(option, value, allowed, limit.why);
  return seconds;
}

/** S3 general purpose bucket naming rules (the ones a typo can break). */
export function parseBucketName(value: string, option = '--bucket'): string {
  const allowed =
    '3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  const problem = bucketNameProblem(value);
  if (problem !== undefined) throw badValue(option, value, allowed, problem);
  return value;
}

function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `the name has ${name.length} characters`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'only a-z, 0-9, "." and "-" are allowed';
  if (name.includes('..')) return 'two adjacent dots are not allowed';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a name formatted like an IP address is not allowed';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return 'the prefix is reserved by S3';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return 'the suffix is reserved by S3';
  return undefined;
}

export function parseQueueName(value: string, option = '--queue-name'): string {
  if (!/^[\w-]{1,80}(\.fifo)?$/.test(value) || value.length > 80) {
    throw badValue(option, value, '1-80 letters, digits, hyphens or underscores (".fifo" suffix allowed)');
  }
  return value;
}

export interface QueueRef {
  readonly url: string;
  readonly account: string;
  /** Undefined for endpoint-style URLs (a local endpoint or the legacy queue.amazonaws.com host). */
  readonly region?: string;
  readonly name: string;
}

/**
 * Queue URLs are `https://sqs.<region>.amazonaws.com/<account>/<name>`; a custom endpoint (sandbox, VPC
 * endpoint) keeps the `/<account>/<name>` path, and its region, when it has one, comes from the host.
 */
export function parseQueueUrl(value: string, option = '--queue-url'): QueueRef {
  const allowed = 'a queue URL such as https://sqs.us-east-1.amazonaws.com/111122223333/my-queue';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badValue(option, value, allowed);
  }
  const path = /^\/(\d{12})\/([\w-]{1,80}(?:\.fifo)?)$/.exec(url.pathname);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || path === null || url.search !== '') {
    throw badValue(option, value, allowed);
  }
  const region = /^(?:sqs\.)?([a-z]{2}(?:-[a-z]+)+-\d)\.(?:queue\.)?amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1];
  return { url: value, account: path[1], name: path[2], region };
}

/** Bucket policies are limited to 20 KB by S3; queue policies share the 256 KiB attribute limit of SQS. */
export const POLICY_LIMITS = { s3: 20 * 1024, sqs: 256 * 1024 } as const;

/**
 * Reads and checks a policy file: it must exist, fit the service's limit, be JSON, and hold a Statement.
 * Returns the exact text, because the text (not a re-serialisation) is what gets put.
 */
export function readPolicyFile(path: string, service: keyof typeof POLICY_LIMITS, option = '--policy-file'): string {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    throw badValue(option, path, 'a readable file holding a JSON policy document');
  }
  const limit = POLICY_LIMITS[service];
  if (size > limit) {
    throw badValue(option, path, `a policy of at most ${limit} bytes`, `the file has ${size} bytes`);
  }
  const text = readFileSync(path, 'utf8');
  checkPolicyText(text, option, path);
  return text;
}

export function checkPolicyText(text: string, option: string, value: string): void {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw badValue(option, value, 'a JSON policy document', `it is not valid JSON: ${(err as Error).message}`);
  }
  const statement = (document as { Statement?: unknown } | null)?.Statement;
  const ok =
    typeof document === 'object' &&
    !Array.isArray(document) &&
    statement !== undefined &&
    (Array.isArray(statement) ? statement.length > 0 : typeof statement === 'object' && statement !== null);
  if (!ok) throw badValue(option, value, 'a JSON policy document with a non-empty "Statement"');
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
