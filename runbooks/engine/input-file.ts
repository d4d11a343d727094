/**
 * Reading a file the user named (a policy file, a backup): the one way the runbooks read input files. Only a
 * regular file is read, and at most `limit` bytes of it: a FIFO is opened without blocking and refused, a device
 * such as /dev/zero is refused before a byte is read, and a file that grows while it is read stops at limit + 1.
 * The text must be strict UTF-8 (no byte is silently replaced, so what is put is the file's exact text) without
 * NUL bytes. Errors name the path, the option and what is wrong, never the file's content.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { badValue } from './validate';
import { describePosition, positionOf } from './json-text';

export interface InputFileRule {
  /** The option (or the place) the path came from, e.g. `--policy-file`. */
  readonly option: string;
  /** What the file must hold, e.g. `a JSON policy document`. */
  readonly what: string;
  /** At most this many bytes. */
  readonly limit: number;
}

/** The file's exact text. Throws BadInput (exit 2) naming the path and the problem. */
export function readInputFile(path: string, rule: InputFileRule): string {
  const refuse = (problem: string) => badValue(rule.option, path, `a readable file holding ${rule.what}`, problem);
  if (path === '') throw refuse('the path is empty');
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw refuse(openProblem(err));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refuse(`it is ${kindOf(stat)}, not a regular file`);
    if (stat.size > rule.limit) throw refuse(`it has ${stat.size} bytes; at most ${rule.limit} are allowed`);
    const bytes = readAtMost(fd, rule.limit + 1);
    if (bytes.length > rule.limit) throw refuse(`it has more than ${rule.limit} bytes`);
    const text = decodeUtf8(bytes, refuse);
    const nul = text.indexOf('\0');
    if (nul !== -1) throw refuse(`it contains a NUL byte at ${describePosition(positionOf(text, nul))}`);
    return text;
  } finally {
    closeSync(fd);
  }
}

function readAtMost(fd: number, max: number): Buffer {
  const buffer = Buffer.alloc(max);
  let filled = 0;
  for (;;) {
    const n = readSync(fd, buffer, filled, max - filled, null);
    if (n === 0) break;
    filled += n;
    if (filled === max) break;
  }
  return buffer.subarray(0, filled);
}

function decodeUtf8(bytes: Buffer, refuse: (problem: string) => Error): string {
  try {
    // ignoreBOM keeps a byte order mark in the text, so the caller sees (and can refuse) what the file holds.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = invalidUtf8Offset(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, at));
    throw refuse(`it is not valid UTF-8: byte ${at + 1} (${describePosition(positionOf(before, before.length))})`);
  }
}

/** Where strict decoding failed (the decoder itself does not say): the first byte of an ill-formed sequence. */
function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const extra =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= extra; k += 1) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += extra + 1;
  }
  return bytes.length;
}

function openProblem(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'it cannot be read (permission denied)';
    case 'ELOOP':
      return 'it is a loop of symbolic links';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENXIO':
      return 'it is a socket or a device without a reader';
    default:
      return `it cannot be opened (${code ?? 'error'})`;
  }
}

export function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isFile()) return 'a regular file';
  return 'not a regular file';
}
