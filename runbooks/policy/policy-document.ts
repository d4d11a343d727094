/**
 * Resource policies handed in by the user (--policy-file) or by a backup (restore), checked before any session:
 * the file is read by the engine's input-file rules (regular, bounded, strict UTF-8), parsed strictly, and its
 * structure checked as S3 and SQS would: Version; Statement as one object or a non-empty list of objects, each
 * with Effect Allow|Deny, exactly one of Action/NotAction and of Principal/NotPrincipal; and every resource ARN
 * naming the target bucket or queue, so a policy meant for another resource is never put on this one. Messages say
 * which statement breaks which rule and never quote the document. A --policy-file that the lock-out rule
 * (lockout.ts) says still locks everyone out is refused unless --force.
 */
import { readInputFile } from '../engine/input-file';
import { describePosition, parseJsonText } from '../engine/json-text';
import { badInput } from '../engine/errors';
import { badValue, optionalString } from '../engine/validate';
import { knownOperator } from './policy-conditions';
import { lockingStatements, type LockoutTarget } from './lockout';
import { parsePolicy } from './policy-model';
import { wildcardMatches } from '../lib/wildcard';

/** Bucket policies are limited to 20 KB by S3; queue policies share the 256 KiB attribute limit of SQS. */
export const POLICY_LIMITS = { s3: 20 * 1024, sqs: 256 * 1024 } as const;

/** What a policy must be about: the bucket (in the run's partition) of an account, or the queue's ARN. */
export type PolicyTarget =
  | { readonly service: 's3'; readonly account: string; readonly bucket: string; readonly partition: string }
  | { readonly service: 'sqs'; readonly queueArn: string };

/** Where the text came from, for messages: the option and its value (a path). */
export interface PolicySource {
  readonly option: string;
  readonly value: string;
  /**
   * 'matching': a Resource may also be an ARN pattern that matches the target (a policy read back from AWS, as a
   * backup holds it, may use wildcards); by default every ARN must be the target's own.
   */
  readonly wildcards?: 'matching';
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const TOP_LEVEL = ['Version', 'Id', 'Statement'];
const STATEMENT_KEYS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];
const PRINCIPAL_KINDS = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
/** `*`, or `service:Action` where the action may hold `*` and `?` wildcards. */
const ACTION = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

const ALLOWED = 'a JSON policy document';

/**
 * --policy-file (and --force) as s3-unlock and sqs-unlock take them: the replacement's path and exact text, or
 * undefined when no file is given. `target` is asked only when there is a file to check against it.
 */
export function replacementPolicy(
  values: Record<string, unknown>,
  target: () => PolicyTarget,
): { readonly file: string; readonly text: string } | undefined {
  const file = optionalString(values, 'policy-file');
  const force = values.force === true;
  if (file === undefined) {
    if (force) throw badInput('--force applies to --policy-file only', 'without --policy-file nothing is put');
    return undefined;
  }
  return { file, text: readPolicyFile(file, target(), { force }) };
}

/**
 * Reads --policy-file: exact text, checked for `target`, with condition operators IAM knows; refused if it still
 * locks everyone out, unless `force`.
 */
export function readPolicyFile(
  path: string,
  target: PolicyTarget,
  options: { force: boolean; option?: string },
): string {
  const option = options.option ?? '--policy-file';
  const text = readInputFile(path, { option, what: ALLOWED, limit: POLICY_LIMITS[target.service] });
  const document = checkPolicyDocument(text, target, { option, value: path });
  // The one thing the structure check leaves to the rule: a condition operator it would have to guess at.
  const guessed = parsePolicy(document).find((s) => s.conditions.some((c) => !knownOperator(c.operator)));
  if (guessed !== undefined) {
    throw badValue(option, path, ALLOWED, `statement ${guessed.index + 1} has a condition operator IAM does not know`);
  }
  if (options.force) return text;
  const locking = lockingStatements(document, lockoutTarget(target));
  if (locking.length > 0) {
    const which = locking.map((s) => `statement ${s.position} denies ${s.actions.join(', ')}`).join('; ');
    throw badValue(
      option,
      path,
      'a policy that does not lock everyone out',
      `it still locks everyone out (${which}; afterwards only the root user, or what the policy exempts, could ` +
        'change it); fix it, or pass --force to put it anyway',
    );
  }
  return text;
}

/** The lock-out rule's view of a target: whose administrators must keep a way in, to which resource. */
function lockoutTarget(target: PolicyTarget): LockoutTarget {
  if (target.service === 's3') {
    return { service: 's3', account: target.account, resourceArn: `arn:${target.partition}:s3:::${target.bucket}` };
  }
  const [, , , region, account] = target.queueArn.split(':');
  return { service: 'sqs', account, region, resourceArn: target.queueArn };
}

/**
 * Throws BadInput naming `source` unless `text` is a resource policy for `target`; returns the parsed document.
 */
export function checkPolicyDocument(text: string, target: PolicyTarget, source: PolicySource): Record<string, unknown> {
  const refuse = (problem: string) => badValue(source.option, source.value, ALLOWED, problem);
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw refuse(`it is not valid JSON: ${parsed.problem} at ${describePosition(parsed.at)}`);
  const document = parsed.value;
  if (!isObject(document)) throw refuse('the document must be a JSON object');
  if (Object.keys(document).some((key) => !TOP_LEVEL.includes(key))) {
    throw refuse(`it has a top-level element other than ${TOP_LEVEL.join(', ')}`);
  }
  if (!VERSIONS.includes(document.Version as string)) {
    throw refuse(`its "Version" must be "${VERSIONS[0]}" (or the older "${VERSIONS[1]}")`);
  }
  if (document.Id !== undefined && typeof document.Id !== 'string') throw refuse('its "Id" must be a string');
  const raw = document.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (statements.length === 0) throw refuse('it needs a non-empty "Statement"');
  statements.forEach((statement, index) => {
    const problem = statementProblem(statement, target, source.wildcards === 'matching');
    if (problem !== undefined) throw refuse(`statement ${index + 1} ${problem}`);
  });
  return document;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a non-empty list of strings, as IAM writes Action, Resource and principal values. */
function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

function statementProblem(statement: unknown, target: PolicyTarget, wildcards: boolean): string | undefined {
  if (!isObject(statement)) return 'is not a JSON object';
  if (Object.keys(statement).some((key) => !STATEMENT_KEYS.includes(key))) {
    return `has an element other than ${STATEMENT_KEYS.join(', ')}`;
  }
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') return 'has a "Sid" that is not a string';
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return 'needs "Effect": "Allow" or "Deny"';
  const action = exactlyOne(statement, 'Action', 'NotAction');
  if (action === undefined) return 'needs exactly one of "Action" and "NotAction"';
  const actions = strings(statement[action]);
  if (actions === undefined || !actions.every((a) => ACTION.test(a))) {
    return `has an "${action}" that is not a list of actions such as "${target.service}:GetQueueAttributes" or "*"`;
  }
  const principal = exactlyOne(statement, 'Principal', 'NotPrincipal');
  if (principal === undefined) return 'needs exactly one of "Principal" and "NotPrincipal"';
  if (!validPrincipal(statement[principal])) {
    return `has a "${principal}" that is neither "*" nor an object of ${PRINCIPAL_KINDS.join(', ')} lists`;
  }
  if (statement.Condition !== undefined && !validCondition(statement.Condition)) {
    return 'has a "Condition" that is not an object of condition operators, each mapping keys to values';
  }
  return resourceProblem(statement, target, wildcards);
}

function exactlyOne(statement: Record<string, unknown>, a: string, b: string): string | undefined {
  const hasA = statement[a] !== undefined;
  const hasB = statement[b] !== undefined;
  if (hasA === hasB) return undefined;
  return hasA ? a : b;
}

function validPrincipal(value: unknown): boolean {
  if (value === '*') return true;
  if (!isObject(value) || Object.keys(value).length === 0) return false;
  return Object.entries(value).every(([kind, ids]) => PRINCIPAL_KINDS.includes(kind) && strings(ids) !== undefined);
}

/** `{"<operator>": {"<key>": value or [values]}}`, a value being a string, a number or a boolean. */
function validCondition(value: unknown): boolean {
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return (
    isObject(value) &&
    Object.values(value).every(
      (block) =>
        isObject(block) && Object.values(block).every((v) => scalar(v) || (Array.isArray(v) && v.every(scalar))),
    )
  );
}

function resourceProblem(
  statement: Record<string, unknown>,
  target: PolicyTarget,
  wildcards: boolean,
): string | undefined {
  const hasResource = statement.Resource !== undefined;
  const hasNotResource = statement.NotResource !== undefined;
  if (hasResource && hasNotResource) return 'has both "Resource" and "NotResource"';
  const allowed =
    target.service === 's3'
      ? `arn:${target.partition}:s3:::${target.bucket} and arn:${target.partition}:s3:::${target.bucket}/…`
      : target.queueArn;
  if (!hasResource && !hasNotResource) {
    // S3 requires a resource in every statement; an SQS statement without one applies to its own queue.
    return target.service === 's3' ? `needs a "Resource" (${allowed})` : undefined;
  }
  const key = hasResource ? 'Resource' : 'NotResource';
  const arns = strings(statement[key]);
  if (arns === undefined) return `has a "${key}" that is not a string or a list of strings`;
  const own =
    target.service === 's3'
      ? [`arn:${target.partition}:s3:::${target.bucket}`, `arn:${target.partition}:s3:::${target.bucket}/object`]
      : [target.queueArn];
  const names = (arn: string) =>
    (target.service === 's3' ? arn === own[0] || arn.startsWith(`${own[0]}/`) : arn === target.queueArn) ||
    (wildcards && own.some((ownArn) => wildcardMatches(arn, ownArn)));
  if (!arns.every(names))
    return `names a resource other than the ${target.service === 's3' ? 'bucket' : 'queue'} (allowed: ${allowed})`;
  return undefined;
}
