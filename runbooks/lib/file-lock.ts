/**
 * An exclusive lock between processes, held for milliseconds (one write): `<path>` is created with O_EXCL and
 * holds its owner's pid, host and a nonce. A lock whose owner is gone (a dead pid on this host) or that is older
 * than `staleMs` (another host, or a pid that was reused) is broken: it is first renamed aside, and deleted only
 * if the file taken aside is the one judged stale, so two waiters cannot both break a lock and both hold it.
 * Synchronous on purpose: a caller that must write from a signal handler cannot wait for the event loop.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';

export interface LockOptions {
  /** Give up after this long; default 20 s (longer than staleMs, so a stale lock is broken, not waited out). */
  readonly timeoutMs?: number;
  /** A lock older than this is stale whoever holds it (its pid may have been reused); default 10 s. */
  readonly staleMs?: number;
}

/** Why the lock could not be taken: `holder` is the owner's "pid host" when known. */
export class LockTimeout extends Error {
  constructor(
    readonly path: string,
    readonly holder: string | undefined,
  ) {
    super(`${path} is held by ${holder ?? 'another process'}`);
    this.name = 'LockTimeout';
  }
}

/** What makes each lock of this process its own (the audit trail takes one per flush, hundreds a second). */
const nonce = randomBytes(6).toString('hex');
let taken = 0;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): void => void Atomics.wait(sleeper, 0, 0, ms);

/** Takes the lock and returns its release function; throws LockTimeout, or the error that stopped it (EACCES…). */
export function lockSync(path: string, options: LockOptions = {}): () => void {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const staleMs = options.staleMs ?? 10_000;
  taken += 1;
  const mine = `${process.pid} ${hostname()} ${nonce}-${taken}\n`;
  for (let attempt = 0; ; attempt += 1) {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'wx', 0o600);
      writeSync(fd, mine);
      const held = fstatSync(fd, { bigint: true });
      const own = fd;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release(path, own, held.dev, held.ino);
      };
    } catch (error) {
      if (fd !== undefined) {
        closeSync(fd);
        throw error;
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = readLock(path);
    if (held !== undefined && isStale(held, staleMs)) {
      breakLock(path, held.text);
      continue;
    }
    if (Date.now() >= deadline) throw new LockTimeout(path, held?.owner);
    sleep(Math.min(50, 1 + attempt));
  }
}

interface HeldLock {
  readonly text: string;
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
  readonly ageMs: number;
}

function readLock(path: string): HeldLock | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const ageMs = Date.now() - statSync(path).mtimeMs;
    const [pid, host] = text.trim().split(' ');
    return { text, owner: `pid ${pid} on ${host}`, pid: Number(pid), host: host ?? '', ageMs };
  } catch {
    return undefined; // released meanwhile: try again
  }
}

function isStale(lock: HeldLock, staleMs: number): boolean {
  if (lock.ageMs > staleMs) return true;
  // An empty or half-written lock file: its writer died between creating and filling it.
  if (!Number.isInteger(lock.pid) || lock.pid <= 0) return lock.ageMs > 1_000;
  if (lock.host !== hostname()) return false;
  try {
    process.kill(lock.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function breakLock(path: string, judged: string): void {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else broke or released it
  }
  let taken: string | undefined;
  try {
    taken = readFileSync(aside, 'utf8');
  } catch {
    taken = undefined;
  }
  if (taken !== judged) {
    // A live lock replaced the stale one between the read and the rename: give it back unless a new one exists.
    try {
      linkSync(aside, path);
    } catch {
      // a newer lock is in place; the one taken aside is lost, and its owner's release is then a no-op
    }
  }
  unlinkSync(aside);
}

/**
 * Deletes the lock if the file at `path` is still the one this holder created. Its descriptor stays open until
 * then, so the inode cannot be freed and reused by a newer lock: the same device and inode mean the same file.
 */
function release(path: string, fd: number, dev: bigint, ino: bigint): void {
  try {
    const now = lstatSync(path, { bigint: true });
    if (now.dev === dev && now.ino === ino) unlinkSync(path);
  } catch {
    // already gone (broken as stale): nothing to release
  } finally {
    closeSync(fd);
  }
}
