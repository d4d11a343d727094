/**
 * The records of the audit trail, built in one place: what each record type holds, in a fixed field order, and
 * how a line is chained to the one before it. The writer (trail.ts) adds `seq` and `prev` under the log's lock;
 * the verifier (trail-verify.ts) and the reader (trail-read.ts) parse lines back with parseRecord.
 */
import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { CallerRole } from './caller-role';
import { redact, type Secrets } from './redact';

export const TRAIL_VERSION = 1;

export type RecordType = 'intent' | 'session' | 'change' | 'outcome' | 'notice';

export type Outcome =
  | 'changed'
  | 'unchanged'
  | 'dry-run'
  | 'failed'
  | 'not-confirmed'
  | 'changed-since-plan'
  | 'interrupted';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `prev` of the first line of a log. */
export const GENESIS = sha256('');

/** What a run means to do, written before any AWS request. */
export interface IntentFacts {
  readonly runbook: string;
  /** The validated parameters (never a secret). */
  readonly parameters: Record<string, unknown>;
  /** The one account of a single-account run. */
  readonly account?: string | null;
  /** A fleet run's selection: the account ids, `{ ou }` or `{ all: true }`. */
  readonly accounts?: unknown;
  readonly region: string | null;
  /** The task policy ARN of the root sessions (a list when they have several), null when the run takes none. */
  readonly task: string | readonly string[] | null;
  /** One sentence: what the run means to do. */
  readonly plan: string;
  readonly dryRun?: boolean;
}

export type SessionKind = 'caller' | 'operator' | 'root' | 'hub' | 'spoke' | 'container';

/** A session obtained (or, for `caller`, the caller's own credentials), recorded before its first use. */
export interface SessionFacts {
  readonly kind: SessionKind;
  readonly account: string | null;
  /** The region of the session's endpoint (where its STS call went; CloudTrail is looked up there). */
  readonly region?: string | null;
  /** Root sessions: the task policy ARN. */
  readonly task?: string | null;
  /** The CloudTrail join key; never the secret key or the token. */
  readonly accessKeyId: string;
  readonly expiration?: Date | string | null;
  /** Role sessions: the role and the role session name. */
  readonly roleArn?: string | null;
  readonly sessionName?: string | null;
  /** A session handed out again from a cache rather than obtained now. */
  readonly reused?: boolean;
}

/** A change about to be made, recorded after the backup and the re-read, right before the change. */
export interface ChangeFacts {
  readonly account: string;
  /** Bucket name, queue URL, `root user`, `organization`. */
  readonly resource: string;
  /** The IAM action(s) of the change, e.g. s3:DeleteBucketPolicy. */
  readonly action: string;
  /** Digest of the state the plan was made on (and that the backup holds). */
  readonly beforeSha256: string | null;
  /** Digest of the state the change means to leave. */
  readonly expectSha256?: string | null;
  readonly backup: string | null;
  /** sha256 of the backup file's exact bytes: restore finds this record by it and refuses an edited backup. */
  readonly backupSha256?: string | null;
  readonly details?: Record<string, unknown>;
}

export interface OutcomeFacts {
  readonly outcome: Outcome;
  /** Set on a fleet run's per-account outcome; a run's own outcome leaves it out. */
  readonly account?: string | null;
  readonly resource?: string | null;
  readonly beforeSha256?: string | null;
  readonly afterSha256?: string | null;
  readonly backup?: string | null;
  readonly errorCode?: string | null;
  readonly summary?: string | null;
  readonly details?: Record<string, unknown>;
}

export interface CallerFacts {
  readonly arn: string;
  readonly account: string | null;
  /** Management account, IAM delegated administrator or neither (caller-role.ts); `unknown` until told. */
  readonly role?: CallerRole;
}

/** What every record of one run shares. */
export interface RunMeta {
  readonly id: string;
  readonly runbook: string;
}

/** A record without `v`, `seq` and `prev`: the writer adds those under the lock. */
export type RecordBody = { readonly time: string; readonly run: string; readonly type: RecordType } & Record<
  string,
  unknown
>;

/** A parsed line of the log. */
export interface TrailRecord extends Record<string, unknown> {
  readonly v: number;
  readonly seq: number;
  readonly prev: string;
  readonly time: string;
  readonly run: string;
  readonly type: RecordType;
  readonly runbook: string;
}

function body(run: RunMeta, type: RecordType, fields: Record<string, unknown>, secrets: Secrets | readonly string[]) {
  return redact(
    { time: new Date().toISOString(), run: run.id, type, runbook: run.runbook, ...fields },
    secrets,
  ) as RecordBody;
}

const iso = (value: Date | string | null | undefined): string | null =>
  value === undefined || value === null ? null : value instanceof Date ? value.toISOString() : value;

function localUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null; // no passwd entry (some containers)
  }
}

export function intentRecord(run: RunMeta, facts: IntentFacts, secrets: Secrets): RecordBody {
  return body(
    run,
    'intent',
    {
      plan: facts.plan,
      account: facts.account ?? null,
      accounts: facts.accounts ?? null,
      region: facts.region,
      task: facts.task,
      dryRun: facts.dryRun ?? false,
      parameters: facts.parameters,
      user: localUser(),
      host: hostname(),
      pid: process.pid,
    },
    secrets,
  );
}

export function sessionRecord(
  run: RunMeta,
  facts: SessionFacts,
  caller: CallerFacts | undefined,
  secrets: Secrets,
): RecordBody {
  return body(
    run,
    'session',
    {
      kind: facts.kind,
      account: facts.account,
      region: facts.region ?? null,
      task: facts.task ?? null,
      accessKeyId: facts.accessKeyId,
      expiration: iso(facts.expiration),
      roleArn: facts.roleArn ?? null,
      sessionName: facts.sessionName ?? null,
      reused: facts.reused ?? false,
      callerArn: caller?.arn ?? null,
      callerAccount: caller?.account ?? null,
      callerRole: caller?.role ?? 'unknown',
    },
    secrets,
  );
}

export function changeRecord(run: RunMeta, facts: ChangeFacts, secrets: Secrets): RecordBody {
  return body(
    run,
    'change',
    {
      account: facts.account,
      resource: facts.resource,
      action: facts.action,
      beforeSha256: facts.beforeSha256,
      expectSha256: facts.expectSha256 ?? null,
      backup: facts.backup,
      backupSha256: facts.backupSha256 ?? null,
      ...(facts.details === undefined ? {} : { details: facts.details }),
    },
    secrets,
  );
}

export function outcomeRecord(
  run: RunMeta,
  facts: OutcomeFacts,
  extra: { caller: CallerFacts | undefined; durationMs?: number },
  secrets: Secrets,
): RecordBody {
  return body(
    run,
    'outcome',
    {
      outcome: facts.outcome,
      account: facts.account ?? null,
      resource: facts.resource ?? null,
      beforeSha256: facts.beforeSha256 ?? null,
      afterSha256: facts.afterSha256 ?? null,
      backup: facts.backup ?? null,
      errorCode: facts.errorCode ?? null,
      summary: facts.summary ?? null,
      callerArn: extra.caller?.arn ?? null,
      callerAccount: extra.caller?.account ?? null,
      callerRole: extra.caller?.role ?? 'unknown',
      ...(extra.durationMs === undefined ? {} : { durationMs: extra.durationMs }),
      ...(facts.details === undefined ? {} : { details: facts.details }),
    },
    secrets,
  );
}

/** Written by the next writer when the log no longer matches its head: the damage stays on the record. */
export function noticeRecord(run: RunMeta, problem: string): RecordBody {
  return body(run, 'notice', { problem }, []);
}

/** The exact line of a record at `seq` after the line whose hash is `prev` (no newline). */
export function recordLine(seq: number, prev: string, record: RecordBody): string {
  return JSON.stringify({ v: TRAIL_VERSION, seq, prev, ...record });
}

/** A line as a record, or undefined when it is not one (not JSON, or not of this version's shape). */
export function parseRecord(text: string): TrailRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = value as Partial<TrailRecord> | null;
  if (
    r === null ||
    typeof r !== 'object' ||
    r.v !== TRAIL_VERSION ||
    !Number.isInteger(r.seq) ||
    typeof r.prev !== 'string' ||
    typeof r.run !== 'string' ||
    typeof r.type !== 'string'
  ) {
    return undefined;
  }
  return r as TrailRecord;
}
