/**
 * runbook report, the core: the facts about the organization's centralized root access, read through a port
 * (organization reads) and two fleet passes (the root credentials audit and the lock-out scan), each read on its
 * own so one that fails fails only its controls; then the controls judged and the report built. No AWS client is
 * made here.
 */
import type { AccountAudit } from '../fleet/audit';
import { hasRootCredentials } from '../fleet/audit';
import type { LockoutRow, ScanTotals } from '../fleet/lockout-scan';
import {
  evaluateControls,
  type AccountPosture,
  type AccountState,
  type ControlResult,
  type Fact,
  type OrgTree,
  type PostureFacts,
  type StackSetFact,
} from './posture-controls';

export interface PosturePort {
  callerIdentity(): Promise<{ account: string; arn: string }>;
  organization(): Promise<{ id: string; managementAccountId: string; featureSet: string | undefined }>;
  organizationsFeatures(): Promise<string[]>;
  serviceAccessPrincipals(): Promise<string[]>;
  delegatedAdministrators(servicePrincipal: string): Promise<string[]>;
  serviceControlPolicies(): Promise<{ id: string; name: string; content: string; targets: () => Promise<string[]> }[]>;
  organizationTree(managementAccountId: string): Promise<OrgTree>;
  /** The StackSet of that name (CallAs SELF, then DELEGATED_ADMIN), or null when neither finds one. */
  stackSet(name: string): Promise<StackSetFact | null>;
}

/** The fleet passes, run by the caller with the fleet's ports (and its audit records). */
export interface FleetPasses {
  audit(): Promise<AccountPosture[]>;
  lockouts(): Promise<{ regions: readonly string[]; totals: ScanTotals; rows: LockoutRow[] }>;
}

export interface PostureReport {
  readonly report: 'centralized-root-posture';
  readonly generatedAt: string;
  readonly organization: PostureFacts['organization'];
  readonly caller: PostureFacts['caller'] & { readonly role: 'management' | 'delegated-admin' | 'unknown' };
  readonly summary: { readonly controls: number; readonly passed: number; readonly failed: number };
  readonly controls: readonly ControlResult[];
  /** Member accounts by state (the chart), and every account that is not clean. */
  readonly accounts: { readonly byState: Record<AccountState, number>; readonly attention: readonly AccountPosture[] };
  /** Lock-out and failed rows of the scan. */
  readonly lockouts: readonly LockoutRow[];
}

const read = async <T>(what: () => Promise<T>): Promise<Fact<T>> => {
  try {
    return { ok: true, value: await what() };
  } catch (error) {
    const e = error as { name?: string; message?: string };
    return { ok: false, error: `${e.name ?? 'Error'}: ${e.message ?? String(error)}` };
  }
};

const IAM = 'iam.amazonaws.com';

/** One audit line as a posture state, with what a reader needs to act on it. */
export function accountPosture(audit: AccountAudit): AccountPosture {
  const base = { account: audit.account, name: audit.name };
  if (audit.status === 'skipped') return { ...base, state: 'skipped', detail: audit.skipped ?? 'skipped' };
  if (audit.status === 'failed') {
    return { ...base, state: 'failed', detail: `${audit.error?.code}: ${audit.error?.message}` };
  }
  if (!hasRootCredentials(audit)) return { ...base, state: 'clean', detail: 'no root credentials' };
  const kinds = [
    audit.loginProfile ? 'a console password' : '',
    audit.accessKeys?.length ? `${audit.accessKeys.length} access key(s)` : '',
    audit.mfaDevices?.length ? `${audit.mfaDevices.length} MFA device(s)` : '',
    audit.signingCertificates?.length ? `${audit.signingCertificates.length} signing certificate(s)` : '',
  ].filter((k) => k !== '');
  return { ...base, state: 'root-credentials', detail: kinds.join(', ') };
}

/** Reads every fact; the organization and the caller are required (nothing else can be judged without them). */
export async function gatherPosture(
  port: PosturePort,
  fleet: FleetPasses,
  options: { alertsStackSet: string },
): Promise<PostureFacts> {
  const [caller, organization] = await Promise.all([port.callerIdentity(), port.organization()]);
  const [features, trustedAccess, delegatedAdministrators, scps, tree, alerts] = await Promise.all([
    read(() => port.organizationsFeatures()),
    read(() => port.serviceAccessPrincipals()),
    read(() => port.delegatedAdministrators(IAM)),
    read(async () =>
      Promise.all((await port.serviceControlPolicies()).map(async (p) => ({ ...p, targets: await p.targets() }))),
    ),
    read(() => port.organizationTree(organization.managementAccountId)),
    read(async () => ({ name: options.alertsStackSet, stackSet: await port.stackSet(options.alertsStackSet) })),
  ]);
  // The fleet passes one after the other: each already runs its accounts at the fleet's concurrency.
  const accounts = await read(() => fleet.audit());
  const lockouts = await read(() => fleet.lockouts());
  return {
    organization: {
      id: organization.id,
      managementAccountId: organization.managementAccountId,
      featureSet: organization.featureSet,
    },
    caller,
    features,
    trustedAccess,
    delegatedAdministrators,
    scps,
    tree,
    accounts,
    lockouts,
    alerts,
  };
}

export function buildReport(facts: PostureFacts, now: Date = new Date()): PostureReport {
  const controls = evaluateControls(facts);
  const byState: Record<AccountState, number> = { clean: 0, 'root-credentials': 0, failed: 0, skipped: 0 };
  const accounts = facts.accounts.ok ? facts.accounts.value : [];
  for (const a of accounts) byState[a.state]++;
  const role =
    facts.caller.account === facts.organization.managementAccountId
      ? 'management'
      : facts.delegatedAdministrators.ok && facts.delegatedAdministrators.value.includes(facts.caller.account)
        ? 'delegated-admin'
        : 'unknown';
  const passed = controls.filter((c) => c.verdict === 'pass').length;
  return {
    report: 'centralized-root-posture',
    generatedAt: now.toISOString(),
    organization: facts.organization,
    caller: { ...facts.caller, role },
    summary: { controls: controls.length, passed, failed: controls.length - passed },
    controls,
    accounts: { byState, attention: accounts.filter((a) => a.state !== 'clean') },
    lockouts: facts.lockouts.ok ? facts.lockouts.value.rows.filter((r) => r.status !== 'skipped') : [],
  };
}
