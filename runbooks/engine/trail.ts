/**
 * The audit trail: every run that takes a session or changes organization state is recorded ahead of what it
 * does, in an append-only JSONL log whose lines are chained by SHA-256 (see ARCHITECTURE.md for the API).
 *
 * - Opening a run checks the log (a regular file, not a symbolic link, 0600, in a folder nobody else can write)
 *   and appends the run's `intent` record, fsync'd, before the run makes any AWS request. A log that cannot be
 *   written stops the run there (AuditLogFailed, exit 1).
 * - `session` and `change` records are awaited before the session is used and before the change is made.
 * - Appends are group-committed: every record queued while the event loop runs is written by one flush at the
 *   end of the turn (one lock, one write, one fsync), so a fleet's concurrent accounts share fsyncs. While
 *   records keep coming, flushes start at most GROUP_MS apart, so sessions taken a few milliseconds apart share
 *   one too. Each still waits for its own record to be on disk.
 * - A fleet's per-account outcome has nothing waiting behind it (no session is used and no change made on the
 *   strength of it), so it does not start a flush of its own while records that do wait are coming: it rides
 *   with the next of them, or goes LAZY_MS later. A signal's flush and finish() take it at once.
 * - Each flush takes the log's lock (lib/file-lock), so several processes can append to one log: the flush
 *   re-reads the tail for the last line's hash and number, writes, fsyncs and updates `<log>.head`. When the
 *   file is still exactly as this process left it (same inode, size and modification time), the tail it wrote
 *   is the tail, and the re-read is skipped.
 * - A write that fails breaks the run: every later append and assertWritable throws, so nothing is changed
 *   without its record on disk.
 * - Flushes are synchronous (only their start and their fsync are deferred), so a signal handler never runs in the
 *   middle of one, and interruptOpenRuns can write `interrupted` records from it.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { appendAll, fsyncLater, fsyncNow, openForAppend, overwriteSmallFile } from '../lib/durable-file';
import { lockSync, LockTimeout } from '../lib/file-lock';
import { RunbookError } from './errors';
import { Secrets } from './redact';
import {
  changeRecord,
  GENESIS,
  intentRecord,
  noticeRecord,
  outcomeRecord,
  parseRecord,
  recordLine,
  sessionRecord,
  sha256,
  type CallerFacts,
  type ChangeFacts,
  type IntentFacts,
  type Outcome,
  type OutcomeFacts,
  type RecordBody,
  type SessionFacts,
} from './trail-record';

export type { CallerFacts, ChangeFacts, IntentFacts, Outcome, OutcomeFacts, SessionFacts } from './trail-record';

/** The head file beside a log: the number and hash of the last line written, so a cut-off end is detectable. */
export const headPath = (log: string): string => `${log}.head`;
const lockPath = (log: string): string => `${log}.lock`;

/**
 * How long a record that nothing waits for may wait for one that something does, to share its fsync. Short: it is
 * what a SIGKILL could take of them (a signal's flush takes everything queued).
 */
const LAZY_MS = 50;

/**
 * The least time between the starts of two flushes of one log while records keep coming: what arrives meanwhile
 * shares the next fsync. A fleet's accounts take sessions a few milliseconds apart; each flush costs the lock, a
 * write, an fsync and the head, so this halves the flushes for a few milliseconds of each session's wait.
 */
const GROUP_MS = 5;

export interface TrailRun {
  readonly id: string;
  /** The log this run writes to. */
  readonly path: string;
  /**
   * Who the caller is; every later record carries it. A promise (the identity lookup still in flight) makes
   * session records wait for it, so a session taken concurrently with the lookup still names its caller.
   */
  identify(caller: CallerFacts | Promise<CallerFacts | undefined>): void;
  /** Throws the write error that broke this run, if any. Call it before requesting a session. */
  assertWritable(): void;
  /** Records a session; resolves once it is on disk. `secrets` are masked should they ever appear. */
  session(facts: SessionFacts, secrets?: readonly (string | undefined)[]): Promise<void>;
  /** Records a change about to be made; resolves once it is on disk. */
  change(facts: ChangeFacts): Promise<void>;
  /** A fleet run's per-account outcome. Safe to leave un-awaited: finish() waits for it and fails with it. */
  outcome(facts: OutcomeFacts & { readonly account: string }): Promise<void>;
  /** The run's own outcome, its last record. */
  finish(facts: OutcomeFacts): Promise<void>;
}

interface Pending {
  readonly record: RecordBody;
  /** Something waits for it (a session about to be used, a change about to be made, the run's start or end). */
  readonly urgent: boolean;
  readonly resolve: () => void;
  readonly reject: (error: RunbookError) => void;
}

/** Counts, for -v and the benchmarks: how many records went out in how many fsync'd flushes. */
export interface TrailStats {
  records: number;
  flushes: number;
}

/** A batch written to the log whose fsync is running: the lock is held until it is on disk. */
interface InFlight {
  readonly fd: number;
  readonly release: () => void;
  readonly batch: Pending[];
  /** The seq and hash of the last line written so far under this lock (a signal's write continues from it). */
  seq: number;
  prev: string;
}

/** The log as this process's last write left it: its identity, and the number and hash of its last line. */
interface KnownEnd {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly seq: number;
  readonly prev: string;
}

class TrailFile {
  private pending: Pending[] = [];
  /** Some queued record has something waiting for it: flush at the end of this turn. */
  private urgent = false;
  private scheduled = false;
  /** The deferred start of the next flush (the group-commit gap), cleared when a flush takes the queue. */
  private startTimer: NodeJS.Timeout | undefined;
  private lastStart = -Infinity;
  private lazyTimer: NodeJS.Timeout | undefined;
  /** When a record that something waits for was last queued or written: lazy ones wait only while they come. */
  private lastUrgentAt = -Infinity;
  private inFlight: InFlight | undefined;
  private known: KnownEnd | undefined;
  readonly stats: TrailStats = { records: 0, flushes: 0 };

  constructor(readonly path: string) {}

  append(record: RecordBody, lazy = false): Promise<void> {
    return new Promise((resolve, reject) => {
      const now = Date.now();
      // A lazy record with no urgent traffic around would wait for nothing: it goes at once.
      const waits = lazy && now - this.lastUrgentAt < LAZY_MS;
      if (!waits) {
        this.urgent = true;
        if (!lazy) this.lastUrgentAt = now;
      }
      this.pending.push({ record, urgent: !lazy, resolve, reject });
      this.schedule();
    });
  }

  /** Makes what is queued go with the next flush, lazy records included (finish: the run's last record). */
  hurry(): void {
    if (this.pending.length === 0) return;
    this.urgent = true;
    this.schedule();
  }

  /**
   * One flush at a time: what is queued while a batch is being fsync'd goes out in the next one. A queue of lazy
   * records only gets a timer.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight !== undefined || this.pending.length === 0) return;
    if (!this.urgent) {
      this.lazyTimer ??= setTimeout(() => {
        this.lazyTimer = undefined;
        this.hurry();
      }, LAZY_MS);
      return;
    }
    this.clearTimers();
    this.scheduled = true;
    const wait = this.lastStart + GROUP_MS - Date.now();
    this.startTimer = wait > 0 ? setTimeout(() => this.start(), wait) : undefined;
    if (wait <= 0) setImmediate(() => this.start());
  }

  private clearTimers(): void {
    clearTimeout(this.lazyTimer);
    clearTimeout(this.startTimer);
    this.lazyTimer = undefined;
    this.startTimer = undefined;
  }

  /** Takes every queued record for a flush. */
  private take(): Pending[] {
    this.urgent = false;
    this.scheduled = false;
    this.clearTimers();
    return this.pending.splice(0);
  }

  /** Writes the queued batch under the lock, then fsyncs it on the thread pool. */
  private start(): void {
    // A start that flushNow overtook, or one left from before it: the queue is flushNow's or a later start's.
    if (!this.scheduled || this.inFlight !== undefined) return;
    const batch = this.take();
    if (batch.length === 0) return;
    this.lastStart = Date.now();
    let flight: InFlight;
    try {
      flight = { ...this.write(batch.map((p) => p.record)), batch };
    } catch (error) {
      this.fail(batch, error);
      return;
    }
    this.inFlight = flight;
    fsyncLater(flight.fd, (error) => this.land(flight, error));
  }

  private land(flight: InFlight, error: Error | null): void {
    if (this.inFlight === flight) this.inFlight = undefined;
    if (flight.batch.some((p) => p.urgent)) this.lastUrgentAt = Date.now();
    try {
      if (error !== null) throw error;
      this.writeHead(flight.seq, flight.prev);
    } catch (failure) {
      this.fail(flight.batch, failure);
      return;
    } finally {
      closeSync(flight.fd);
      flight.release();
      this.schedule();
    }
    this.done(flight.batch);
  }

  /**
   * Writes and fsyncs everything queued before returning: for a signal handler, which cannot wait. A batch whose
   * fsync is still running is covered too (this process holds the lock, and one fsync makes both durable).
   */
  flushNow(): void {
    const batch = this.take();
    const flight = this.inFlight;
    if (flight !== undefined) {
      try {
        if (batch.length > 0) {
          appendAll(
            flight.fd,
            this.lines(
              batch.map((p) => p.record),
              flight,
              false,
            ),
          );
          this.remember(flight.fd, flight);
        }
        fsyncNow(flight.fd);
        this.writeHead(flight.seq, flight.prev);
      } catch (error) {
        this.fail(batch, error);
        return;
      }
      this.done(batch);
      return;
    }
    if (batch.length === 0) return;
    try {
      const written = this.write(batch.map((p) => p.record));
      try {
        fsyncNow(written.fd);
        this.writeHead(written.seq, written.prev);
      } finally {
        closeSync(written.fd);
        written.release();
      }
    } catch (error) {
      this.fail(batch, error);
      return;
    }
    this.done(batch);
  }

  private done(batch: Pending[]): void {
    if (batch.length === 0) return;
    this.stats.records += batch.length;
    this.stats.flushes += 1;
    batch.forEach((p) => p.resolve());
  }

  private fail(batch: Pending[], error: unknown): void {
    this.known = undefined;
    const failure = trailError(this.path, error);
    batch.forEach((p) => p.reject(failure));
  }

  /**
   * Takes the lock and appends `records` (not yet fsync'd), chained to whatever the log ends with now. Returns
   * the open descriptor and the lock's release, both the caller's to close once the fsync is done.
   */
  private write(records: RecordBody[]): { fd: number; release: () => void; seq: number; prev: string } {
    const release = lockSync(lockPath(this.path));
    let fd: number | undefined;
    try {
      fd = openForAppend(this.path);
      const stat = fstatSync(fd, { bigint: true });
      if (!stat.isFile()) throw new Error('it is not a regular file');
      const known = this.known;
      const unchanged =
        known !== undefined &&
        known.dev === stat.dev &&
        known.ino === stat.ino &&
        known.size === stat.size &&
        known.mtimeNs === stat.mtimeNs &&
        known.ctimeNs === stat.ctimeNs;
      // Unchanged since our last write: its tail is the one we wrote, and its head the one we wrote after it.
      const tail = unchanged ? { seq: known.seq + 1, prev: known.prev, torn: false } : readTail(fd, Number(stat.size));
      const notice = unchanged ? undefined : headProblem(this.path, tail);
      const all = notice === undefined ? records : [noticeRecord(runOf(records[0]), notice), ...records];
      const position = { seq: tail.seq - 1, prev: tail.prev };
      appendAll(fd, this.lines(all, position, tail.torn));
      this.remember(fd, position);
      return { fd, release, ...position };
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      release();
      throw error;
    }
  }

  /** Notes the log's state right after a write of ours under the lock, ending at `position`. */
  private remember(fd: number, position: { seq: number; prev: string }): void {
    this.known = undefined;
    const stat = fstatSync(fd, { bigint: true });
    this.known = {
      dev: stat.dev,
      ino: stat.ino,
      size: stat.size,
      mtimeNs: stat.mtimeNs,
      ctimeNs: stat.ctimeNs,
      seq: position.seq,
      prev: position.prev,
    };
  }

  /** The bytes of `records` after the line at `position`, which is moved to the last of them. */
  private lines(records: RecordBody[], position: { seq: number; prev: string }, torn: boolean): Buffer {
    const lines: string[] = torn ? [''] : [];
    for (const record of records) {
      const line = recordLine(position.seq + 1, position.prev, record);
      lines.push(line);
      position.prev = sha256(line);
      position.seq += 1;
    }
    return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  }

  /** Always under the lock, with the position of the last line written under it (a flushNow moves it forward). */
  private writeHead(seq: number, prev: string): void {
    overwriteSmallFile(headPath(this.path), `${JSON.stringify({ seq, sha256: prev })}\n`);
  }
}

const runOf = (record: RecordBody) => ({ id: record.run, runbook: String(record.runbook) });

interface Tail {
  /** The seq the next line gets. */
  seq: number;
  /** The hash of the last line (of the cut-off bytes when the log ends mid-line). */
  prev: string;
  /** The log ends without a newline: a write was cut short. The cut-off bytes become a line of their own. */
  torn: boolean;
}

/** Reads the end of the log: the last line's hash and seq, reading further back when a line is long. */
function readTail(fd: number, size: number): Tail {
  if (size === 0) return { seq: 1, prev: GENESIS, torn: false };
  for (let span = 64 * 1024; ; span *= 4) {
    const start = Math.max(0, size - span);
    const chunk = Buffer.alloc(size - start);
    readSync(fd, chunk, 0, chunk.length, start);
    const torn = chunk[chunk.length - 1] !== 0x0a;
    const end = torn ? chunk.length : chunk.length - 1;
    const cut = chunk.lastIndexOf(0x0a, end - 1);
    if (cut === -1 && start > 0) continue; // the last line is longer than the span
    const last = chunk.subarray(cut + 1, end);
    const prev = sha256(last);
    if (!torn) {
      const record = parseRecord(last.toString('utf8'));
      if (record !== undefined) return { seq: record.seq + 1, prev, torn };
    } else if (cut !== -1) {
      const before = chunk.lastIndexOf(0x0a, cut - 1);
      const record = parseRecord(chunk.subarray(before + 1, cut).toString('utf8'));
      if (record !== undefined && (before !== -1 || start === 0)) return { seq: record.seq + 2, prev, torn };
    }
    // Not a record (edited, or never one): number the next line by counting lines, which is always right.
    return { seq: countLines(fd, size) + (torn ? 2 : 1), prev, torn };
  }
}

function countLines(fd: number, size: number): number {
  const chunk = Buffer.alloc(1024 * 1024);
  let lines = 0;
  for (let at = 0; at < size; ) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
    if (n <= 0) break;
    for (let i = 0; i < n; i += 1) if (chunk[i] === 0x0a) lines += 1;
    at += n;
  }
  return lines;
}

/** Whether the log is shorter than its head says, or its last line is not the one the head names. */
function headProblem(path: string, tail: Tail): string | undefined {
  let head: { seq?: unknown; sha256?: unknown };
  try {
    head = JSON.parse(readStart(headPath(path), 4096).toString('utf8')) as typeof head;
  } catch {
    return undefined; // no head yet (or a lost one): nothing to compare
  }
  const last = tail.seq - 1;
  if (typeof head.seq !== 'number') return undefined;
  if (head.seq > last) {
    return `the log ends at line ${last}, but its head says ${head.seq} lines were written: lines were removed`;
  }
  if (head.seq === last && !tail.torn && head.sha256 !== tail.prev) {
    return `line ${last} is not the line the head recorded: it was replaced`;
  }
  return undefined;
}

/** The first `max` bytes of a file, never through a symbolic link. */
function readStart(path: string, max: number): Buffer {
  const fd = openForRead(path);
  try {
    const buffer = Buffer.alloc(max);
    return buffer.subarray(0, readSync(fd, buffer, 0, max, 0));
  } finally {
    closeSync(fd);
  }
}

const openForRead = (path: string): number => openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);

/** A trail write that failed: `opening` when no AWS request has been made yet. */
function trailError(path: string, error: unknown, opening = false): RunbookError {
  if (error instanceof RunbookError) return error;
  const e = error as NodeJS.ErrnoException;
  const why =
    error instanceof LockTimeout
      ? `its lock ${error.path} is held by ${error.holder ?? 'another process'}`
      : e.code === 'ELOOP'
        ? 'it is a symbolic link'
        : e.code === 'EISDIR'
          ? 'it is a directory'
          : e.code !== undefined && !e.message.startsWith(e.code)
            ? `${e.code}: ${e.message}`
            : e.message;
  return new RunbookError('AuditLogFailed', `cannot write the audit log ${path}: ${why}`, {
    hint: opening
      ? 'nothing was done and no AWS request was made; fix --audit-log (or RUNBOOK_AUDIT_LOG) and run again'
      : 'the run stopped: no change is made without its record; fix the audit log and run again',
    cause: error,
  });
}

/**
 * The checks before the first write: the folder exists (created 0700) and nobody but its owner (or root) can
 * write it, the log is a regular file reached without a symbolic link, owner-only (0600, tightened when it is
 * ours), and either empty or a trail (its first line is record 1), never some other file.
 */
function prepare(path: string): void {
  const existing = lstatOrUndefined(path);
  if (existing?.isSymbolicLink()) throw refusal(path, 'it is a symbolic link', 'give the path of the file itself');
  if (existing?.isDirectory()) throw refusal(path, 'it is a directory', 'give a file path for --audit-log');
  if (existing !== undefined && !existing.isFile()) {
    throw refusal(path, 'it is not a regular file', 'give a file path for --audit-log');
  }
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const folder = statSync(dir);
  if (!folder.isDirectory()) throw new Error(`${dir} is not a directory`);
  const me = process.getuid?.();
  if ((folder.mode & 0o022) !== 0) {
    const who = [folder.mode & 0o020 ? 'its group' : '', folder.mode & 0o002 ? 'others' : ''].filter(Boolean);
    throw refusal(
      path,
      `its folder ${dir} can be written by ${who.join(' and ')} (mode ${mode(folder.mode)}), so they could replace the log`,
      `chmod 700 ${dir}, or choose another --audit-log`,
    );
  }
  if (me !== undefined && folder.uid !== me && folder.uid !== 0) {
    throw refusal(path, `its folder ${dir} belongs to uid ${folder.uid}, not to you`, 'choose a folder of your own');
  }
  const fd = openForAppend(path);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refusal(path, 'it is not a regular file', 'choose a file for --audit-log');
    if ((stat.mode & 0o077) !== 0) {
      if (me !== undefined && stat.uid !== me) {
        throw refusal(path, `it is readable by others (mode ${mode(stat.mode)}) and not yours to fix`, 'chmod 600 it');
      }
      fchmodSync(fd, 0o600);
    }
    if (stat.size > 0) checkIsTrail(path);
  } finally {
    closeSync(fd);
  }
}

const mode = (m: number): string => `0${(m & 0o7777).toString(8)}`;

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function checkIsTrail(path: string): void {
  const start = readStart(path, 64 * 1024);
  const end = start.indexOf(0x0a);
  const first = start.subarray(0, end === -1 ? start.length : end).toString('utf8');
  const record = parseRecord(first);
  if (record !== undefined && record.seq === 1 && record.prev === GENESIS) return;
  // The very first write of a log, cut short by a crash: the next write completes the line and continues.
  if (end === -1 && first.startsWith('{"v":1,"seq":1,')) return;
  throw refusal(
    path,
    'it is not a runbook audit trail (its first line is not record 1 of a version-1 trail)',
    'point --audit-log at a new file (logs written before the hash-chained trail cannot be continued)',
  );
}

function refusal(path: string, why: string, hint: string): RunbookError {
  return new RunbookError('AuditLogFailed', `cannot write the audit log ${path}: ${why}`, {
    hint: `nothing was done and no AWS request was made; ${hint}`,
  });
}

const files = new Map<string, TrailFile>();
const openRuns = new Set<Run>();

function fileFor(path: string): TrailFile {
  let file = files.get(path);
  if (file === undefined) {
    file = new TrailFile(path);
    files.set(path, file);
  }
  return file;
}

class Run implements TrailRun {
  readonly id = randomUUID();
  readonly started = Date.now();
  /** finish() or an interrupt has begun writing the last record. */
  closing = false;
  private caller: CallerFacts | undefined;
  private callerLookup: Promise<void> | undefined;
  private broken: RunbookError | undefined;
  private readonly secrets = new Secrets();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly file: TrailFile,
    readonly runbook: string,
  ) {}

  get path(): string {
    return this.file.path;
  }

  identify(caller: CallerFacts | Promise<CallerFacts | undefined>): void {
    if (!(caller instanceof Promise)) {
      this.caller = caller;
      return;
    }
    this.callerLookup = caller.then(
      (known) => void (this.caller = known ?? this.caller),
      () => undefined,
    );
  }

  assertWritable(): void {
    if (this.broken !== undefined) throw this.broken;
  }

  append(record: RecordBody, lazy = false): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const written = this.file.append(record, lazy).catch((error: RunbookError) => {
      this.broken ??= error;
      throw error;
    });
    // A per-account outcome may be left un-awaited; finish() collects it, so it is never an unhandled rejection.
    this.inflight.add(written);
    written.then(
      () => this.inflight.delete(written),
      () => this.inflight.delete(written),
    );
    return written;
  }

  session(facts: SessionFacts, secrets: readonly (string | undefined)[] = []): Promise<void> {
    this.secrets.add(...secrets);
    const record = () => this.append(sessionRecord(this, facts, this.caller, this.secrets));
    // Queued at once unless the caller's identity is still being looked up (then right after it).
    return this.callerLookup === undefined ? record() : this.callerLookup.then(record);
  }

  change(facts: ChangeFacts): Promise<void> {
    return this.append(changeRecord(this, facts, this.secrets));
  }

  outcome(facts: OutcomeFacts & { readonly account: string }): Promise<void> {
    // Nothing is used or changed on the strength of it, so it may share the next session's fsync.
    return this.append(outcomeRecord(this, facts, { caller: this.caller }, this.secrets), true);
  }

  /** The outcome record of the run itself. */
  last(facts: OutcomeFacts): RecordBody {
    const extra = { caller: this.caller, durationMs: Date.now() - this.started };
    return outcomeRecord(this, { ...facts, account: undefined }, extra, this.secrets);
  }

  async finish(facts: OutcomeFacts): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.file.hurry();
    // The outcome names the caller and its role too: a run that fails fast still waits for the lookup in flight.
    await Promise.allSettled([...this.inflight, this.callerLookup]);
    const earlier = this.broken;
    try {
      // Written even after a failed write: the failure may have passed, and the outcome says what happened.
      await this.file.append(this.last(facts));
    } finally {
      openRuns.delete(this);
    }
    if (earlier !== undefined) throw earlier;
  }

  /** The interrupted record, queued for the synchronous flush of interruptOpenRuns. */
  interrupt(signal: NodeJS.Signals): void {
    this.closing = true;
    openRuns.delete(this);
    this.file.append(this.last({ outcome: 'interrupted', errorCode: signal })).catch(() => undefined);
  }
}

/**
 * Opens a run: checks the log and appends the intent record, fsync'd. Throws AuditLogFailed when the log cannot
 * be written; the caller has made no AWS request yet and must make none.
 */
export async function openRun(auditLog: string, intent: IntentFacts): Promise<TrailRun> {
  try {
    prepare(auditLog);
  } catch (error) {
    throw trailError(auditLog, error, true);
  }
  // One writer per file in this process, however the path is spelled (a second one would wait on our own lock).
  const run = new Run(fileFor(join(realpathSync(dirname(auditLog)), basename(auditLog))), intent.runbook);
  openRuns.add(run);
  try {
    await run.append(intentRecord(run, intent, new Secrets()));
  } catch (error) {
    openRuns.delete(run);
    throw trailError(auditLog, (error as RunbookError).cause ?? error, true);
  }
  return run;
}

/** The outcome a failed run records: its error code, and the outcome the code stands for. */
export function failureOutcome(error: unknown): OutcomeFacts {
  const code = error instanceof RunbookError ? error.code : 'Failed';
  const outcome: Outcome =
    code === 'NotConfirmed' ? 'not-confirmed' : code === 'ChangedSincePlan' ? 'changed-since-plan' : 'failed';
  return { outcome, errorCode: code };
}

/** True for the error of a trail write: a fleet run stops on it instead of going on to the next account. */
export const isTrailFailure = (error: unknown): boolean =>
  error instanceof RunbookError && error.code === 'AuditLogFailed';

/**
 * Runs `body` inside a run: the intent first (nothing of `body` runs when it cannot be written), then the outcome
 * `end` gives for the result, or the failure's outcome when `body` throws (with what `failed` adds; the error is
 * then rethrown).
 */
export async function withRun<T>(
  auditLog: string,
  intent: IntentFacts,
  body: (run: TrailRun) => Promise<T>,
  end: (result: T) => OutcomeFacts,
  failed: (error: unknown) => Omit<OutcomeFacts, 'outcome'> = () => ({}),
): Promise<T> {
  const run = await openRun(auditLog, intent);
  let result: T;
  try {
    result = await body(run);
  } catch (error) {
    await run.finish({ ...failed(error), ...failureOutcome(error) }).catch(() => undefined);
    throw error;
  }
  await run.finish(end(result));
  return result;
}

/**
 * Writes `interrupted` (with the signal as its error code) for every open run, synchronously: the CLI entry point
 * calls it from its signal handlers before exiting. Returns how many runs were open.
 */
export function interruptOpenRuns(signal: NodeJS.Signals): number {
  const open = [...openRuns].filter((run) => !run.closing);
  open.forEach((run) => run.interrupt(signal));
  files.forEach((file) => file.flushNow());
  return open.length;
}

/** Records and fsync'd flushes so far, over every log this process wrote. */
export function trailStats(): TrailStats {
  const total: TrailStats = { records: 0, flushes: 0 };
  files.forEach((file) => {
    total.records += file.stats.records;
    total.flushes += file.stats.flushes;
  });
  return total;
}
