/**
 * Virtual MFA devices that an earlier delete-root-credentials run planned to delete and no run has yet seen
 * deleted. Why this exists: an MFA device goes in two calls, DeactivateMFADevice then DeleteVirtualMFADevice.
 * A crash between them leaves a device that is no longer assigned to the root user, so ListMFADevices no longer
 * returns it, and the IAMDeleteRootUserCredentials task allows no ListVirtualMFADevices: the audit cannot see it.
 * Its serial survives only in the deletion record written (fsync'd) before the deletes. So a run reads the
 * records in the backup dir and plans those serials again; once a run sees DeleteVirtualMFADevice succeed (or
 * answer NoSuchEntity: already gone), it writes a confirmation next to the records, and later runs stop.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeDurableJson } from '../engine/backup';
import { readInputFile } from '../engine/input-file';

/** A record lists every credential of every planned account: tens of megabytes for the largest organizations. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The runbook name in a confirmation file; deletion records carry 'delete-root-credentials'. */
const CONFIRMED = 'delete-root-credentials-mfa-deleted';

interface AccountSerials {
  account: string;
  serials: string[];
  /** The run's start (ISO 8601): a confirmation covers only records from its own run or earlier. */
  takenAt: string;
}

/** Per account, the MFA serials named by records (what was planned) and by confirmations (what went). */
function readFiles(dir: string): { planned: AccountSerials[]; confirmed: AccountSerials[] } {
  const planned: AccountSerials[] = [];
  const confirmed: AccountSerials[] = [];
  if (!existsSync(dir)) return { planned, confirmed };
  // Records and confirmations both have "delete-root-credentials" in their file name; s3/sqs backups do not.
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json') && n.includes('-delete-root-credentials-'))) {
    let file: { runbook?: unknown; takenAt?: unknown; accounts?: unknown };
    try {
      // The engine's input-file rules: something planted under a record's name (a FIFO, /dev/zero) is skipped
      // without blocking or reading without end.
      const text = readInputFile(join(dir, name), {
        option: '--backup-dir',
        what: 'a record',
        limit: MAX_RECORD_BYTES,
      });
      file = JSON.parse(text) as typeof file;
    } catch {
      continue; // Records are written to a temp file and renamed, so an unreadable file was never a record.
    }
    if (!Array.isArray(file.accounts) || typeof file.takenAt !== 'string') continue;
    const takenAt = file.takenAt;
    const entries = file.accounts as { account?: unknown; delete?: { mfaDevices?: unknown }; mfaDevices?: unknown }[];
    const serialsOf = (value: unknown): string[] =>
      Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
    for (const entry of entries) {
      if (typeof entry.account !== 'string') continue;
      if (file.runbook === 'delete-root-credentials') {
        planned.push({ account: entry.account, serials: serialsOf(entry.delete?.mfaDevices), takenAt });
      } else if (file.runbook === CONFIRMED) {
        confirmed.push({ account: entry.account, serials: serialsOf(entry.mfaDevices), takenAt });
      }
    }
  }
  return { planned, confirmed };
}

/**
 * Per account, the recorded MFA serials not yet confirmed deleted (accounts without any are absent).
 * A confirmation counts only for records up to its own run, since a serial (the device name) can be reused by a
 * device enrolled later.
 */
export function pendingMfaSerials(dir: string): Map<string, string[]> {
  const { planned, confirmed } = readFiles(dir);
  const goneAt = new Map<string, string>();
  for (const { account, serials, takenAt } of confirmed) {
    for (const serial of serials) {
      const key = `${account} ${serial}`;
      if ((goneAt.get(key) ?? '') < takenAt) goneAt.set(key, takenAt);
    }
  }
  const pending = new Map<string, string[]>();
  for (const { account, serials, takenAt } of planned) {
    for (const serial of serials) {
      const list = pending.get(account) ?? [];
      const confirmedAt = goneAt.get(`${account} ${serial}`);
      if ((confirmedAt === undefined || confirmedAt < takenAt) && !list.includes(serial)) {
        pending.set(account, [...list, serial]);
      }
    }
  }
  return pending;
}

/**
 * Writes which MFA serials this run saw deleted, so later runs do not plan them again; returns its path, or null
 * when no MFA device went. Losing it costs only a repeated DeleteVirtualMFADevice that answers NoSuchEntity.
 */
export function writeMfaConfirmation(
  dir: string,
  takenAt: string,
  deleted: { account: string; deleted: { mfaDevices: string[] } }[],
): string | null {
  const accounts = deleted
    .filter((d) => d.deleted.mfaDevices.length > 0)
    .map((d) => ({ account: d.account, mfaDevices: d.deleted.mfaDevices }));
  if (accounts.length === 0) return null;
  const stamp = takenAt.replace(/[:.]/g, '-');
  return writeDurableJson(
    join(dir, `${stamp}-delete-root-credentials-mfa-deleted-${randomBytes(3).toString('hex')}.json`),
    { runbook: CONFIRMED, takenAt, accounts },
    { what: 'the MFA deletion confirmation', hint: 'a re-run repeats DeleteVirtualMFADevice, which is harmless' },
  ).path;
}
