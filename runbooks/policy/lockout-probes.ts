/**
 * The requests the lock-out analysis tries against a policy. A probe is a principal with the keys its requests
 * always carry; the choosable keys are the ones an administrator can vary (TLS, MFA, tags, the network path…),
 * each with a handful of candidate values that cover every way the policy's conditions can come out: absent, a
 * fresh value, and each value the policy names (a wildcard pattern by an instance of it). A value named on a key
 * that says who or where (a VPC endpoint, an IP range, a user name) is a named way in, like a named principal.
 */
import { ipBits, inCidr, parseOperator, type OperatorFamily, type RequestContext } from './policy-conditions';
import type { ConditionClause, PolicyStatement, RequestPrincipal } from './policy-model';
import { LITERAL, wildcardMatches } from '../lib/wildcard';

export interface LockoutTarget {
  readonly service: 's3' | 'sqs';
  /** The account that owns the resource: its administrators are the ones that must keep a way in. */
  readonly account: string;
  /** The bucket or queue ARN; undefined: every Resource element is taken to cover it. */
  readonly resourceArn?: string;
  /** The owning account's organization: decides aws:PrincipalOrgID; undefined: any organization the policy names. */
  readonly organizationId?: string;
  /** The resource's region (aws:RequestedRegion); undefined: any. */
  readonly region?: string;
  /** aws:CurrentTime; default now. */
  readonly now?: Date;
}

export interface Probe {
  readonly principal: RequestPrincipal;
  /** Keys every request of this principal carries, fixed. */
  readonly fixed: ReadonlyMap<string, readonly string[]>;
  /** Set when the policy names this principal: how it is shown. Unset: any administrator of the account. */
  readonly named?: string;
}

export interface Candidate {
  /** undefined: the key is absent. */
  readonly values: readonly string[] | undefined;
  /** Set when the value is one the policy names on a key that says who or where. */
  readonly named?: string;
}

export interface ChoosableKey {
  readonly key: string;
  readonly candidates: readonly Candidate[];
}

/** A name no policy is expected to use: what an administrator's own principal, endpoint or value is called. */
const FRESH = 'lockout-probe-3f9c';
const FRESH_ACCOUNT = '000000000000';

/** Keys that only a service acting on someone's behalf sets (or only a root session): an administrator lacks them. */
const ABSENT_KEYS = new Set([
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:principalservicename',
  'aws:principalservicenameslist',
  'aws:calledvia',
  'aws:calledviafirst',
  'aws:calledvialast',
  'aws:assumedroot',
]);

/** Keys that say who or from where: a value the policy names on them is a named way in. */
const NAMING_KEYS = new Set([
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourcevpcarn',
  'aws:vpcsourceip',
  'aws:sourceip',
  'aws:userid',
  'aws:username',
]);

/** Keys every request carries, though their value is the administrator's to choose or unknown here. */
const ALWAYS_PRESENT = new Set([
  'aws:securetransport',
  'aws:principalorgid',
  'aws:requestedregion',
  'aws:resourceorgid',
]);

const partitionOf = (target: LockoutTarget): string => /^arn:([\w-]+):/.exec(target.resourceArn ?? '')?.[1] ?? 'aws';

/** A pattern with wildcards turned into one value it matches. */
const instance = (pattern: string): string =>
  pattern.replace(new RegExp(`${LITERAL}(.)`, 'g'), '$1').replace(/[*?]/g, 'x');

/** The principal an ARN (or ARN pattern) stands for, with the account a pattern most likely means. */
export function principalFromArn(value: string, target: LockoutTarget): RequestPrincipal {
  const parts = value.split(':');
  const partition = parts[1] && !/[*?]/.test(parts[1]) ? parts[1] : partitionOf(target);
  const account = /^\d{12}$/.test(parts[4] ?? '')
    ? parts[4]
    : wildcardMatches(parts[4] ?? '', target.account)
      ? target.account
      : FRESH_ACCOUNT;
  const resource = instance(parts.slice(5).join(':'));
  const iam = (path: string) => `arn:${partition}:iam::${account}:${path}`;
  if (parts[2] === 'sts' && resource.startsWith('assumed-role/')) {
    const [, role] = resource.split('/');
    return { arn: iam(`role/${role}`), account, sessionArn: `arn:${partition}:sts::${account}:${resource}` };
  }
  if (resource.startsWith('role/')) {
    const name = resource.split('/').pop() ?? FRESH;
    return {
      arn: iam(resource),
      account,
      sessionArn: `arn:${partition}:sts::${account}:assumed-role/${name}/${FRESH}`,
    };
  }
  if (parts[2] === 'iam' && (resource.startsWith('user/') || resource === 'root'))
    return { arn: iam(resource), account };
  return { arn: instance(value), account };
}

function probe(principal: RequestPrincipal, type: string, target: LockoutTarget, named?: string, org?: string): Probe {
  const now = target.now ?? new Date();
  const organization = org ?? target.organizationId;
  const fixed = new Map<string, readonly string[]>([
    ['aws:principalarn', [principal.arn]],
    ['aws:principalaccount', [principal.account]],
    ['aws:principaltype', [type]],
    ['aws:principalisawsservice', ['false']],
    ['aws:viaawsservice', ['false']],
    ['aws:resourceaccount', [target.account]],
    ['aws:currenttime', [now.toISOString()]],
    ['aws:epochtime', [String(Math.floor(now.getTime() / 1000))]],
  ]);
  if (organization !== undefined) fixed.set('aws:principalorgid', [organization]);
  if (target.organizationId !== undefined) fixed.set('aws:resourceorgid', [target.organizationId]);
  if (target.region !== undefined) fixed.set('aws:requestedregion', [target.region]);
  return { principal, fixed, named };
}

const typeOf = (p: RequestPrincipal): string =>
  p.sessionArn !== undefined ? 'AssumedRole' : p.arn.endsWith(':root') ? 'Account' : 'User';

/** Any administrator of the owning account: a role session and an IAM user, with names the policy cannot know. */
export function genericProbes(target: LockoutTarget): Probe[] {
  const iam = (path: string) => `arn:${partitionOf(target)}:iam::${target.account}:${path}`;
  const role = {
    arn: iam(`role/${FRESH}`),
    account: target.account,
    sessionArn: `arn:${partitionOf(target)}:sts::${target.account}:assumed-role/${FRESH}/${FRESH}`,
  };
  return [
    probe(role, 'AssumedRole', target),
    probe({ arn: iam(`user/${FRESH}`), account: target.account }, 'User', target),
  ];
}

const hasVariable = (value: string): boolean => value.includes('${');

/** The principals the statements name: aws:PrincipalArn values, NotPrincipal entries, other accounts and organizations. */
export function namedProbes(statements: readonly PolicyStatement[], target: LockoutTarget): Probe[] {
  const probes = new Map<string, Probe>();
  const add = (label: string, principal: RequestPrincipal, org?: string) => {
    if (!probes.has(label)) probes.set(label, probe(principal, typeOf(principal), target, label, org));
  };
  for (const s of statements) {
    for (const value of s.notPrincipal === undefined || s.notPrincipal === '*' ? [] : (s.notPrincipal.AWS ?? [])) {
      const account = /^\d{12}$/.test(value) ? value : undefined;
      add(
        value,
        account
          ? principalFromArn(`arn:${partitionOf(target)}:iam::${account}:root`, target)
          : principalFromArn(value, target),
      );
    }
    for (const clause of s.conditions) {
      for (const value of clause.values.filter((v) => !hasVariable(v))) {
        if (clause.key === 'aws:principalarn') add(value, principalFromArn(value, target));
        if (clause.key === 'aws:principalaccount' && /^\d{12}$/.test(value) && value !== target.account) {
          add(
            `principals of account ${value}`,
            principalFromArn(`arn:${partitionOf(target)}:iam::${value}:role/${FRESH}`, target),
          );
        }
        if (
          clause.key === 'aws:principalorgid' &&
          target.organizationId !== undefined &&
          value !== target.organizationId
        ) {
          const principal = principalFromArn(`arn:${partitionOf(target)}:iam::${FRESH_ACCOUNT}:role/${FRESH}`, target);
          add(`principals of organization ${value}`, principal, instance(value));
        }
      }
    }
  }
  return [...probes.values()];
}

/** A public address that lies in none of the blocks the policy names (the administrator's own), if there is one. */
function freshAddress(blocks: readonly string[], width: 32 | 128): string | undefined {
  const pool =
    width === 32
      ? ['198.51.100.77', '203.0.113.77', '192.0.2.77', '8.8.4.4', '100.64.0.77']
      : ['2001:db8::77', 'fd00::77'];
  return pool.find((a) => !blocks.some((b) => inCidr(a, b)));
}

/** Values of one family that cover the ways `value` can compare (below, equal, above for orderings). */
function instancesOf(value: string, family: OperatorFamily, ignoreCase: boolean): string[] {
  switch (family) {
    case 'numeric': {
      const n = Number(value);
      return Number.isFinite(n) ? [n - 1, n, n + 1].map(String) : [];
    }
    case 'date': {
      const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
      return Number.isNaN(ms) ? [] : [ms - 1000, ms, ms + 1000].map((t) => new Date(t).toISOString());
    }
    case 'ip': {
      const base = value.split('/')[0];
      return ipBits(base) === undefined ? [] : [base];
    }
    case 'bool':
      return [];
    default: {
      const one = instance(value);
      return ignoreCase ? [...new Set([one, one.toLowerCase(), one.toUpperCase()])] : [one];
    }
  }
}

/** The candidates of one key from every clause that tests it. */
function candidatesFor(key: string, clauses: readonly ConditionClause[]): Candidate[] {
  const naming = NAMING_KEYS.has(key);
  const multi = clauses.some((c) => /^for(any|all)value:/i.test(c.operator));
  const found: Candidate[] = ALWAYS_PRESENT.has(key) ? [] : [{ values: multi ? [] : undefined }];
  const push = (value: string, named?: string) => found.push({ values: [value], named: naming ? named : undefined });
  const families = new Set(clauses.map((c) => parseOperator(c.operator).family));
  const blocks = clauses.filter((c) => parseOperator(c.operator).family === 'ip').flatMap((c) => c.values);
  for (const family of families) {
    if (family === 'bool') ['true', 'false'].forEach((v) => push(v));
    else if (family === 'ip') [freshAddress(blocks, 32), freshAddress(blocks, 128)].forEach((a) => a && push(a));
    else if (family === 'arn') push(`arn:aws:iam::${FRESH_ACCOUNT}:role/${FRESH}`);
    else if (family === 'binary') push(Buffer.from(FRESH).toString('base64'));
    else if (family !== 'numeric' && family !== 'date') push(FRESH);
  }
  for (const clause of clauses) {
    const family = parseOperator(clause.operator).family;
    const ignoreCase = /ignorecase/i.test(clause.operator);
    for (const value of clause.values.filter((v) => !hasVariable(v))) {
      instancesOf(value, family, ignoreCase).forEach((v) => push(v, `${clause.keyAsWritten} ${value}`));
    }
  }
  if (found.length === 0) push(FRESH);
  const seen = new Set<string>();
  return found.filter((c) => {
    const id = JSON.stringify(c.values ?? null);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The keys of the statements' conditions that the probe does not fix, each with its candidates. */
export function choosableKeys(statements: readonly PolicyStatement[], probe: Probe): ChoosableKey[] {
  const byKey = new Map<string, ConditionClause[]>();
  for (const clause of statements.flatMap((s) => s.conditions)) {
    if (probe.fixed.has(clause.key) || ABSENT_KEYS.has(clause.key)) continue;
    byKey.set(clause.key, [...(byKey.get(clause.key) ?? []), clause]);
  }
  return [...byKey].map(([key, clauses]) => ({ key, candidates: candidatesFor(key, clauses) }));
}

/**
 * Up to this many combinations of candidates are tried per probe: all of them when there are no more, else the
 * first candidates with every single key varied, then pairs of keys varied, until the budget is spent (a policy
 * has at most 20 KB, but that still allows hundreds of keys).
 */
export const COMBINATION_BUDGET = 4096;

export function* combinations(keys: readonly ChoosableKey[], limit = COMBINATION_BUDGET): Generator<Candidate[]> {
  const total = keys.reduce((n, k) => n * k.candidates.length, 1);
  if (total <= limit) {
    const index = keys.map(() => 0);
    for (let n = 0; n < total; n++) {
      yield keys.map((k, i) => k.candidates[index[i]]);
      for (let i = 0; i < keys.length && ++index[i] === keys[i].candidates.length; i++) index[i] = 0;
    }
    return;
  }
  const base = keys.map((k) => k.candidates[0]);
  let budget = limit - 1;
  yield base;
  const varied = (changes: [number, Candidate][]) => base.map((c, x) => changes.find(([i]) => i === x)?.[1] ?? c);
  for (let i = 0; i < keys.length; i++) {
    for (const a of keys[i].candidates.slice(1)) {
      if (budget-- <= 0) return;
      yield varied([[i, a]]);
    }
  }
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      for (const a of keys[i].candidates.slice(1)) {
        for (const b of keys[j].candidates.slice(1)) {
          if (budget-- <= 0) return;
          yield varied([
            [i, a],
            [j, b],
          ]);
        }
      }
    }
  }
}

/** The request context of a probe with one candidate per choosable key. */
export function contextOf(probe: Probe, keys: readonly ChoosableKey[], choice: readonly Candidate[]): RequestContext {
  const context = new Map(probe.fixed);
  keys.forEach((k, i) => {
    const values = choice[i].values;
    if (values !== undefined && values.length > 0) context.set(k.key, values);
  });
  return context;
}
