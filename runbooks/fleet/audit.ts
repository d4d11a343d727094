/**
 * Root-credential audit of one account and of a fleet. Per account: one AssumeRoot with
 * IAMAuditRootUserCredentials, then every read at once, so an account costs two round trips of latency.
 * Clients come in as parameters; nothing here constructs one.
 */
import type { SessionCredentials } from '../engine/clients';
import { isTrailFailure, type OutcomeFacts } from '../engine/trail';
import { runPool, type EmitOrder } from '../lib/pool';
import type { FleetAccount } from './accounts';
import type { RootIamReader } from './root-iam';
import { withClient, withRootSession, type AssumeRootFn } from './account-session';

export interface AccessKeyFound {
  accessKeyId: string;
  status: string | null;
  createDate: string | null;
  lastUsed: { date: string | null; service: string | null; region: string | null } | null;
}
export interface MfaDeviceFound {
  serialNumber: string;
  enableDate: string | null;
}
export interface SigningCertificateFound {
  certificateId: string;
  status: string | null;
  uploadDate: string | null;
}
export interface RootCredentials {
  loginProfile: { createDate: string | null } | null;
  accessKeys: AccessKeyFound[];
  mfaDevices: MfaDeviceFound[];
  signingCertificates: SigningCertificateFound[];
}

/**
 * One line of the audit. The credential fields are null when they are unknown (skipped or failed), never an
 * empty list, so nobody can mistake an account that was not read for a clean one.
 */
export interface AccountAudit {
  account: string;
  name: string | null;
  status: 'audited' | 'skipped' | 'failed';
  skipped: string | null;
  loginProfile: RootCredentials['loginProfile'];
  accessKeys: AccessKeyFound[] | null;
  mfaDevices: MfaDeviceFound[] | null;
  signingCertificates: SigningCertificateFound[] | null;
  summary: { mfaEnabled: number; accessKeysPresent: number; signingCertificatesPresent: number } | null;
  error: { code: string; message: string } | null;
}

export function hasRootCredentials(audit: Pick<AccountAudit, 'status' | keyof RootCredentials>): boolean {
  return (
    audit.status === 'audited' &&
    (audit.loginProfile !== null ||
      (audit.accessKeys?.length ?? 0) > 0 ||
      (audit.mfaDevices?.length ?? 0) > 0 ||
      (audit.signingCertificates?.length ?? 0) > 0)
  );
}

const iso = (date: Date | undefined): string | null => (date ? new Date(date).toISOString() : null);

/** Follows IAM's Marker/IsTruncated pagination. */
async function allPages<O extends { IsTruncated?: boolean; Marker?: string }, I>(
  call: (marker?: string) => Promise<O>,
  items: (page: O) => I[] | undefined,
): Promise<I[]> {
  const out: I[] = [];
  let marker: string | undefined;
  do {
    const page = await call(marker);
    out.push(...(items(page) ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

/** Reads the root user's credentials with a root session. Exported for delete-root-credentials' verify step. */
export async function readRootCredentials(iam: Omit<RootIamReader, 'getAccountSummary'>): Promise<RootCredentials> {
  const [loginProfile, accessKeys, mfaDevices, signingCertificates] = await Promise.all([
    iam.getLoginProfile({}).then(
      (out) => ({ createDate: iso(out.LoginProfile?.CreateDate) }),
      (error: unknown) => {
        if (
          (error as { name?: string }).name === 'NoSuchEntity' ||
          (error as { name?: string }).name === 'NoSuchEntityException'
        )
          return null;
        throw error;
      },
    ),
    allPages(
      (Marker) => iam.listAccessKeys({ Marker }),
      (page) => page.AccessKeyMetadata,
    ).then((keys) =>
      Promise.all(
        keys.map(async (key): Promise<AccessKeyFound> => {
          const used = await iam.getAccessKeyLastUsed({ AccessKeyId: key.AccessKeyId });
          const last = used.AccessKeyLastUsed;
          return {
            accessKeyId: key.AccessKeyId ?? '',
            status: key.Status ?? null,
            createDate: iso(key.CreateDate),
            lastUsed: last?.LastUsedDate
              ? { date: iso(last.LastUsedDate), service: last.ServiceName ?? null, region: last.Region ?? null }
              : null,
          };
        }),
      ),
    ),
    allPages(
      (Marker) => iam.listMFADevices({ Marker }),
      (page) => page.MFADevices,
    ).then((devices) =>
      devices.map((d): MfaDeviceFound => ({ serialNumber: d.SerialNumber ?? '', enableDate: iso(d.EnableDate) })),
    ),
    allPages(
      (Marker) => iam.listSigningCertificates({ Marker }),
      (page) => page.Certificates,
    ).then((certs) =>
      certs.map(
        (c): SigningCertificateFound => ({
          certificateId: c.CertificateId ?? '',
          status: c.Status ?? null,
          uploadDate: iso(c.UploadDate),
        }),
      ),
    ),
  ]);
  return { loginProfile, accessKeys, mfaDevices, signingCertificates };
}

export function errorSummary(error: unknown): { code: string; message: string } {
  const e = error as { code?: string; name?: string; message?: string };
  return { code: e.code ?? e.name ?? 'Error', message: e.message ?? String(error) };
}

function blank(account: FleetAccount): AccountAudit {
  return {
    account: account.id,
    name: account.name ?? null,
    status: 'skipped',
    skipped: null,
    loginProfile: null,
    accessKeys: null,
    mfaDevices: null,
    signingCertificates: null,
    summary: null,
    error: null,
  };
}

export interface AuditDeps {
  assumeRoot: AssumeRootFn;
  /** An IAM reader signed with the given root session (the engine's client factory behind it). */
  iamFor: (credentials: SessionCredentials) => RootIamReader | Promise<RootIamReader>;
}

/** Audits one account. It never throws: a failure becomes `status: 'failed'` with the error. */
export async function auditAccount(deps: AuditDeps, account: FleetAccount): Promise<AccountAudit> {
  const result = blank(account);
  if (account.skip) return { ...result, skipped: account.skip };
  try {
    const { found, summary } = await withRootSession(deps.assumeRoot, account.id, 'audit', (credentials) =>
      withClient(deps.iamFor, credentials, async (iam) => {
        const [found, summary] = await Promise.all([readRootCredentials(iam), iam.getAccountSummary({})]);
        return { found, summary: summary.SummaryMap ?? {} };
      }),
    );
    return {
      ...result,
      status: 'audited',
      ...found,
      summary: {
        mfaEnabled: summary.AccountMFAEnabled ?? 0,
        accessKeysPresent: summary.AccountAccessKeysPresent ?? 0,
        signingCertificatesPresent: summary.AccountSigningCertificatesPresent ?? 0,
      },
    };
  } catch (error) {
    // The audit trail cannot be written: no further session may be taken, so the whole run stops here.
    if (isTrailFailure(error)) throw error;
    return { ...result, status: 'failed', error: errorSummary(error) };
  }
}

/** One audited (or failed) account's outcome for the trail: an audit reads only, so `unchanged` or `failed`. */
export function auditOutcome(audit: AccountAudit): OutcomeFacts & { account: string } {
  return {
    account: audit.account,
    outcome: audit.status === 'audited' ? 'unchanged' : 'failed',
    errorCode: audit.error?.code ?? null,
  };
}

export interface AuditTotals {
  accounts: number;
  audited: number;
  skipped: number;
  failed: number;
  withRootCredentials: number;
}

export interface RunAuditOptions extends AuditDeps {
  accounts: Iterable<FleetAccount> | AsyncIterable<FleetAccount>;
  /** Accounts audited at once. */
  concurrency?: number;
  /** 'input' (default) keeps the selection order; 'completion' emits as soon as an account is done. */
  order?: EmitOrder;
  /** Receives each account's result once; it is the only place results go, so memory stays flat. */
  sink: (audit: AccountAudit) => void | Promise<void>;
}

export const DEFAULT_CONCURRENCY = 32;

/** The programmatic fleet audit (the CLI's `audit` and the bench use it). Returns counts only. */
export async function runAudit(options: RunAuditOptions): Promise<AuditTotals> {
  const totals: AuditTotals = { accounts: 0, audited: 0, skipped: 0, failed: 0, withRootCredentials: 0 };
  await runPool(options.accounts, (account) => auditAccount(options, account), {
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    order: options.order ?? 'input',
    emit: (audit) => {
      totals.accounts++;
      totals[audit.status]++;
      if (hasRootCredentials(audit)) totals.withRootCredentials++;
      return options.sink(audit);
    },
  });
  return totals;
}
