/**
 * The backup folder, checked before any session: backups hold the only copy of a policy about to be removed, so
 * they go where nobody else can replace or plant one. An existing folder must be a directory that neither group
 * nor others can write; a missing one is created owner-only (0700) when the first backup is written, on a real
 * file system (never under /proc, /sys or /dev, where mkdir can spin or mean something else). A path through a
 * file, or one the caller cannot create, is refused at once rather than after the session.
 */
import { accessSync, constants, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { badValue } from './validate';
import { kindOf } from './input-file';

const PSEUDO_FILE_SYSTEMS = ['/proc', '/sys', '/dev'];

/** `source` says where the path came from (`--backup-dir`, `RUNBOOK_BACKUP_DIR`, the default). */
export function checkBackupDir(dir: string, source: string): void {
  const refuse = (problem: string) =>
    badValue(source, dir, 'a directory that only its owner can write (it is created 0700 when missing)', problem);
  let existing = dir;
  let stat: Stats | undefined;
  for (;;) {
    try {
      stat = statSync(existing);
      break;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOTDIR') throw refuse('a part of the path is a file, not a directory');
      if (code !== 'ENOENT') throw refuse(`it cannot be inspected (${code ?? 'error'})`);
      const parent = dirname(existing);
      if (parent === existing) throw refuse('no part of the path exists');
      existing = parent;
    }
  }
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // a magic link of /proc that points nowhere: the path as given is judged instead
  }
  const under = (path: string) => PSEUDO_FILE_SYSTEMS.find((root) => path === root || path.startsWith(`${root}/`));
  const pseudo = under(real) ?? under(resolve(existing));
  if (pseudo !== undefined) throw refuse(`it is under ${pseudo}, which is not a file system for backups`);
  if (!stat.isDirectory()) {
    throw refuse(existing === dir ? `it is ${kindOf(stat)}` : `${existing} is ${kindOf(stat)}, not a directory`);
  }
  if (existing === dir && (stat.mode & 0o022) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw refuse(`group or others can write it (mode ${mode}): run "chmod go-w" on it, or choose another folder`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw refuse(existing === dir ? 'it is not writable' : `it cannot be created: ${existing} is not writable`);
  }
}
