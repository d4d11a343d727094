/** Text lines of the delete-root-credentials plan and results (JSON output is the objects themselves). */
import type { AccountDeletion, AccountPlan, CredentialSet } from './delete';

export function describeSet(set: CredentialSet | null): string {
  if (set === null) return 'unknown';
  const parts = [
    set.loginProfile ? 'login profile' : '',
    set.accessKeys.length ? `access keys ${set.accessKeys.join(' ')}` : '',
    set.mfaDevices.length ? `MFA ${set.mfaDevices.join(' ')}` : '',
    set.signingCertificates.length ? `certificates ${set.signingCertificates.join(' ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'none';
}

export function planLine(plan: AccountPlan): string {
  switch (plan.status) {
    case 'skipped':
      return `${plan.account}  skipped: ${plan.skipped}`;
    case 'failed':
      return `${plan.account}  AUDIT FAILED (not planned, not clean): ${plan.error?.code}: ${plan.error?.message}`;
    case 'nothing':
      return `${plan.account}  nothing to delete (exists: ${describeSet(plan.exists)})`;
    case 'delete':
      return `${plan.account}  exists: ${describeSet(plan.exists)}\n${' '.repeat(12)}  deletes: ${describeSet(plan.delete)}`;
  }
}

export function resultLine(result: AccountDeletion): string {
  switch (result.status) {
    case 'clean':
      return `${result.account}  clean (deleted: ${describeSet(result.deleted)})`;
    case 'remaining':
      return `${result.account}  NOT CLEAN: still present: ${describeSet(result.remaining)}`;
    case 'changed-since-plan':
      return `${result.account}  CHANGED SINCE THE PLAN, nothing deleted: now ${describeSet(result.remaining)}`;
    case 'failed':
      return (
        `${result.account}  FAILED: ${result.error?.code}: ${result.error?.message} ` +
        `(deleted: ${describeSet(result.deleted)}; remaining: ${describeSet(result.remaining)})`
      );
  }
}
