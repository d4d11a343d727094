/**
 * Reading the audit trail back: its lines in order (as bytes, so hashes are over exactly what was written), and
 * the lookups restore makes. Synchronous and chunked: logs grow without bound, memory does not.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parseRecord, type TrailRecord } from './trail-record';

export interface Line {
  /** 1-based line number. */
  readonly number: number;
  readonly bytes: Buffer;
  /** False for a last line the log ends without a newline after: a write cut short. */
  readonly complete: boolean;
}

/**
 * Calls `visit` with every line of the log as it is when the call starts (what other processes append meanwhile
 * is left out, so a line being written is never mistaken for a cut-off one); returns false (and reads nothing)
 * when the log does not exist.
 */
export function eachLine(path: string, visit: (line: Line) => void): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    const chunk = Buffer.alloc(1024 * 1024);
    let carry: Buffer[] = [];
    let number = 0;
    for (let at = 0; at < stat.size; ) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, stat.size - at), at);
      if (n <= 0) break;
      at += n;
      let start = 0;
      for (let i = chunk.indexOf(0x0a, 0); i !== -1 && i < n; i = chunk.indexOf(0x0a, start)) {
        const bytes = Buffer.concat([...carry, chunk.subarray(start, i)]);
        carry = [];
        visit({ number: ++number, bytes, complete: true });
        start = i + 1;
      }
      if (start < n) carry.push(Buffer.from(chunk.subarray(start, n)));
    }
    if (carry.length > 0) visit({ number: ++number, bytes: Buffer.concat(carry), complete: false });
    return true;
  } finally {
    closeSync(fd);
  }
}

/** Every record of the log, in order; lines that are not records are skipped (verify reports them). */
export function eachRecord(path: string, visit: (record: TrailRecord) => void): boolean {
  return eachLine(path, (line) => {
    const record = line.complete ? parseRecord(line.bytes.toString('utf8')) : undefined;
    if (record !== undefined) visit(record);
  });
}

/** A change record, with the run's intent and the outcome that closed it (per account, else the run's). */
export interface RecordedChange {
  readonly change: TrailRecord;
  readonly outcome: TrailRecord | undefined;
}

/** The last change record `match` accepts, and its outcome; undefined when none (or no log). */
export function findChange(path: string, match: (change: TrailRecord) => boolean): RecordedChange | undefined {
  let change: TrailRecord | undefined;
  let outcome: TrailRecord | undefined;
  eachRecord(path, (record) => {
    if (record.type === 'change' && match(record)) {
      change = record;
      outcome = undefined;
    } else if (change !== undefined && record.type === 'outcome' && record.run === change.run) {
      // A per-account outcome of the change's account wins over the run's own.
      if (record.account === change.account || (record.account === null && outcome === undefined)) outcome = record;
    }
  });
  return change === undefined ? undefined : { change, outcome };
}

/** The run's own outcome record (the one without an account), if the log has it. */
export function findRunOutcome(path: string, run: string): TrailRecord | undefined {
  let found: TrailRecord | undefined;
  eachRecord(path, (record) => {
    if (record.run === run && record.type === 'outcome' && record.account === null) found = record;
  });
  return found;
}
