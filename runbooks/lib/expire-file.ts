/**
 * Removes a file when it expires, even if nothing that knows about it runs again: a small detached node process
 * waits until the time, then removes the file if it is still the one it was started for (same inode; the watch
 * it holds on that inode keeps the number from being reused meanwhile). It exits early, without removing
 * anything, as soon as the file is removed or replaced by someone else, so a replaced file's helper never
 * outlives its file and a newer file is left to its own helper.
 */
import { spawn } from 'node:child_process';
import { lstatSync, rmSync, watch } from 'node:fs';

/** Starts the helper for `path` (which must exist) and returns at once; the helper is not our child to wait for. */
export function removeAtExpiry(path: string, at: Date): void {
  const helper = spawn(process.execPath, [__filename, path, inodeOf(path) ?? '', String(at.getTime())], {
    detached: true,
    stdio: 'ignore',
  });
  // A helper that cannot start only means the file waits for the next sweep; never fail the caller for it.
  helper.once('error', () => undefined);
  helper.unref();
}

/** setTimeout's ceiling (about 24.8 days); a longer wait is never asked for here, but must not fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function inodeOf(path: string): string | undefined {
  try {
    return String(lstatSync(path, { bigint: true }).ino);
  } catch {
    return undefined;
  }
}

function waitAndRemove(path: string, ino: string, atMs: number): void {
  const isOurs = (): boolean => inodeOf(path) === ino;
  if (!isOurs()) return;
  setTimeout(
    () => {
      if (isOurs()) rmSync(path, { force: true });
      process.exit(0);
    },
    Math.min(MAX_TIMER_MS, Math.max(0, atMs - Date.now())),
  );
  try {
    watch(path, { persistent: false }, () => {
      if (!isOurs()) process.exit(0);
    });
  } catch {
    // no watch on this file system: the timer alone still removes the file on time
  }
}

if (require.main === module) {
  const [path, ino, atMs] = process.argv.slice(2);
  if (path !== undefined && /^\d+$/.test(ino ?? '') && /^\d+$/.test(atMs ?? '')) {
    waitAndRemove(path, ino as string, Number(atMs));
  }
}
