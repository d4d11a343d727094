/**
 * Streaming renderers for the lock-out scan, in the audit's three formats: JSON (one array of rows), CSV and a
 * table. Each row is written as its account finishes and then dropped.
 */
import type { LockoutRow } from './lockout-scan';
import {
  columnsHeader,
  columnsLine,
  csvField,
  headedRenderer,
  jsonArrayRenderer,
  shorten,
  type AuditFormat,
  type RowRenderer,
  type Write,
} from './report';

export const LOCKOUT_CSV_COLUMNS = [
  'account',
  'region',
  'resource_type',
  'resource',
  'status',
  'locking_statements',
  'allowed_principals',
  'fix',
  'skipped',
  'error',
] as const;

export function lockoutCsvRow(r: LockoutRow): string {
  const fields: Record<(typeof LOCKOUT_CSV_COLUMNS)[number], string | null> = {
    account: r.account,
    region: r.region,
    resource_type: r.resourceType,
    resource: r.resource,
    status: r.status,
    locking_statements: r.lockingStatements.join(' '),
    allowed_principals: r.allowedPrincipals.join('; '),
    fix: r.fix,
    skipped: r.skipped,
    error: r.error ? `${r.error.code}: ${r.error.message}` : null,
  };
  return LOCKOUT_CSV_COLUMNS.map((column) => csvField(fields[column])).join(',');
}

const TABLE = [
  ['ACCOUNT', 12],
  ['REGION', 14],
  ['TYPE', 9],
  ['RESOURCE', 40],
  ['RESULT', 0],
] as const;

export function lockoutTableRow(r: LockoutRow): string {
  const result =
    r.status === 'skipped'
      ? `skipped: ${r.skipped}`
      : r.status === 'failed'
        ? `FAILED: ${r.error?.code}: ${r.error?.message}`
        : `LOCKED OUT by ${r.lockingStatements.join(', ')}; open only to ` +
          `${r.allowedPrincipals.length > 0 ? r.allowedPrincipals.join(', ') : 'the root user'}; fix: ${r.fix}`;
  return columnsLine(TABLE, [
    r.account,
    r.region ?? '-',
    r.resourceType ?? '-',
    shorten(r.resource ?? '-', 40),
    result,
  ]);
}

export function lockoutRenderer(format: AuditFormat, write: Write): RowRenderer<LockoutRow> {
  switch (format) {
    case 'json':
      return jsonArrayRenderer(write);
    case 'csv':
      return headedRenderer(write, LOCKOUT_CSV_COLUMNS.join(','), lockoutCsvRow);
    case 'table':
      return headedRenderer(write, columnsHeader(TABLE), lockoutTableRow);
  }
}
