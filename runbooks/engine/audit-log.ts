/**
 * The audit log: one JSON line per run, appended and fsync'd, so an incident review can tie every
 * change to a caller, a task policy and (through the root session's access key id) to CloudTrail.
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

/** Appends one line. `secrets` are masked if they ever appear in a value. */
export function appendAuditRecord(path: string, record: AuditRecord, secrets: readonly string[] = []): void {
  appendDurably(path, `${JSON.stringify(redact(record, secrets))}\n`);
}
