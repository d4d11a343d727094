/**
 * IAM condition operators, evaluated on one request context: the String, Numeric, Date, Bool, Binary, IP address
 * and ARN families, their negations, `…IfExists`, `Null`, the ForAnyValue/ForAllValues set operators and policy
 * variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}`). Missing keys follow IAM's rule:
 * a positive test is false, a negated one true, `…IfExists` true. An operator IAM does not know throws PolicyError.
 */
import { arnMatch, PolicyError, type ConditionClause } from './policy-model';
import { LITERAL, wildcardMatches } from '../lib/wildcard';

/** A request context: lower-cased key → its values (one for single-valued keys); absent keys are not set. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

export type OperatorFamily = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

interface Operator {
  readonly family: OperatorFamily;
  readonly negated: boolean;
  /** Whether `*` and `?` in the policy value are wildcards. */
  readonly wildcards?: boolean;
  /** Whether one context value matches one policy value (before negation). */
  readonly test: (contextValue: string, policyValue: string) => boolean;
}

const number = (text: string): number | undefined => {
  const n = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(n) ? n : undefined;
};

/** Dates are ISO 8601 or epoch seconds, as IAM accepts them. */
const epochMs = (text: string): number | undefined => {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
  if (seconds !== undefined) return seconds * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
};

const compare =
  (parse: (text: string) => number | undefined, ok: (a: number, b: number) => boolean) =>
  (contextValue: string, policyValue: string): boolean => {
    const a = parse(contextValue);
    const b = parse(policyValue);
    return a !== undefined && b !== undefined && ok(a, b);
  };

const ORDERINGS: readonly [string, (a: number, b: number) => boolean][] = [
  ['Equals', (a, b) => a === b],
  ['LessThan', (a, b) => a < b],
  ['LessThanEquals', (a, b) => a <= b],
  ['GreaterThan', (a, b) => a > b],
  ['GreaterThanEquals', (a, b) => a >= b],
];

const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  ['stringequals', { family: 'string', negated: false, test: (a, b) => a === b }],
  ['stringnotequals', { family: 'string', negated: true, test: (a, b) => a === b }],
  ['stringequalsignorecase', { family: 'string', negated: false, test: (a, b) => a.toLowerCase() === b.toLowerCase() }],
  [
    'stringnotequalsignorecase',
    { family: 'string', negated: true, test: (a, b) => a.toLowerCase() === b.toLowerCase() },
  ],
  ['stringlike', { family: 'string', negated: false, wildcards: true, test: (a, b) => wildcardMatches(b, a) }],
  ['stringnotlike', { family: 'string', negated: true, wildcards: true, test: (a, b) => wildcardMatches(b, a) }],
  ...ORDERINGS.flatMap(([name, ok]): [string, Operator][] => [
    [`numeric${name.toLowerCase()}`, { family: 'numeric', negated: false, test: compare(number, ok) }],
    [`date${name.toLowerCase()}`, { family: 'date', negated: false, test: compare(epochMs, ok) }],
  ]),
  ['numericnotequals', { family: 'numeric', negated: true, test: compare(number, (a, b) => a === b) }],
  ['datenotequals', { family: 'date', negated: true, test: compare(epochMs, (a, b) => a === b) }],
  ['bool', { family: 'bool', negated: false, test: (a, b) => a.toLowerCase() === b.toLowerCase() }],
  ['binaryequals', { family: 'binary', negated: false, test: (a, b) => a === b }],
  ['ipaddress', { family: 'ip', negated: false, test: (a, b) => inCidr(a, b) }],
  ['notipaddress', { family: 'ip', negated: true, test: (a, b) => inCidr(a, b) }],
  ['arnequals', { family: 'arn', negated: false, wildcards: true, test: (a, b) => arnMatch(b, a) }],
  ['arnlike', { family: 'arn', negated: false, wildcards: true, test: (a, b) => arnMatch(b, a) }],
  ['arnnotequals', { family: 'arn', negated: true, wildcards: true, test: (a, b) => arnMatch(b, a) }],
  ['arnnotlike', { family: 'arn', negated: true, wildcards: true, test: (a, b) => arnMatch(b, a) }],
]);

export interface ParsedOperator {
  readonly family: OperatorFamily;
  readonly negated: boolean;
  readonly wildcards?: boolean;
  readonly ifExists: boolean;
  readonly set: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly test: Operator['test'];
}

const PARSED = new Map<string, ParsedOperator>();

/** Splits `ForAllValues:StringNotLikeIfExists` into its parts; throws PolicyError for an operator IAM does not know. */
export function parseOperator(written: string): ParsedOperator {
  let parsed = PARSED.get(written);
  if (parsed === undefined) {
    parsed = parse(written);
    if (PARSED.size < 1000) PARSED.set(written, parsed);
  }
  return parsed;
}

/** Whether IAM has the operator (`StringNotLikeIfExists`, `ForAnyValue:ArnLike`, …). */
export function knownOperator(written: string): boolean {
  try {
    parseOperator(written);
    return true;
  } catch (err) {
    if (err instanceof PolicyError) return false;
    throw err;
  }
}

function parse(written: string): ParsedOperator {
  const prefix = /^(ForAnyValue|ForAllValues):/i.exec(written);
  const set = prefix === null ? undefined : prefix[1].toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
  let name = (prefix === null ? written : written.slice(prefix[0].length)).toLowerCase();
  if (name === 'null') return { family: 'null', negated: false, ifExists: false, set, test: () => false };
  const ifExists = name.endsWith('ifexists');
  if (ifExists) name = name.slice(0, -'ifexists'.length);
  const operator = OPERATORS.get(name);
  if (operator === undefined) throw new PolicyError(`unknown condition operator ${JSON.stringify(written)}`);
  return { ...operator, ifExists, set };
}

/**
 * Replaces `${key}` (and `${key, 'default'}`) from the context, and `${*}`, `${?}`, `${$}` with literal
 * characters (marked LITERAL for the wildcard matcher); undefined when a key is missing and has no default.
 */
export function substitute(value: string, context: RequestContext): string | undefined {
  if (!value.includes('${')) return value;
  let missing = false;
  const text = value.replace(/\$\{([^}]*)\}/g, (_all, inner: string) => {
    if (inner === '*' || inner === '?' || inner === '$') return `${LITERAL}${inner}`;
    const [, key, fallback] = /^\s*([^,\s]+)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner) ?? [];
    const found = key === undefined ? undefined : context.get(key.toLowerCase());
    if (found !== undefined && found.length === 1) return found[0];
    if (fallback !== undefined) return fallback;
    missing = true;
    return '';
  });
  return missing ? undefined : text;
}

/** Whether one clause holds for the context. */
export function clauseHolds(clause: ConditionClause, context: RequestContext): boolean {
  const op = parseOperator(clause.operator);
  const present = context.get(clause.key);
  if (op.family === 'null') {
    const absent = present === undefined || present.length === 0;
    return clause.values.some((v) => (v.toLowerCase() === 'true' ? absent : v.toLowerCase() === 'false' && !absent));
  }
  // A policy variable whose key is missing matches nothing; `${*}` and friends are literal characters.
  const policyValues = clause.values
    .map((v) => substitute(v, context))
    .filter((v): v is string => v !== undefined)
    .map((v) => (op.wildcards ? v : v.split(LITERAL).join('')));
  const matchesAny = (contextValue: string) => policyValues.some((p) => op.test(contextValue, p));
  const holdsFor = (contextValue: string) => (op.negated ? !matchesAny(contextValue) : matchesAny(contextValue));

  if (present === undefined || present.length === 0) {
    if (op.set === 'ForAllValues') return true;
    if (op.ifExists) return true;
    if (op.set === 'ForAnyValue') return false;
    return op.negated;
  }
  if (op.set === 'ForAllValues') return present.every(holdsFor);
  if (op.set === 'ForAnyValue') return present.some(holdsFor);
  // A single-valued test of a multi-valued key: positive if any value matches, negated if none does.
  return op.negated ? present.every(holdsFor) : present.some(holdsFor);
}

/** Whether every clause holds (the Condition block is an AND of its clauses). */
export function conditionsHold(clauses: readonly ConditionClause[], context: RequestContext): boolean {
  return clauses.every((clause) => clauseHolds(clause, context));
}

/** IPv4 or IPv6 address inside a CIDR block (a bare address is a /32 or /128). */
export function inCidr(address: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const a = ipBits(address);
  const b = ipBits(base);
  if (a === undefined || b === undefined || a.width !== b.width) return false;
  const bits = bitsText === undefined ? a.width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > a.width) return false;
  const shift = BigInt(a.width - bits);
  return a.value >> shift === b.value >> shift;
}

/** An address as a big integer and its width, or undefined when it is not one. */
export function ipBits(text: string): { value: bigint; width: 32 | 128 } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4 !== null) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return { value: octets.reduce((n, o) => (n << 8n) | BigInt(o), 0n), width: 32 };
  }
  if (!/^[0-9a-f:]+$/i.test(text) || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return { value: all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 };
}
