/**
 * Backups of the prior state, taken BEFORE a change: written durably (lib/durable-file: temp file, fsync,
 * rename, directory fsync), then read back and compared. Any failure throws BackupFailed, and the caller has
 * not changed anything yet. A crash leaves at most a stray `.tmp` file, never a half-written backup.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { durableFs, writeAndReadBack, type DurableFs } from '../lib/durable-file';
import { RunbookError } from './errors';
import { sha256 } from './trail-record';

export type ResourceType = 's3-bucket' | 'sqs-queue';

export interface BackupRecord {
  readonly runbook: string;
  readonly account: string;
  readonly region: string;
  readonly resourceType: ResourceType;
  /** Bucket name or queue URL. */
  readonly resource: string;
  /** The exact policy text as read from AWS; null when there was none. */
  readonly policy: string | null;
  readonly takenAt: string;
  readonly taskPolicy: string;
  /** Correlates the backup with CloudTrail and the audit log. */
  readonly rootAccessKeyId: string;
  /** The audit-trail run that took the backup (its change record holds the backup's sha256). */
  readonly run: string;
}

/** A file written durably: its path, and the sha256 of its bytes (read back identical), which the trail records. */
export interface WrittenFile {
  readonly path: string;
  readonly sha256: string;
}

/**
 * Writes `value` as pretty JSON through `fs` (durably, by default), reads it back and compares. Any failure
 * throws BackupFailed with `what` and the path in the message and `hint`, which says that nothing was changed.
 */
export function writeDurableJson(
  path: string,
  value: unknown,
  failure: { what: string; hint: string },
  fs: DurableFs = durableFs,
): WrittenFile {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    writeAndReadBack(path, text, fs);
  } catch (err) {
    throw new RunbookError('BackupFailed', `could not write ${failure.what} ${path}: ${(err as Error).message}`, {
      hint: failure.hint,
      cause: err,
    });
  }
  return { path, sha256: sha256(text) };
}

/**
 * Writes the backup durably; returns its absolute path and the sha256 of its bytes (read back identical), which
 * the change record keeps so that restore can tell an edited backup from the one written.
 */
export function writeBackup(dir: string, record: BackupRecord, fs: DurableFs = durableFs): WrittenFile {
  return writeDurableJson(
    join(dir, backupFileName(record)),
    record,
    { what: 'the backup', hint: 'nothing was changed; fix --backup-dir (or RUNBOOK_BACKUP_DIR) and re-run' },
    fs,
  );
}

function backupFileName(record: BackupRecord): string {
  const stamp = record.takenAt.replace(/[:.]/g, '-');
  const resource = record.resource
    .replace(/^https?:\/\/[^/]+\//, '')
    .replace(/[^\w.-]+/g, '_')
    .slice(0, 100);
  return `${stamp}-${record.runbook}-${record.account}-${resource}-${randomBytes(3).toString('hex')}.json`;
}
