/**
 * The record of a delete-root-credentials run: every account and credential id that is about to be deleted,
 * written durably (the engine's fsync'd write, then read back) BEFORE the first delete. If it cannot be
 * written, nothing is deleted.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { durableFs, type BackupFs } from '../engine/backup';
import { RunbookError } from '../engine/errors';
import type { CredentialKind, CredentialSet } from './delete';

export interface DeletionRecord {
  runbook: 'delete-root-credentials';
  takenAt: string;
  callerArn: string | null;
  only: CredentialKind[];
  accounts: { account: string; name: string | null; exists: CredentialSet | null; delete: CredentialSet }[];
}

export function writeDeletionRecord(dir: string, record: DeletionRecord, fs: BackupFs = durableFs): string {
  const stamp = record.takenAt.replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}-delete-root-credentials-${randomBytes(3).toString('hex')}.json`);
  const text = `${JSON.stringify(record, null, 2)}\n`;
  try {
    fs.write(path, text);
    if (fs.read(path) !== text) throw new Error('the file read back differs from what was written');
  } catch (err) {
    throw new RunbookError('BackupFailed', `could not write the deletion record ${path}: ${(err as Error).message}`, {
      hint: 'nothing was deleted; fix --backup-dir (or RUNBOOK_BACKUP_DIR) and re-run',
      cause: err,
    });
  }
  return path;
}
