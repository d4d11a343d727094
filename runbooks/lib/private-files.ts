/**
 * Files only their owner can read, in a folder only its owner can enter: for a secret that has to sit on disk for
 * a while. Every check refuses, never repairs, what someone else could have prepared in a shared place such as
 * /tmp: a symlink, a folder or file owned by another user, or one that group or others can reach. POSIX only
 * (on a system without uids there is no owner to check, and the functions refuse).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';

/** Why a private folder or file cannot be used; the message names the path and the reason, never the content. */
export class NotPrivate extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} ${reason}`);
    this.name = 'NotPrivate';
  }
}

function ownUid(path: string): number {
  const uid = process.getuid?.();
  if (uid === undefined) throw new NotPrivate(path, 'cannot be checked: this system has no file owners');
  return uid;
}

function checkOwned(path: string, stat: { uid: number; mode: number }, what: string): void {
  const uid = ownUid(path);
  if (stat.uid !== uid) throw new NotPrivate(path, `is a ${what} of uid ${stat.uid}, not of this user (${uid})`);
  if ((stat.mode & 0o077) !== 0) {
    throw new NotPrivate(path, `is a ${what} that group or others can reach (mode ${(stat.mode & 0o777).toString(8)})`);
  }
}

/** Creates `dir` (mode 0700) when missing, then checks it is a real folder of this user that nobody else can enter. */
export function ensurePrivateDir(dir: string): void {
  ownUid(dir);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = lstatSync(dir);
  if (stat.isSymbolicLink()) throw new NotPrivate(dir, 'is a symbolic link');
  if (!stat.isDirectory()) throw new NotPrivate(dir, 'is not a folder');
  checkOwned(dir, stat, 'folder');
}

/**
 * Writes `text` to `path` (in a folder checked by ensurePrivateDir) all or nothing: a new 0600 file beside it,
 * fsync'd, renamed over `path`. Readers never see half a file, and a symlink planted at `path` is replaced, not
 * followed.
 */
export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * The content of `path`, or undefined when there is no such file. A symlink, another user's file or one that
 * group or others can read is refused (NotPrivate) and left alone.
 */
export function readPrivateFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new NotPrivate(path, 'is a symbolic link');
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotPrivate(path, 'is not a regular file');
    checkOwned(path, stat, 'file');
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
