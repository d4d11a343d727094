/**
 * Durable file writes, the one copy: a write that returns has reached the disk (fsync'd), so a crash right
 * after it cannot lose what was written. Plain errors only; callers say what the file was for.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Opens `path` with `flags` (owner-only when created), writes `text`, fsyncs and closes. */
function writeSynced(path: string, flags: 'a' | 'wx', text: string): void {
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

/** Appends `text` (creating the file and its directory when missing) and returns once it is on disk. */
export function appendDurably(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeSynced(path, 'a', text);
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
