/**
 * The lock-out rule's model of a resource policy, read the way IAM reads it: statements normalised (single values
 * become lists, keys of conditions lower-cased), and the three element matchers a statement needs: principal,
 * action and resource. Nothing here decides what a policy means for a run; lockout.ts does. A document IAM would
 * refuse to store (not JSON, no Statement, an unknown Effect) throws PolicyError, so it is reported, never read as
 * harmless. The structure checks of a policy file the user hands in are policy-document.ts's.
 */
import { describePosition, parseJsonText } from '../engine/json-text';
import { wildcardMatches } from '../lib/wildcard';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** One condition test: `"StringNotLike": {"aws:PrincipalArn": ["…"]}` is operator StringNotLike, key aws:principalarn. */
export interface ConditionClause {
  /** As written, e.g. `ForAnyValue:StringNotEqualsIfExists`. */
  readonly operator: string;
  /** Lower-cased: condition keys are case-insensitive. */
  readonly key: string;
  /** The key as the policy writes it, for messages. */
  readonly keyAsWritten: string;
  readonly values: readonly string[];
}

/** A principal element: `"*"` or a map of principal types (AWS, Service, Federated, CanonicalUser) to values. */
export type PrincipalElement = '*' | Readonly<Record<string, readonly string[]>>;

export interface PolicyStatement {
  /** 0-based position in the document. */
  readonly index: number;
  /** The Sid, or `#<position from 1>` when it has none. */
  readonly label: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principal?: PrincipalElement;
  readonly notPrincipal?: PrincipalElement;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly ConditionClause[];
}

const asList = (value: unknown, element: string, label: string): string[] | undefined => {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
    throw new PolicyError(`statement ${label}: ${element} must be a string or a list of strings`);
  }
  return list.map(String);
};

function principalElement(value: unknown, element: string, label: string): PrincipalElement | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return '*';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PolicyError(`statement ${label}: ${element} must be "*" or an object such as {"AWS": […]}`);
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([type, v]) => [type, asList(v, element, label) ?? []]),
  );
}

function conditionClauses(value: unknown, label: string): ConditionClause[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PolicyError(`statement ${label}: Condition must be an object of operators`);
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([operator, block]) => {
    if (block === null || typeof block !== 'object' || Array.isArray(block)) {
      throw new PolicyError(`statement ${label}: Condition operator ${operator} must map keys to values`);
    }
    return Object.entries(block as Record<string, unknown>).map(([key, values]) => ({
      operator,
      key: key.toLowerCase(),
      keyAsWritten: key,
      values: asList(values, `${operator} ${key}`, label) ?? [],
    }));
  });
}

/**
 * Parses a policy document (its text or its value) into statements; throws PolicyError when IAM would not. Text is
 * read by the engine's strict JSON reader (duplicate keys are refused, as a policy engine may read them otherwise),
 * and its errors say where, never what: a policy is never quoted.
 */
export function parsePolicy(policy: string | object): PolicyStatement[] {
  let document: unknown = policy;
  if (typeof policy === 'string') {
    const parsed = parseJsonText(policy);
    if (!parsed.ok)
      throw new PolicyError(`the policy is not JSON (${parsed.problem} at ${describePosition(parsed.at)})`);
    document = parsed.value;
  }
  const raw = (document as { Statement?: unknown } | null)?.Statement;
  if (document === null || typeof document !== 'object' || Array.isArray(document) || raw === undefined) {
    throw new PolicyError('the policy has no Statement');
  }
  const statements = Array.isArray(raw) ? raw : [raw];
  return statements.map((s: unknown, index): PolicyStatement => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      throw new PolicyError(`statement #${index + 1} is not an object`);
    }
    const st = s as Record<string, unknown>;
    const label = typeof st.Sid === 'string' && st.Sid !== '' ? st.Sid : `#${index + 1}`;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') {
      throw new PolicyError(`statement ${label}: Effect must be Allow or Deny, got ${JSON.stringify(st.Effect)}`);
    }
    return {
      index,
      label,
      effect: st.Effect,
      principal: principalElement(st.Principal, 'Principal', label),
      notPrincipal: principalElement(st.NotPrincipal, 'NotPrincipal', label),
      action: asList(st.Action, 'Action', label),
      notAction: asList(st.NotAction, 'NotAction', label),
      resource: asList(st.Resource, 'Resource', label),
      notResource: asList(st.NotResource, 'NotResource', label),
      conditions: conditionClauses(st.Condition, label),
    };
  });
}

/**
 * ArnLike / ArnEquals and the Resource element: the six colon-separated parts are matched one by one (the
 * last part keeps its colons), each with wildcards, case-sensitively. A pattern that is `*` matches anything.
 */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const split = (text: string): string[] | undefined => {
    const parts = text.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const a = split(arn);
  if (p === undefined || a === undefined) return false;
  return p.every((part, i) => wildcardMatches(part, a[i]));
}

/** Who makes a request, as the principal elements and the aws:Principal* keys see it. */
export interface RequestPrincipal {
  /** aws:PrincipalArn: the role ARN for a role session, the user ARN, or `arn:<p>:iam::<account>:root`. */
  readonly arn: string;
  readonly account: string;
  /** The assumed-role session ARN, for role sessions. */
  readonly sessionArn?: string;
}

const accountOf = (value: string): string | undefined =>
  /^\d{12}$/.test(value) ? value : /^arn:[\w-]+:iam::(\d{12}):root$/.exec(value)?.[1];

/** Whether one AWS principal value names the principal (an account value names every principal in it). */
function names(value: string, principal: RequestPrincipal): boolean {
  if (value === '*') return true;
  const account = accountOf(value);
  if (account !== undefined) return account === principal.account;
  return value === principal.arn || value === principal.sessionArn;
}

/** Whether a Principal element applies to the principal. Service, Federated and CanonicalUser never name an IAM principal. */
export function principalMatches(element: PrincipalElement, principal: RequestPrincipal): boolean {
  if (element === '*') return true;
  return (element.AWS ?? []).some((value) => names(value, principal));
}

/**
 * Whether NotPrincipal exempts the principal. IAM checks the account first and then the identity within it, so a
 * principal is exempt only when its account is listed too (a role ARN listed alone does not exempt the role's
 * sessions); an account listed alone exempts only the account's root principal.
 */
export function notPrincipalExempts(element: PrincipalElement, principal: RequestPrincipal): boolean {
  if (element === '*') return true;
  const values = element.AWS ?? [];
  if (values.includes('*')) return true;
  const accountListed = values.some((v) => accountOf(v) === principal.account);
  if (!accountListed) return false;
  if (principal.arn === `arn:${principal.arn.split(':')[1]}:iam::${principal.account}:root`) return true;
  return values.some((v) => accountOf(v) === undefined && names(v, principal));
}

/** Whether the statement's Action / NotAction covers `action` (case-insensitive, with wildcards). */
export function actionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.notAction !== undefined)
    return !statement.notAction.some((p) => wildcardMatches(p, action, { ignoreCase: true }));
  return (statement.action ?? []).some((p) => wildcardMatches(p, action, { ignoreCase: true }));
}

/** Whether the statement's Resource / NotResource covers `arn`; an unknown ARN is taken as covered. */
export function resourceMatches(statement: PolicyStatement, arn: string | undefined): boolean {
  if (arn === undefined) return true;
  if (statement.notResource !== undefined) return !statement.notResource.some((p) => arnMatch(p, arn));
  return statement.resource === undefined || statement.resource.some((p) => arnMatch(p, arn));
}
