/**
 * `runbook log verify`, the core: walks the log once and checks that every line is a record, numbered one after
 * the other, chained to the line before it by SHA-256, and that the log ends where its head file says. It names
 * the first line that breaks the chain and why (edited, deleted, reordered, truncated), and lists the runs that
 * have an intent but no outcome (crashed or killed; a recorded change means it may have changed something).
 */
import { hostname } from 'node:os';
import { GENESIS, parseRecord, sha256, type TrailRecord } from './trail-record';
import { eachLine } from './trail-read';
import { headPath } from './trail';
import { badInput } from './errors';

export type ProblemKind = 'edited' | 'deleted' | 'reordered' | 'truncated' | 'damage-noted';

export interface Problem {
  readonly line: number;
  readonly kind: ProblemKind;
  readonly message: string;
}

export interface OpenRun {
  readonly run: string;
  readonly runbook: string;
  readonly started: string;
  readonly line: number;
  readonly pid: number | null;
  readonly host: string | null;
  /** A change record was written: the run may have changed something before it stopped. */
  readonly mayHaveChanged: boolean;
  /** Its process is still alive on this host: it may simply not be done yet. */
  readonly running: boolean;
}

export interface VerifyReport {
  readonly log: string;
  readonly ok: boolean;
  readonly lines: number;
  readonly runs: number;
  readonly head: { readonly seq: number; readonly sha256: string } | null;
  /** The first problem; the ones after it are counted only (one break often causes the next). */
  readonly problem: Problem | null;
  readonly problems: number;
  readonly openRuns: OpenRun[];
}

function readHead(log: string): { seq: number; sha256: string } | null {
  let text = '';
  const found = eachLine(headPath(log), (line) => {
    if (line.number === 1) text = line.bytes.toString('utf8');
  });
  if (!found) return null;
  try {
    const head = JSON.parse(text) as { seq?: unknown; sha256?: unknown };
    return typeof head.seq === 'number' && typeof head.sha256 === 'string'
      ? { seq: head.seq, sha256: head.sha256 }
      : null;
  } catch {
    return null;
  }
}

const alive = (pid: number | null, host: string | null): boolean => {
  if (pid === null || host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Whether line `number`, read without its newline, is complete now: another run was writing it, not a cut. */
function completedSince(log: string, number: number, read: Buffer): boolean {
  let completed = false;
  eachLine(log, (line) => {
    if (line.number === number) completed = line.complete && line.bytes.subarray(0, read.length).equals(read);
  });
  return completed;
}

export function verifyTrail(log: string): VerifyReport {
  const head = readHead(log);
  const problems: Problem[] = [];
  const problem = (line: number, kind: ProblemKind, message: string): Problem => {
    const found = { line, kind, message };
    problems.push(found);
    return found;
  };
  // Gaps in the numbering: a gap whose records turn up later was a reordering, not a deletion.
  const gaps: { from: number; to: number; line: number; index: number }[] = [];
  const open = new Map<string, { record: TrailRecord; line: number; changed: boolean }>();
  const runs = new Set<string>();
  let prevHash = GENESIS;
  let prevSeq = 0;
  let lines = 0;
  let headLineHash: string | undefined;

  const exists = eachLine(log, ({ number, bytes, complete }) => {
    lines = number;
    const hash = sha256(bytes);
    if (head !== null && number === head.seq) headLineHash = hash;
    const record = complete ? parseRecord(bytes.toString('utf8')) : undefined;
    if (!complete && completedSince(log, number, bytes)) {
      lines = number - 1; // another run was writing it while it was read: not part of what was checked
    } else if (!complete) {
      problem(
        number,
        'truncated',
        `line ${number} is cut short (the log ends without a newline): a write did not finish`,
      );
    } else if (record === undefined) {
      problem(number, 'edited', `line ${number} is not a trail record: it was edited, or a write was cut short there`);
      prevSeq += 1; // it still takes a number: the writer numbers the next line after it
    } else {
      const gap = gaps.find((g) => record.seq >= g.from && record.seq <= g.to);
      if (gap !== undefined) {
        problems[gap.index] = {
          line: gap.line,
          kind: 'reordered',
          message: `line ${gap.line} is out of order: records it should follow come after it (lines were reordered)`,
        };
      }
      if (record.seq > prevSeq + 1) {
        const missing = record.seq - prevSeq - 1;
        gaps.push({ from: prevSeq + 1, to: record.seq - 1, line: number, index: problems.length });
        problem(
          number,
          'deleted',
          `${missing} line${missing > 1 ? 's' : ''} before line ${number} ${missing > 1 ? 'were' : 'was'} deleted (record ${prevSeq} is followed by record ${record.seq})`,
        );
      } else if (record.seq <= prevSeq) {
        problem(
          number,
          'reordered',
          `line ${number} is record ${record.seq}, after record ${prevSeq}: lines were reordered or repeated`,
        );
      } else if (record.prev !== prevHash) {
        problem(
          Math.max(1, number - 1),
          'edited',
          number === 1
            ? 'line 1 does not start a trail: it was edited, or the lines before it were removed'
            : `line ${number - 1} was edited: its hash no longer matches the "prev" of line ${number}`,
        );
      }
      prevSeq = record.seq;
      track(record, number);
    }
    prevHash = hash;
  });
  if (!exists) throw badInput(`no audit log at ${log}`, 'pass --audit-log <file> (or RUNBOOK_AUDIT_LOG)');

  function track(record: TrailRecord, line: number): void {
    runs.add(record.run);
    if (record.type === 'intent') open.set(record.run, { record, line, changed: false });
    else if (record.type === 'change') {
      const run = open.get(record.run);
      if (run !== undefined) run.changed = true;
    } else if (record.type === 'outcome' && record.account === null) open.delete(record.run);
    else if (record.type === 'notice') {
      problem(line, 'damage-noted', `line ${line}: a writer found the log damaged: ${String(record.problem)}`);
    }
  }

  if (head !== null) {
    if (head.seq > lines) {
      problem(
        lines,
        'truncated',
        `the log ends at line ${lines}, but its head says ${head.seq} lines were written: the end was cut off`,
      );
    } else if (headLineHash !== head.sha256) {
      problem(
        head.seq,
        'edited',
        `line ${head.seq} was edited: it is not the line the head recorded as the last one written`,
      );
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return {
    log,
    ok: problems.length === 0,
    lines,
    runs: runs.size,
    head,
    problem: problems[0] ?? null,
    problems: problems.length,
    openRuns: [...open.entries()].map(([run, { record, line, changed }]) => {
      const pid = typeof record.pid === 'number' ? record.pid : null;
      const host = typeof record.host === 'string' ? record.host : null;
      return {
        run,
        runbook: record.runbook,
        started: record.time,
        line,
        pid,
        host,
        mayHaveChanged: changed,
        running: alive(pid, host),
      };
    }),
  };
}

export function verifyLines(report: VerifyReport): string {
  const out: string[] = [];
  const head =
    report.head === null
      ? 'no head file (a cut-off end cannot be detected)'
      : `head ${report.head.seq} ${report.head.sha256.slice(0, 12)}…`;
  out.push(
    report.ok
      ? `${report.log}: intact: ${report.lines} records of ${report.runs} runs, ${head}`
      : `${report.log}: NOT intact: ${report.problem?.message}${report.problems > 1 ? ` (${report.problems} problems in all)` : ''}`,
  );
  if (report.openRuns.length > 0) {
    out.push('runs with an intent and no outcome:');
    for (const run of report.openRuns) {
      const state = run.running
        ? 'still running'
        : run.mayHaveChanged
          ? 'stopped after recording a change: it MAY HAVE CHANGED something; check the resource'
          : 'stopped before any change';
      out.push(
        `  ${run.started}  ${run.runbook}  run ${run.run} (line ${run.line}, pid ${run.pid ?? '?'} on ${run.host ?? '?'}): ${state}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
