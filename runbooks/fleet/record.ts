/**
 * The record of a delete-root-credentials run: every account and credential id that is about to be deleted,
 * written durably (the engine's fsync'd write, then read back) BEFORE the first delete. If it cannot be
 * written, nothing is deleted.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeDurableJson, type WrittenFile } from '../engine/backup';
import { durableFs, type DurableFs } from '../lib/durable-file';
import type { CredentialKind, CredentialSet } from './delete';

export interface DeletionRecord {
  runbook: 'delete-root-credentials';
  takenAt: string;
  callerArn: string | null;
  only: CredentialKind[];
  accounts: { account: string; name: string | null; exists: CredentialSet | null; delete: CredentialSet }[];
}

export function writeDeletionRecord(dir: string, record: DeletionRecord, fs: DurableFs = durableFs): WrittenFile {
  const stamp = record.takenAt.replace(/[:.]/g, '-');
  return writeDurableJson(
    join(dir, `${stamp}-delete-root-credentials-${randomBytes(3).toString('hex')}.json`),
    record,
    { what: 'the deletion record', hint: 'nothing was deleted; fix --backup-dir (or RUNBOOK_BACKUP_DIR) and re-run' },
    fs,
  );
}
