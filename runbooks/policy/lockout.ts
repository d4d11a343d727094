/**
 * Finds the statements of a resource policy that lock everyone out: a Deny that applies to every
 * principal and covers the calls an administrator needs to manage the resource. Used by --dry-run to
 * show what the unlock would remove; it is advice for the operator, not a policy evaluator.
 */
export interface LockingStatement {
  /** Sid, or the statement's position when it has none. */
  readonly statement: string;
  /** The statement's position in the policy, from 1: how messages about a user's file name it (a Sid is content). */
  readonly position: number;
  readonly actions: string[];
  /** Condition operators and keys, e.g. `StringNotLike aws:PrincipalArn`: who is exempted. */
  readonly exemptions: string[];
}

/** The administrative calls that losing locks the owner out, per service. */
const ADMIN_ACTIONS: Record<'s3' | 'sqs', string[]> = {
  s3: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:ListBucket', 's3:GetObject'],
  sqs: ['sqs:GetQueueAttributes', 'sqs:SetQueueAttributes', 'sqs:SendMessage', 'sqs:ReceiveMessage'],
};

type Statement = {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: unknown;
};

export function lockingStatements(policy: string | null, service: 's3' | 'sqs'): LockingStatement[] {
  if (policy === null || policy === '') return [];
  let document: { Statement?: unknown };
  try {
    document = JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return [];
  }
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.flatMap((raw, index) => {
    const s = (raw ?? {}) as Statement;
    if (s.Effect !== 'Deny' || !appliesToEveryone(s)) return [];
    const covered = ADMIN_ACTIONS[service].filter((action) => covers(s, action));
    if (covered.length === 0) return [];
    return [
      {
        statement: typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : `#${index + 1}`,
        position: index + 1,
        actions: covered,
        exemptions: conditionKeys(s.Condition),
      },
    ];
  });
}

function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function appliesToEveryone(s: Statement): boolean {
  if (s.NotPrincipal !== undefined) return true;
  if (s.Principal === '*') return true;
  const aws = (s.Principal as { AWS?: unknown } | undefined)?.AWS;
  return list(aws).includes('*');
}

function covers(s: Statement, action: string): boolean {
  if (s.NotAction !== undefined) return !list(s.NotAction).some((pattern) => matches(pattern, action));
  return list(s.Action).some((pattern) => matches(pattern, action));
}

/** IAM action patterns: case-insensitive, `*` and `?` wildcards. */
function matches(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

function conditionKeys(condition: unknown): string[] {
  if (condition === null || typeof condition !== 'object') return [];
  return Object.entries(condition as Record<string, unknown>).flatMap(([operator, keys]) =>
    keys !== null && typeof keys === 'object' ? Object.keys(keys).map((key) => `${operator} ${key}`) : [],
  );
}
