/**
 * The lock-out rule. A resource policy locks the owner out when no administrator of the owning account can change
 * it any more (S3: neither PutBucketPolicy nor DeleteBucketPolicy; SQS: SetQueueAttributes) unless they are, or
 * come through, something the policy names: a principal ARN, another account or organization, a VPC endpoint, an
 * IP range. Only the root user is left then, which is what s3-unlock and sqs-unlock use.
 *
 * It is decided by trying requests (lockout-probes.ts): an administrator with a name the policy cannot know, with
 * every combination of what an administrator can choose (TLS, MFA, tags, network path, …), against every Deny
 * statement at once. One such request that gets through for one of the change actions means "not a lock-out": a
 * Deny of insecure transport, of requests from outside the organization, or of a few actions leaves that way open.
 * Allow statements do not matter: an administrator's own account grants through its identity policies.
 */
import { conditionsHold, type RequestContext } from './policy-conditions';
import {
  actionMatches,
  notPrincipalExempts,
  parsePolicy,
  principalMatches,
  resourceMatches,
  type PolicyStatement,
  type RequestPrincipal,
} from './policy-model';
import {
  choosableKeys,
  combinations,
  contextOf,
  genericProbes,
  namedProbes,
  type LockoutTarget,
  type Probe,
} from './lockout-probes';

export type { LockoutTarget } from './lockout-probes';
export { PolicyError } from './policy-model';

export interface LockingStatement {
  /** Sid, or the statement's position when it has none. */
  readonly statement: string;
  /** The statement's position in the policy, from 1: how messages about a user's file name it (a Sid is content). */
  readonly position: number;
  /** The administrative calls it denies. */
  readonly actions: string[];
  /** Condition operators and keys (and NotPrincipal), e.g. `StringNotLike aws:PrincipalArn`: who is exempted. */
  readonly exemptions: string[];
}

export interface LockoutAnalysis {
  readonly lockout: boolean;
  /** The statements that, together, leave no way in; removing them (or the policy) ends the lock-out. */
  readonly lockingStatements: LockingStatement[];
  /**
   * Who can still change the policy, as the policy names them: principal ARNs (or patterns), `principals of
   * account …`, `any principal via aws:SourceVpce vpce-…`. Empty: nobody but the root user.
   */
  readonly allowedPrincipals: string[];
}

/** The calls that change the policy: while one of them is open to an administrator, nobody is locked out. */
export const POLICY_CHANGE_ACTIONS: Record<'s3' | 'sqs', readonly string[]> = {
  s3: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
  sqs: ['sqs:SetQueueAttributes'],
};

/** The administrative calls shown for a locking statement. */
const ADMIN_ACTIONS: Record<'s3' | 'sqs', readonly string[]> = {
  s3: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:ListBucket', 's3:GetObject'],
  sqs: ['sqs:GetQueueAttributes', 'sqs:SetQueueAttributes', 'sqs:SendMessage', 'sqs:ReceiveMessage'],
};

const NOT_LOCKED: LockoutAnalysis = { lockout: false, lockingStatements: [], allowedPrincipals: [] };

function applies(statement: PolicyStatement, principal: RequestPrincipal): boolean {
  if (statement.principal !== undefined) return principalMatches(statement.principal, principal);
  if (statement.notPrincipal !== undefined) return !notPrincipalExempts(statement.notPrincipal, principal);
  return false;
}

/** One request as a resource policy sees it. */
export interface PolicyRequest {
  readonly principal: RequestPrincipal;
  readonly action: string;
  /** undefined: every Resource element is taken to cover it. */
  readonly resourceArn?: string;
  readonly context: RequestContext;
}

/** The statements of `policy` that explicitly deny `request` (their Sids or #n); empty: the policy denies nothing. */
export function explicitDenials(policy: string | object, request: PolicyRequest): string[] {
  return parsePolicy(policy)
    .filter(
      (s) =>
        s.effect === 'Deny' &&
        applies(s, request.principal) &&
        actionMatches(s, request.action) &&
        resourceMatches(s, request.resourceArn) &&
        conditionsHold(s.conditions, request.context),
    )
    .map((s) => s.label);
}

/** One try: which statements deny each change action to this probe with these choices. */
interface Attempt {
  readonly escaped: boolean;
  readonly denying: ReadonlySet<number>;
  /** The named things this request uses (see Named); empty for any administrator. */
  readonly named: readonly string[];
}

/** A named thing a request uses: `P` + a principal as the policy names it, or `V` + a named key value. */
const Named = { principal: (label: string) => `P${label}`, value: (label: string) => `V${label}` };

/**
 * A principal the policy names only decides what allowedPrincipals lists, not the verdict, so it gets fewer
 * combinations: a policy may name hundreds of them.
 */
const NAMED_PROBE_BUDGET = 256;

/**
 * The requests of one probe. A clause on a key the probe fixes (its ARN, account, organization…) has one answer for
 * the probe, found once: a statement whose fixed clauses fail never denies it and drops out, and the choosable keys
 * (and their combinations) come only from the clauses left.
 */
function* attempts(statements: readonly PolicyStatement[], probe: Probe, service: 's3' | 'sqs', limit?: number) {
  const applying = statements.filter((s) => applies(s, probe.principal));
  const choosable = new Set(choosableKeys(applying, probe).map((k) => k.key));
  const fixed = (c: PolicyStatement['conditions'][number]) =>
    !choosable.has(c.key) && !c.values.some((v) => v.includes('${'));
  const candidates = applying
    .filter((s) => conditionsHold(s.conditions.filter(fixed), probe.fixed))
    .map((s) => ({ ...s, conditions: s.conditions.filter((c) => !fixed(c)) }));
  const byAction = POLICY_CHANGE_ACTIONS[service].map((action) => candidates.filter((s) => actionMatches(s, action)));
  const keys = choosableKeys(candidates, probe);
  const principal = probe.named === undefined ? [] : [Named.principal(probe.named)];
  for (const choice of combinations(keys, limit)) {
    const context = contextOf(probe, keys, choice);
    const holds = new Map<number, boolean>();
    const denies = (s: PolicyStatement) => {
      let result = holds.get(s.index);
      if (result === undefined) holds.set(s.index, (result = conditionsHold(s.conditions, context)));
      return result;
    };
    const denying = new Set<number>();
    let escaped = false;
    for (const statementsOfAction of byAction) {
      const deniedBy = statementsOfAction.filter(denies);
      deniedBy.forEach((s) => denying.add(s.index));
      if (deniedBy.length === 0) escaped = true;
    }
    const named = [...principal, ...choice.flatMap((c) => (c.named === undefined ? [] : [Named.value(c.named)]))];
    yield { escaped, denying, named } satisfies Attempt;
  }
}

/**
 * Whether `policy` locks the owner out of the resource of `target`, and through which statements; throws
 * PolicyError for a document IAM would not store or an operator it does not know (unknown is not clean).
 */
export function analyzeLockout(policy: string | object | null, target: LockoutTarget): LockoutAnalysis {
  if (policy === null || policy === '') return NOT_LOCKED;
  const statements = parsePolicy(policy);
  const change = POLICY_CHANGE_ACTIONS[target.service];
  const relevant = statements.filter(
    (s) =>
      s.effect === 'Deny' &&
      change.some((action) => actionMatches(s, action)) &&
      resourceMatches(s, target.resourceArn),
  );
  if (relevant.length === 0) return NOT_LOCKED;

  // Any administrator first: one request that gets through settles it.
  const locked = new UniqueSets<number>();
  for (const probe of genericProbes(target)) {
    for (const attempt of attempts(relevant, probe, target.service)) {
      if (attempt.named.length > 0) continue;
      if (attempt.escaped) return NOT_LOCKED;
      locked.add([...attempt.denying]);
    }
  }
  // Then who can still get in: a way in that needs nothing more than its principal ends that principal's search.
  const ways = new UniqueSets<string>();
  for (const probe of [...genericProbes(target), ...namedProbes(relevant, target)]) {
    const limit = probe.named === undefined ? undefined : NAMED_PROBE_BUDGET;
    for (const attempt of attempts(relevant, probe, target.service, limit)) {
      if (!attempt.escaped || attempt.named.length === 0) continue;
      ways.add(attempt.named);
      if (probe.named !== undefined && attempt.named.length === 1) break;
    }
  }
  const locking = new Set(locked.minimal().flat());
  return {
    lockout: true,
    lockingStatements: relevant.filter((s) => locking.has(s.index)).map((s) => describe(s, target.service)),
    allowedPrincipals: ways.minimal().map(wayIn),
  };
}

/**
 * Sets kept once each, in first-seen order. `minimal()` returns those no other set is strictly inside: the
 * statements an administrator cannot avoid whatever they choose (a Deny of insecure transport is avoidable and
 * drops out), or the fewest named things a way in needs.
 */
class UniqueSets<T> {
  private readonly sets = new Map<string, T[]>();

  add(items: readonly T[]): void {
    const set = [...new Set(items)];
    const id = JSON.stringify([...set].sort());
    if (!this.sets.has(id)) this.sets.set(id, set);
  }

  minimal(): T[][] {
    const all = [...this.sets.values()];
    return all.filter((set) => !all.some((other) => other.length < set.length && other.every((x) => set.includes(x))));
  }
}

/** `arn:…:role/pipeline`, or `any principal via aws:SourceVpce vpce-1`, or both joined. */
function wayIn(named: readonly string[]): string {
  const principal = named.find((n) => n.startsWith('P'))?.slice(1) ?? 'any principal';
  const values = named.filter((n) => n.startsWith('V')).map((n) => n.slice(1));
  return values.length === 0 ? principal : `${principal} via ${values.join(' and ')}`;
}

function describe(s: PolicyStatement, service: 's3' | 'sqs'): LockingStatement {
  return {
    statement: s.label,
    position: s.index + 1,
    actions: ADMIN_ACTIONS[service].filter((action) => actionMatches(s, action)),
    exemptions: [
      ...(s.notPrincipal === undefined ? [] : ['NotPrincipal']),
      ...s.conditions.map((c) => `${c.operator} ${c.keyAsWritten}`),
    ],
  };
}

/**
 * The statements that lock everyone out, for the unlock runbooks' --dry-run: advice, so a policy that cannot be
 * read shows none rather than failing the run.
 */
export function lockingStatements(policy: string | object | null, target: LockoutTarget): LockingStatement[] {
  try {
    return analyzeLockout(policy, target).lockingStatements;
  } catch {
    return [];
  }
}
