/**
 * Streaming renderers for the fleet audit: each result is written as it arrives and then dropped, so output of
 * any size needs constant memory. JSON is one array written element by element; CSV and the table write a header
 * first and one row per account.
 */
import { createProgress, type Progress, type ProgressStream } from '../lib/progress';
import { hasRootCredentials, type AccountAudit } from './audit';

export type AuditFormat = 'table' | 'json' | 'csv';
export const AUDIT_FORMATS: readonly AuditFormat[] = ['table', 'json', 'csv'];

/** Where rendered text goes; a promise means "wait before writing more" (stdout backpressure). */
export type Write = (text: string) => void | Promise<void>;

/** Writes a stream of rows in one format: `row` per item as it arrives, `end` once. */
export interface RowRenderer<T> {
  row(item: T): void | Promise<void>;
  end(): void | Promise<void>;
}

export type AuditRenderer = RowRenderer<AccountAudit>;

export function auditRenderer(format: AuditFormat, write: Write): AuditRenderer {
  switch (format) {
    case 'json':
      return jsonArrayRenderer(write);
    case 'csv':
      return headedRenderer(write, CSV_COLUMNS.join(','), csvRow);
    case 'table':
      return headedRenderer(write, columnsHeader(TABLE), tableRow);
  }
}

/** One JSON array, written element by element (`[]` when there is none). */
export function jsonArrayRenderer<T>(write: Write): RowRenderer<T> {
  let first = true;
  return {
    row: (item) => {
      const text = (first ? '[\n' : ',\n') + JSON.stringify(item);
      first = false;
      return write(text);
    },
    end: () => write(first ? '[]\n' : '\n]\n'),
  };
}

/** A header line, then one line per row; the header alone when there are no rows. */
export function headedRenderer<T>(write: Write, header: string, line: (item: T) => string): RowRenderer<T> {
  let headerDone = false;
  const head = () => (headerDone ? '' : ((headerDone = true), `${header}\n`));
  return {
    row: (item) => write(head() + line(item) + '\n'),
    end: () => {
      const text = head();
      return text ? write(text) : undefined;
    },
  };
}

export const CSV_COLUMNS = [
  'account',
  'name',
  'status',
  'root_credentials',
  'login_profile',
  'access_keys',
  'access_key_ids',
  'mfa_devices',
  'mfa_serials',
  'signing_certificates',
  'certificate_ids',
  'skipped',
  'error',
] as const;

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not evaluate names as formulas. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const count = (list: unknown[] | null): number | null => (list === null ? null : list.length);
const ids = (list: string[] | undefined): string | null => (list === undefined ? null : list.join(' '));

export function csvRow(audit: AccountAudit): string {
  const fields: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null> = {
    account: audit.account,
    name: audit.name,
    status: audit.status,
    root_credentials: audit.status === 'audited' ? hasRootCredentials(audit) : null,
    login_profile: audit.status === 'audited' ? audit.loginProfile !== null : null,
    access_keys: count(audit.accessKeys),
    access_key_ids: ids(audit.accessKeys?.map((k) => k.accessKeyId)),
    mfa_devices: count(audit.mfaDevices),
    mfa_serials: ids(audit.mfaDevices?.map((d) => d.serialNumber)),
    signing_certificates: count(audit.signingCertificates),
    certificate_ids: ids(audit.signingCertificates?.map((c) => c.certificateId)),
    skipped: audit.skipped,
    error: audit.error ? `${audit.error.code}: ${audit.error.message}` : null,
  };
  return CSV_COLUMNS.map((column) => csvField(fields[column])).join(',');
}

const TABLE = [
  ['ACCOUNT', 12],
  ['NAME', 24],
  ['LOGIN', 5],
  ['KEYS', 4],
  ['MFA', 3],
  ['CERTS', 5],
  ['RESULT', 0],
] as const;

/** One line of a table of fixed-width columns ([title, width]; width 0: the last column, not padded). */
export function columnsLine(columns: readonly (readonly [string, number])[], cells: readonly string[]): string {
  return cells
    .map((cell, i) => (columns[i][1] === 0 ? cell : cell.padEnd(columns[i][1])))
    .join('  ')
    .trimEnd();
}

/** The header line of such a table. */
export const columnsHeader = (columns: readonly (readonly [string, number])[]): string =>
  columnsLine(
    columns,
    columns.map(([title]) => title),
  );

const tableLine = (cells: string[]): string => columnsLine(TABLE, cells);

export const shorten = (text: string, width: number): string =>
  text.length <= width ? text : text.slice(0, width - 1) + '…';

export function tableRow(audit: AccountAudit): string {
  const n = (list: unknown[] | null): string => (list === null ? '-' : String(list.length));
  const result =
    audit.status === 'skipped'
      ? `skipped: ${audit.skipped}`
      : audit.status === 'failed'
        ? `FAILED: ${audit.error?.code}: ${audit.error?.message}`
        : hasRootCredentials(audit)
          ? 'ROOT CREDENTIALS PRESENT'
          : 'clean';
  return tableLine([
    audit.account,
    shorten(audit.name ?? '', 24),
    audit.status === 'audited' ? (audit.loginProfile ? 'yes' : 'no') : '-',
    n(audit.accessKeys),
    n(audit.mfaDevices),
    n(audit.signingCertificates),
    result,
  ]);
}

/**
 * Progress on stderr for a command whose rows stream to stdout. Rows streaming to a terminal are progress enough:
 * a bar redrawn on the same terminal would tear them, so there it writes nothing.
 */
export function rowsProgress(io: { stdout: object; stderr: object }, label: string): Progress {
  const rowsOnTerminal = (io.stdout as { isTTY?: boolean }).isTTY === true;
  return createProgress(rowsOnTerminal ? { write: () => undefined } : (io.stderr as ProgressStream), { label });
}

/** A Write that honours backpressure when the writer is a Node stream (stdout piped into a slow reader). */
export function streamWrite(out: {
  write(text: string): unknown;
  once?: (event: 'drain', cb: () => void) => unknown;
}): Write {
  return (text) => {
    if (out.write(text) !== false || out.once === undefined) return;
    return new Promise<void>((resolve) => out.once?.('drain', () => resolve()));
  };
}
