/**
 * Turns an SDK error into a RunbookError whose code and hint say what to do. Throttling and transient faults have
 * already been retried (see retry.ts) by the time an error arrives here.
 */
import { RunbookError, type ErrorCode } from './errors';
import { MAX_ATTEMPTS, MAX_THROTTLED_ATTEMPTS, STALLED_MS } from '../lib/pacer';

export interface ErrorContext {
  /** The IAM action that failed, e.g. `s3:DeleteBucketPolicy`. */
  readonly action: string;
  /** What it was aimed at: an account, bucket, queue URL, role ARN. */
  readonly target: string;
}

interface Rule {
  readonly code: ErrorCode;
  readonly names?: readonly string[];
  readonly message?: RegExp;
  readonly hint: (ctx: ErrorContext) => string;
}

/** What AWS services call an expired session (STS, IAM, S3 and SQS differ). */
const EXPIRED_SESSION_NAMES: readonly string[] = [
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
];

/** An SDK expiry error, or a RunbookError made from one (code SessionExpired). */
export function isExpiredSession(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown } | null | undefined;
  return (typeof e?.name === 'string' && EXPIRED_SESSION_NAMES.includes(e.name)) || e?.code === 'SessionExpired';
}

/** The error codes AWS services answer throttling with. */
export const THROTTLING_CODES: readonly string[] = [
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'SlowDown',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
];

const RULES: readonly Rule[] = [
  {
    code: 'FeatureNotEnabled',
    names: [
      'ServiceAccessNotEnabledException',
      'OrganizationNotFoundException',
      'OrganizationNotInAllFeaturesModeException',
      'AWSOrganizationsNotInUseException',
    ],
    message: /(feature|trusted access|root ?sessions|root ?credentials ?management).*not enabled/i,
    hint: () =>
      'enable trusted access for iam.amazonaws.com and the RootSessions feature (the centralize-root-access module, or "runbook enable --root-sessions")',
  },
  {
    code: 'NotManagementOrDelegatedAdmin',
    names: ['AccountNotManagementOrDelegatedAdministratorException', 'CallerIsNotManagementAccountException'],
    message: /neither the management account nor|not the management account or/i,
    hint: () => 'run from the management account or the IAM delegated administrator (check --profile / --role-arn)',
  },
  {
    code: 'TargetIsManagementAccount',
    message: /target is the management account/i,
    hint: () => 'AssumeRoot targets member accounts only; use the management account root user directly',
  },
  {
    code: 'BadInput',
    message: /not a member account/i,
    hint: () => "check --account: AssumeRoot reaches member accounts of the caller's organization only",
  },
  {
    code: 'SessionExpired',
    names: EXPIRED_SESSION_NAMES,
    hint: () => 'the session expired; re-run (root sessions last at most 900 s, see --duration)',
  },
  {
    code: 'Throttled',
    names: THROTTLING_CODES,
    hint: () =>
      `AWS kept throttling: ${MAX_THROTTLED_ATTEMPTS} attempts, or ${MAX_ATTEMPTS} after the API had accepted nothing ` +
      `for ${STALLED_MS / 1000} s; wait a minute and re-run (re-runs are safe)`,
  },
  {
    code: 'NoPolicy',
    names: ['NoSuchBucketPolicy'],
    hint: () => 'there is no policy to remove',
  },
  {
    code: 'NoSuchResource',
    names: ['NoSuchBucket', 'AWS.SimpleQueueService.NonExistentQueue', 'QueueDoesNotExist', 'NonExistentQueue'],
    hint: (ctx) => `check the name and the account: ${ctx.target} does not exist there`,
  },
  {
    code: 'AccessDenied',
    names: ['AccessDenied', 'AccessDeniedException', 'AccessDeniedError', 'UnauthorizedOperation', 'Forbidden'],
    hint: (ctx) =>
      ctx.action === 'sts:AssumeRoot'
        ? 'the caller needs sts:AssumeRoot on the target root ARN for this task policy (sts:TaskPolicyArn), from the management account or the IAM delegated administrator; also check SCPs'
        : `${ctx.action} was denied: check the task policy, SCPs, and that the resource belongs to the target account`,
  },
];

export function toRunbookError(err: unknown, ctx: ErrorContext): RunbookError {
  if (err instanceof RunbookError) return err;
  const name = (err as { name?: string } | null)?.name ?? 'Error';
  const text = err instanceof Error ? err.message : String(err);
  const rule = RULES.find((r) => r.names?.includes(name) || (r.message !== undefined && r.message.test(text)));
  const message = `${ctx.action} on ${ctx.target} failed: ${name}${text && text !== name ? `: ${text}` : ''}`;
  return new RunbookError(rule?.code ?? 'Failed', message, {
    hint: rule?.hint(ctx) ?? 'run again with -v for the AWS calls made',
    cause: err,
  });
}
