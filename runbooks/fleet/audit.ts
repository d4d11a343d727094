/**
 * Root-credential audit of one account and of a fleet. Per account: one AssumeRoot with
 * IAMAuditRootUserCredentials, then GetAccountSummary and GetLoginProfile at once. The summary says whether the root
 * user has access keys, MFA devices or signing certificates, so a clean account costs three calls and two round
 * trips of latency; only the kinds it reports present are listed (and each access key's last use read).
 * Clients come in as parameters; nothing here constructs one.
 */
import type { SessionCredentials } from '../engine/clients';
import { isTrailFailure, type OutcomeFacts } from '../engine/trail';
import { runPool, type EmitOrder } from '../lib/pool';
import type { FleetAccount } from './accounts';
import type { RootIamOutput, RootIamReader } from './root-iam';
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

const isGone = (error: unknown): boolean => {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchEntity' || name === 'NoSuchEntityException';
};

type CredentialReads = Omit<RootIamReader, 'getAccountSummary'>;

const readLoginProfile = (iam: CredentialReads): Promise<RootCredentials['loginProfile']> =>
  iam.getLoginProfile({}).then(
    (out) => ({ createDate: iso(out.LoginProfile?.CreateDate) }),
    (error: unknown) => {
      if (isGone(error)) return null;
      throw error;
    },
  );

/** The root user's access keys; with `lastUsed`, each key's last use too (one GetAccessKeyLastUsed per key). */
const readAccessKeys = async (iam: CredentialReads, lastUsed: boolean): Promise<AccessKeyFound[]> => {
  const keys = await allPages(
    (Marker) => iam.listAccessKeys({ Marker }),
    (page) => page.AccessKeyMetadata,
  );
  return Promise.all(
    keys.map(async (key): Promise<AccessKeyFound> => {
      const last = lastUsed
        ? (await iam.getAccessKeyLastUsed({ AccessKeyId: key.AccessKeyId })).AccessKeyLastUsed
        : undefined;
      return {
        accessKeyId: key.AccessKeyId ?? '',
        status: key.Status ?? null,
        createDate: iso(key.CreateDate),
        lastUsed: last?.LastUsedDate
          ? { date: iso(last.LastUsedDate), service: last.ServiceName ?? null, region: last.Region ?? null }
          : null,
      };
    }),
  );
};

const readMfaDevices = async (iam: CredentialReads): Promise<MfaDeviceFound[]> =>
  (
    await allPages(
      (Marker) => iam.listMFADevices({ Marker }),
      (page) => page.MFADevices,
    )
  ).map((d) => ({ serialNumber: d.SerialNumber ?? '', enableDate: iso(d.EnableDate) }));

const readSigningCertificates = async (iam: CredentialReads): Promise<SigningCertificateFound[]> =>
  (
    await allPages(
      (Marker) => iam.listSigningCertificates({ Marker }),
      (page) => page.Certificates,
    )
  ).map((c) => ({ certificateId: c.CertificateId ?? '', status: c.Status ?? null, uploadDate: iso(c.UploadDate) }));

/** Which kinds of credentials to read. */
export type CredentialKinds = Readonly<Record<keyof RootCredentials, boolean>>;
export const ALL_KINDS: CredentialKinds = {
  loginProfile: true,
  accessKeys: true,
  mfaDevices: true,
  signingCertificates: true,
};

/**
 * Reads the chosen kinds of the root user's credentials at once (the others come back empty), listing each; what
 * delete-root-credentials verifies with, since its task policy has no GetAccountSummary.
 */
export async function readRootCredentials(
  iam: CredentialReads,
  kinds: CredentialKinds = ALL_KINDS,
  options: { lastUsed?: boolean } = {},
): Promise<RootCredentials> {
  const none = Promise.resolve([]);
  const [loginProfile, accessKeys, mfaDevices, signingCertificates] = await Promise.all([
    kinds.loginProfile ? readLoginProfile(iam) : null,
    kinds.accessKeys ? readAccessKeys(iam, options.lastUsed ?? true) : none,
    kinds.mfaDevices ? readMfaDevices(iam) : none,
    kinds.signingCertificates ? readSigningCertificates(iam) : none,
  ]);
  return { loginProfile, accessKeys, mfaDevices, signingCertificates };
}

type SummaryMap = NonNullable<RootIamOutput<'GetAccountSummary'>['SummaryMap']>;

/**
 * The audit's reads: GetAccountSummary with GetLoginProfile, then lists of only what the summary reports present. A
 * summary that lacks a flag (an IAM that does not report it) counts as present, so it is listed rather than missed.
 */
async function auditReads(
  iam: RootIamReader,
  lastUsed: boolean,
): Promise<{ found: RootCredentials; summary: SummaryMap }> {
  const [loginProfile, answer] = await Promise.all([readLoginProfile(iam), iam.getAccountSummary({})]);
  const summary = answer.SummaryMap ?? {};
  const present = (flag: number | undefined): boolean => flag === undefined || flag > 0;
  const rest = await readRootCredentials(
    iam,
    {
      loginProfile: false,
      accessKeys: present(summary.AccountAccessKeysPresent),
      mfaDevices: present(summary.AccountMFAEnabled),
      signingCertificates: present(summary.AccountSigningCertificatesPresent),
    },
    { lastUsed },
  );
  return { found: { ...rest, loginProfile }, summary };
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
  /** Whether to read each access key's last use (default true); a deletion plan needs only the ids. */
  keyLastUsed?: boolean;
}

/** Audits one account. It never throws: a failure becomes `status: 'failed'` with the error. */
export async function auditAccount(deps: AuditDeps, account: FleetAccount): Promise<AccountAudit> {
  const result = blank(account);
  if (account.skip) return { ...result, skipped: account.skip };
  try {
    const { found, summary } = await withRootSession(deps.assumeRoot, account.id, 'audit', (credentials) =>
      withClient(deps.iamFor, credentials, (iam) => auditReads(iam, deps.keyLastUsed ?? true)),
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
