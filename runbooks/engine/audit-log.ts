/**
 * The audit log: one JSON line per run (or per account of a fleet run), appended and fsync'd, so an incident
 * review can tie every change to a caller, a task policy and (through the root session's access key id) to
 * CloudTrail. appendAuditRecord is the one place a record is built and written.
 */
import { createHash } from 'node:crypto';
import { appendDurably } from '../lib/durable-file';
import { redact } from './redact';

export type Outcome = 'changed' | 'unchanged' | 'dry-run' | 'not-confirmed' | 'failed';

export interface AuditRecord {
  time: string;
  runbook: string;
  callerArn: string | null;
  account: string;
  region: string | null;
  taskPolicy: string;
  /** The root session's access key id (never its secret key or session token). */
  rootAccessKeyId: string | null;
  parameters: Record<string, unknown>;
  /** sha256 of the prior state as read before any change. */
  beforeSha256: string | null;
  /** sha256 of the state read back after the change (verify step). */
  afterSha256: string | null;
  backup: string | null;
  outcome: Outcome;
  errorCode: string | null;
  durationMs?: number;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

type Unknowable = 'time' | 'beforeSha256' | 'afterSha256' | 'backup' | 'errorCode';

/** What a run knows when it records itself; what it leaves out is recorded as null (`time`: now). */
export type AuditFacts = Omit<AuditRecord, Unknowable> & Partial<Pick<AuditRecord, Unknowable>>;

/** The record of `facts`, every field present and always in the same order. */
function auditRecord(facts: AuditFacts): AuditRecord {
  return {
    time: facts.time ?? new Date().toISOString(),
    runbook: facts.runbook,
    callerArn: facts.callerArn,
    account: facts.account,
    region: facts.region,
    taskPolicy: facts.taskPolicy,
    rootAccessKeyId: facts.rootAccessKeyId,
    parameters: facts.parameters,
    beforeSha256: facts.beforeSha256 ?? null,
    afterSha256: facts.afterSha256 ?? null,
    backup: facts.backup ?? null,
    outcome: facts.outcome,
    errorCode: facts.errorCode ?? null,
    ...(facts.durationMs === undefined ? {} : { durationMs: facts.durationMs }),
  };
}

/** Appends the record of `facts` as one line. `secrets` are masked if they ever appear in a value. */
export function appendAuditRecord(path: string, facts: AuditFacts, secrets: readonly string[] = []): void {
  appendDurably(path, `${JSON.stringify(redact(auditRecord(facts), secrets))}\n`);
}
