/**
 * Durable file writes, the one copy: a write that returns has reached the disk (fsync'd), so a crash right
 * after it cannot lose what was written. Plain errors only; callers say what the file was for.
 */
import {
  closeSync,
  constants,
  fsync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** Opens `path` with `flags` (owner-only when created), writes `text`, fsyncs and closes. */
function writeSynced(path: string, flags: 'wx', text: string): void {
  const fd = openSync(path, flags, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens `path` for appending (and reading: an appender reads the end it continues), never through a symbolic
 * link (ELOOP), creating it owner-only when missing. The caller owns (and closes) the descriptor.
 */
export function openForAppend(path: string): number {
  return openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
}

/** Writes all of `bytes` at the end of the append descriptor `fd`; not yet on disk until fsynced. */
export function appendAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** fsync on the thread pool, so the event loop keeps running while the disk works (group commit). */
export function fsyncLater(fd: number, done: (error: Error | null) => void): void {
  fsync(fd, done);
}

/** fsync now, blocking: for a write that must be on disk before the next statement (a signal handler's). */
export function fsyncNow(fd: number): void {
  fsyncSync(fd);
}

/**
 * Overwrites `path` in place with `text`, never through a symbolic link, creating it owner-only. No rename and no
 * fsync: for a small hint (a few dozen bytes, one disk sector) that readers tolerate being one write behind or
 * unreadable, never the only copy of anything.
 */
export function overwriteSmallFile(path: string, text: string): void {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    const bytes = Buffer.from(text, 'utf8');
    writeSync(fd, bytes, 0, bytes.length, 0);
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates `path` with `text`, all or nothing: a `.tmp` file is written and fsync'd, renamed over `path`, and the
 * directory fsync'd so the rename survives a crash too. A crash leaves at most a stray `.tmp` file, never a
 * half-written `path`. The directory is created owner-only when missing.
 */
export function writeFileDurably(path: string, text: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeSynced(tmp, 'wx', text);
  renameSync(tmp, path);
  fsyncDirectory(dir);
}

/** The file operations of a durable write; tests substitute a faulty one. */
export interface DurableFs {
  write(path: string, text: string): void;
  read(path: string): string;
}

export const durableFs: DurableFs = {
  write: writeFileDurably,
  read: (path) => readFileSync(path, 'utf8'),
};

/** Writes `text` durably through `fs`, reads it back and throws unless it is exactly what was written. */
export function writeAndReadBack(path: string, text: string, fs: DurableFs = durableFs): void {
  fs.write(path, text);
  if (fs.read(path) !== text) throw new Error('the file read back differs from what was written');
}
