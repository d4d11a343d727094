/**
 * delete-root-credentials, the core: plan from an audit, delete with IAMDeleteRootUserCredentials, and verify
 * by re-reading. Keys and certificates cannot be brought back, so the run (delete-run.ts) writes the plan to
 * disk before calling anything here; deletes treat NoSuchEntity as already done, so a re-run after a crash
 * finishes the job.
 */
import { isExpiredSession } from '../engine/aws-errors';
import type { SessionCredentials } from '../engine/clients';
import { isTrailFailure } from '../engine/trail';
import { badValue } from '../engine/validate';
import {
  errorSummary,
  readRootCredentials,
  type AccountAudit,
  type CredentialKinds,
  type RootCredentials,
} from './audit';
import { withClient, withRootSession, type AssumeRootFn } from './account-session';
import type { RootIamWriter } from './root-iam';

export type CredentialKind = 'login-profile' | 'access-keys' | 'mfa' | 'signing-certificates';
export const CREDENTIAL_KINDS: readonly CredentialKind[] = [
  'login-profile',
  'access-keys',
  'mfa',
  'signing-certificates',
];

/** Parses --only; without it every kind goes. */
export function parseOnly(value: string | undefined): CredentialKind[] {
  if (value === undefined) return [...CREDENTIAL_KINDS];
  const kinds = value
    .split(',')
    .map((kind) => kind.trim())
    .filter((kind) => kind !== '');
  const allowed = `a comma-separated list of ${CREDENTIAL_KINDS.join(', ')}`;
  if (kinds.length === 0) throw badValue('--only', value, allowed);
  for (const kind of kinds) {
    if (!(CREDENTIAL_KINDS as readonly string[]).includes(kind)) throw badValue('--only', kind, allowed);
  }
  return CREDENTIAL_KINDS.filter((kind) => kinds.includes(kind));
}

/** A set of root credentials by id: what exists, what goes, what went, or what remains. */
export interface CredentialSet {
  loginProfile: boolean;
  accessKeys: string[];
  mfaDevices: string[];
  signingCertificates: string[];
}

/** The same credentials, whatever order the lists come in. */
export function sameSet(a: CredentialSet, b: CredentialSet): boolean {
  const sorted = (set: CredentialSet) =>
    JSON.stringify([
      set.loginProfile,
      [...set.accessKeys].sort(),
      [...set.mfaDevices].sort(),
      [...set.signingCertificates].sort(),
    ]);
  return sorted(a) === sorted(b);
}

export const isEmptySet = (set: CredentialSet): boolean =>
  !set.loginProfile && set.accessKeys.length + set.mfaDevices.length + set.signingCertificates.length === 0;

export function toCredentialSet(found: RootCredentials): CredentialSet {
  return {
    loginProfile: found.loginProfile !== null,
    accessKeys: found.accessKeys.map((k) => k.accessKeyId),
    mfaDevices: found.mfaDevices.map((d) => d.serialNumber),
    signingCertificates: found.signingCertificates.map((c) => c.certificateId),
  };
}

/** The kinds chosen with --only, as the audit's read selection. */
export function kindsToRead(kinds: readonly CredentialKind[]): CredentialKinds {
  return {
    loginProfile: kinds.includes('login-profile'),
    accessKeys: kinds.includes('access-keys'),
    mfaDevices: kinds.includes('mfa'),
    signingCertificates: kinds.includes('signing-certificates'),
  };
}

/** Keeps only the kinds chosen with --only. */
export function onlyKinds(set: CredentialSet, kinds: readonly CredentialKind[]): CredentialSet {
  return {
    loginProfile: kinds.includes('login-profile') && set.loginProfile,
    accessKeys: kinds.includes('access-keys') ? set.accessKeys : [],
    mfaDevices: kinds.includes('mfa') ? set.mfaDevices : [],
    signingCertificates: kinds.includes('signing-certificates') ? set.signingCertificates : [],
  };
}

export interface AccountPlan {
  account: string;
  name: string | null;
  /** 'delete': something goes; 'nothing': audited and nothing (of the chosen kinds) exists. */
  status: 'delete' | 'nothing' | 'skipped' | 'failed';
  exists: CredentialSet | null;
  delete: CredentialSet | null;
  skipped: string | null;
  error: { code: string; message: string } | null;
}

/** A failed or skipped audit plans nothing and says so; it is never "nothing to delete". */
export function planFromAudit(audit: AccountAudit, kinds: readonly CredentialKind[]): AccountPlan {
  const base = { account: audit.account, name: audit.name, skipped: audit.skipped, error: audit.error };
  if (audit.status !== 'audited') return { ...base, status: audit.status, exists: null, delete: null };
  const exists = toCredentialSet({
    loginProfile: audit.loginProfile,
    accessKeys: audit.accessKeys ?? [],
    mfaDevices: audit.mfaDevices ?? [],
    signingCertificates: audit.signingCertificates ?? [],
  });
  const goes = onlyKinds(exists, kinds);
  return { ...base, status: isEmptySet(goes) ? 'nothing' : 'delete', exists, delete: goes };
}

/**
 * Adds MFA serials that only a deletion record still knows (see mfa-pending.ts) to an audited account's plan:
 * the device was deactivated by a run that crashed before deleting it, so the audit cannot list it.
 */
export function withPendingMfa(plan: AccountPlan, serials: readonly string[]): AccountPlan {
  if (plan.delete === null) return plan;
  const missing = serials.filter((serial) => !plan.delete?.mfaDevices.includes(serial));
  if (missing.length === 0) return plan;
  return {
    ...plan,
    status: 'delete',
    delete: { ...plan.delete, mfaDevices: [...plan.delete.mfaDevices, ...missing] },
  };
}

export interface AccountDeletion {
  account: string;
  name: string | null;
  /**
   * 'clean': nothing of the chosen kinds remains (verified by re-reading). 'changed-since-plan': the credentials
   * read right before the deletes were not the planned ones, so nothing was deleted in the account.
   */
  status: 'clean' | 'remaining' | 'failed' | 'changed-since-plan';
  deleted: CredentialSet;
  remaining: CredentialSet | null;
  /** The root session's access key id (the CloudTrail correlation key), when one was taken. */
  rootAccessKeyId: string | null;
  error: { code: string; message: string } | null;
}

const gone = (error: unknown): boolean => {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
};

/** Runs a delete; "already gone" counts as done, so the step can be repeated safely. */
async function idempotent(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!gone(error)) throw error;
  }
}

export interface DeleteDeps {
  assumeRoot: AssumeRootFn;
  iamFor: (credentials: SessionCredentials) => RootIamWriter | Promise<RootIamWriter>;
  /**
   * Called once per account after the re-read proved the credentials unchanged since the plan and right before
   * the first delete; the deletes wait for it (the audit trail's change record). Default: nothing to record.
   */
  beforeDeletes?: (account: string, rootAccessKeyId: string) => Promise<void>;
}

/**
 * Deletes the planned credentials of one account, then re-reads to verify. Right before the first delete the
 * credentials are read again: if they are not the planned ones (`exists`, of the chosen kinds), the account is
 * left untouched and reported 'changed-since-plan'. It never throws, except when the audit trail cannot be
 * written (then nothing more may be deleted anywhere): every other failure is reported on the account, together
 * with what was deleted before it and what remains.
 */
export async function deleteAccountCredentials(
  deps: DeleteDeps,
  plan: { account: string; name: string | null; exists: CredentialSet; delete: CredentialSet },
  kinds: readonly CredentialKind[],
): Promise<AccountDeletion> {
  const nothing = (): CredentialSet => ({
    loginProfile: false,
    accessKeys: [],
    mfaDevices: [],
    signingCertificates: [],
  });
  let deleted = nothing();
  let rootAccessKeyId: string | null = null;
  // Set once the change is recorded: a retry after an expired session then repeats the deletes without comparing
  // again (its own earlier deletes would look like a change).
  let recorded = false;
  const target = plan.delete;
  try {
    return await withRootSession(deps.assumeRoot, plan.account, 'delete-credentials', (session) =>
      withClient(deps.iamFor, session, async (iam): Promise<AccountDeletion> => {
        // A retry after an expired session starts the tally again; the repeated deletes answer "already gone".
        deleted = nothing();
        rootAccessKeyId = session.accessKeyId;
        if (!recorded) {
          // The chosen kinds only, ids only (no GetAccessKeyLastUsed): all the comparison needs.
          const read = await readRootCredentials(iam, kindsToRead(kinds), { lastUsed: false });
          const current = onlyKinds(toCredentialSet(read), kinds);
          if (!sameSet(current, onlyKinds(plan.exists, kinds))) {
            return {
              account: plan.account,
              name: plan.name,
              status: 'changed-since-plan',
              deleted,
              remaining: current,
              rootAccessKeyId,
              error: {
                code: 'ChangedSincePlan',
                message:
                  'the root credentials changed since the plan; nothing was deleted in this account (re-run to plan again)',
              },
            };
          }
          await deps.beforeDeletes?.(plan.account, session.accessKeyId);
          recorded = true;
        }
        const steps: Promise<void>[] = [];
        if (target.loginProfile) {
          steps.push(idempotent(() => iam.deleteLoginProfile({})).then(() => void (deleted.loginProfile = true)));
        }
        for (const AccessKeyId of target.accessKeys) {
          steps.push(
            idempotent(() => iam.deleteAccessKey({ AccessKeyId })).then(
              () => void deleted.accessKeys.push(AccessKeyId),
            ),
          );
        }
        for (const SerialNumber of target.mfaDevices) {
          // A virtual MFA device cannot be deleted while it is still assigned to the root user.
          steps.push(
            idempotent(() => iam.deactivateMFADevice({ SerialNumber }))
              .then(() => idempotent(() => iam.deleteVirtualMFADevice({ SerialNumber })))
              .then(() => void deleted.mfaDevices.push(SerialNumber)),
          );
        }
        for (const CertificateId of target.signingCertificates) {
          steps.push(
            idempotent(() => iam.deleteSigningCertificate({ CertificateId })).then(
              () => void deleted.signingCertificates.push(CertificateId),
            ),
          );
        }
        const outcomes = await Promise.allSettled(steps);
        const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        // An expired session must reach withRootSession so that it re-assumes and repeats the (idempotent) steps.
        if (failure && isExpiredSession(failure.reason)) throw failure.reason;
        // The verifying re-read lists the chosen kinds only, and needs the ids only (no GetAccessKeyLastUsed).
        const read = await readRootCredentials(iam, kindsToRead(kinds), { lastUsed: false });
        const remaining = onlyKinds(toCredentialSet(read), kinds);
        // A deactivated device no longer shows in ListMFADevices; only its DeleteVirtualMFADevice answer proves
        // it gone, so a planned serial without that answer still counts as remaining.
        const unconfirmed = target.mfaDevices.filter(
          (serial) => !deleted.mfaDevices.includes(serial) && !remaining.mfaDevices.includes(serial),
        );
        remaining.mfaDevices.push(...unconfirmed);
        const status = failure ? 'failed' : isEmptySet(remaining) ? 'clean' : 'remaining';
        return {
          account: plan.account,
          name: plan.name,
          status,
          deleted: { ...deleted },
          remaining,
          rootAccessKeyId,
          error: failure ? errorSummary(failure.reason) : null,
        };
      }),
    );
  } catch (error) {
    if (isTrailFailure(error)) throw error;
    return {
      account: plan.account,
      name: plan.name,
      status: 'failed',
      deleted,
      remaining: null,
      rootAccessKeyId,
      error: errorSummary(error),
    };
  }
}
