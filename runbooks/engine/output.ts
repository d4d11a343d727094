/**
 * Results go to stdout: a short text block, or with --json exactly one JSON object. Everything else
 * (logs, prompts, errors) goes to stderr, so `--json` output can be piped as is.
 */
import type { Writer } from './io';
import { redact } from './redact';
import type { Outcome } from './trail-record';

/** A run's status in its result: the outcome its audit record carries (a run that prints was not interrupted). */
export type Status = Exclude<Outcome, 'interrupted'>;

export interface RunResult {
  readonly runbook: string;
  readonly account: string;
  readonly region: string | null;
  /** Bucket name, queue URL, or `root user`. */
  readonly resource: string | null;
  readonly status: Status;
  /** One sentence: what happened or would happen. */
  readonly summary: string;
  readonly backup: string | null;
  readonly rootAccessKeyId: string | null;
  readonly details: Record<string, unknown>;
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
}

export function writeResult(out: Writer, json: boolean, result: RunResult, secrets: readonly string[] = []): void {
  const safe = redact(result, secrets);
  if (json) {
    out.write(`${JSON.stringify(safe)}\n`);
    return;
  }
  const rows: [string, unknown][] = [
    ['account', safe.account],
    ['region', safe.region],
    ['resource', safe.resource],
    ['backup', safe.backup],
    ['root session', safe.rootAccessKeyId],
    ...Object.entries(safe.details),
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  const lines = rows
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `  ${key.padEnd(width)}  ${formatValue(value, width + 4)}`);
  out.write(`${safe.runbook}: ${safe.status}: ${safe.summary}\n${lines.join('\n')}\n`);
}

/** Text mode: policies pretty-printed, lists one item per line, objects as `key: value; …`. */
function formatValue(value: unknown, indent: number): string {
  if (typeof value === 'string') {
    const policy = prettyJson(value);
    return indentLines(policy ?? value, indent);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return indentLines(value.map((item) => inline(item)).join('\n'), indent);
  }
  return inline(value);
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => inline(item)).join(', ');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, item]) => `${key}: ${inline(item)}`)
      .join('; ');
  }
  return String(value);
}

function prettyJson(text: string): string | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

function indentLines(text: string, indent: number): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : `${' '.repeat(indent)}${line}`))
    .join('\n');
}
