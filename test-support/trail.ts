/**
 * Reading the audit trail in tests and benchmarks: the records of a log, and one run's records by type. Parsing
 * is strict (a line that is not JSON fails the caller), so a broken log cannot pass for an empty one.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface Rec extends Record<string, unknown> {
  readonly seq: number;
  readonly run: string;
  readonly type: 'intent' | 'session' | 'change' | 'outcome' | 'notice';
  readonly runbook: string;
}

/**
 * Every record of the log in order ([] when there is no log); throws naming a line that is not JSON. With
 * `tornTail`, a last line without its newline is left out instead: what a write cut off by a full disk leaves
 * (the trail writes nothing after it, and `runbook log verify` reports it).
 */
export function trailRecords(path: string, options: { tornTail?: boolean } = {}): Rec[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  if (options.tornTail) lines.pop();
  return lines
    .filter((line) => line !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Rec;
      } catch {
        throw new Error(`audit log ${path} line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** The records of the last run of `runbook` (or of the last run at all), in order. */
export function lastRun(records: Rec[], runbook?: string): Rec[] {
  const intents = records.filter((r) => r.type === 'intent' && (runbook === undefined || r.runbook === runbook));
  const last = intents[intents.length - 1];
  return last === undefined ? [] : records.filter((r) => r.run === last.run);
}

export const ofType = (records: Rec[], type: Rec['type']): Rec[] => records.filter((r) => r.type === type);

/** The run's own outcome (the one without an account). */
export const runOutcome = (records: Rec[]): Rec | undefined =>
  records.find((r) => r.type === 'outcome' && r.account === null);
