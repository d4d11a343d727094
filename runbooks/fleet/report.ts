/**
 * Streaming renderers for the fleet audit: each result is written as it arrives and then dropped, so output of
 * any size needs constant memory. JSON is one array written element by element; CSV and the table write a header
 * first and one row per account.
 */
import { hasRootCredentials, type AccountAudit } from './audit';

export type AuditFormat = 'table' | 'json' | 'csv';
export const AUDIT_FORMATS: readonly AuditFormat[] = ['table', 'json', 'csv'];

/** Where rendered text goes; a promise means "wait before writing more" (stdout backpressure). */
export type Write = (text: string) => void | Promise<void>;

export interface AuditRenderer {
  row(audit: AccountAudit): void | Promise<void>;
  end(): void | Promise<void>;
}

export function auditRenderer(format: AuditFormat, write: Write): AuditRenderer {
  switch (format) {
    case 'json':
      return jsonRenderer(write);
    case 'csv':
      return csvRenderer(write);
    case 'table':
      return tableRenderer(write);
  }
}

function jsonRenderer(write: Write): AuditRenderer {
  let first = true;
  return {
    row: (audit) => {
      const text = (first ? '[\n' : ',\n') + JSON.stringify(audit);
      first = false;
      return write(text);
    },
    end: () => write(first ? '[]\n' : '\n]\n'),
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

function csvRenderer(write: Write): AuditRenderer {
  let headerDone = false;
  return {
    row: (audit) => {
      const header = headerDone ? '' : CSV_COLUMNS.join(',') + '\n';
      headerDone = true;
      return write(header + csvRow(audit) + '\n');
    },
    end: () => (headerDone ? undefined : write(CSV_COLUMNS.join(',') + '\n')),
  };
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

function tableLine(cells: string[]): string {
  return cells
    .map((cell, i) => (TABLE[i][1] === 0 ? cell : cell.padEnd(TABLE[i][1])))
    .join('  ')
    .trimEnd();
}

const shorten = (text: string, width: number): string => (text.length <= width ? text : text.slice(0, width - 1) + '…');

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

function tableRenderer(write: Write): AuditRenderer {
  let headerDone = false;
  const header = () => (headerDone ? '' : ((headerDone = true), tableLine(TABLE.map(([title]) => title)) + '\n'));
  return {
    row: (audit) => write(header() + tableRow(audit) + '\n'),
    end: () => {
      const text = header();
      return text ? write(text) : undefined;
    },
  };
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
