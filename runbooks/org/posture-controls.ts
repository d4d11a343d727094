/**
 * The posture controls of centralized root access: each a pure function from the facts gathered about the
 * organization to a verdict, pass or fail, with what was found and how to fix it. A fact that could not be read
 * fails its control (unknown is not compliant). Each control names the CIS AWS Foundations Benchmark v7.0.0
 * recommendations and the Prowler checks it corresponds to (from Prowler's cis_7.0_aws mapping); a control this
 * project adds (the lock-out scan) names none.
 */
import type { LockoutRow, ScanTotals } from '../fleet/lockout-scan';
import { denyRootWithoutExemption, rootGuardrailStatements } from './scp-rule';

/** A fact as read: its value, or why it could not be read. */
export type Fact<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export type AccountState = 'clean' | 'root-credentials' | 'failed' | 'skipped';

export interface AccountPosture {
  readonly account: string;
  readonly name: string | null;
  readonly state: AccountState;
  /** What was found (credential kinds), or why it failed or was skipped. */
  readonly detail: string;
}

export interface OrgTree {
  readonly rootId: string;
  readonly ous: readonly { readonly id: string; readonly name: string; readonly parentId: string }[];
  /** Accounts directly under the root, the management account excluded (SCPs never apply to it). */
  readonly rootAccounts: readonly string[];
}

export interface ScpFact {
  readonly id: string;
  readonly name: string;
  readonly content: string;
  /** Roots, OUs and accounts it is attached to. */
  readonly targets: readonly string[];
}

export interface StackSetFact {
  readonly name: string;
  /** How it was found: the CallAs that answered. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  readonly status: string;
  readonly permissionModel: string;
  readonly instances: number;
  readonly currentInstances: number;
}

export interface PostureFacts {
  readonly organization: { readonly id: string; readonly managementAccountId: string; readonly featureSet?: string };
  readonly caller: { readonly arn: string; readonly account: string };
  readonly features: Fact<readonly string[]>;
  readonly trustedAccess: Fact<readonly string[]>;
  readonly delegatedAdministrators: Fact<readonly string[]>;
  readonly scps: Fact<readonly ScpFact[]>;
  readonly tree: Fact<OrgTree>;
  readonly accounts: Fact<readonly AccountPosture[]>;
  readonly lockouts: Fact<{
    readonly regions: readonly string[];
    readonly totals: ScanTotals;
    readonly rows: readonly LockoutRow[];
  }>;
  /** null: no StackSet of that name (with either CallAs). */
  readonly alerts: Fact<{ readonly name: string; readonly stackSet: StackSetFact | null }>;
}

export interface ControlResult {
  readonly id: string;
  readonly title: string;
  readonly verdict: 'pass' | 'fail';
  /** CIS AWS Foundations Benchmark v7.0.0 recommendation ids. */
  readonly cis: readonly string[];
  readonly prowler: readonly string[];
  /** One sentence: what was found. */
  readonly detail: string;
  /** The items behind the verdict (accounts, OUs, statements…). */
  readonly evidence: readonly string[];
  readonly fix?: string;
}

interface Control {
  readonly id: string;
  readonly title: string;
  readonly cis: readonly string[];
  readonly prowler: readonly string[];
  readonly fix: string;
  readonly judge: (facts: PostureFacts) => { pass: boolean; detail: string; evidence?: string[] };
}

const IAM = 'iam.amazonaws.com';
const FEATURES = ['RootCredentialsManagement', 'RootSessions'];

/** Judges with the fact's value, or fails naming what could not be read. */
function withFact<T>(fact: Fact<T>, what: string, judge: (value: T) => ReturnType<Control['judge']>) {
  return fact.ok ? judge(fact.value) : { pass: false, detail: `${what} could not be read: ${fact.error}` };
}

const list = (items: readonly string[], none = 'none'): string => (items.length === 0 ? none : items.join(', '));

/** Where each OU sits: its ancestors up to the root. */
function ancestors(tree: OrgTree, id: string): string[] {
  const parent = new Map(tree.ous.map((ou) => [ou.id, ou.parentId]));
  const chain: string[] = [];
  for (let at: string | undefined = id; at !== undefined && !chain.includes(at); at = parent.get(at)) chain.push(at);
  return chain;
}

export const CONTROLS: readonly Control[] = [
  {
    id: 'organization-features',
    title: 'Root credentials management and root sessions are enabled for the organization',
    cis: ['2.1.1'],
    prowler: ['iam_root_credentials_management_enabled'],
    fix: 'runbook enable --root-sessions (or the centralize-root-access module)',
    judge: (f) =>
      withFact(f.features, 'iam:ListOrganizationsFeatures', (enabled) => {
        const missing = FEATURES.filter((x) => !enabled.includes(x));
        return {
          pass: missing.length === 0,
          detail: missing.length === 0 ? 'both features are enabled' : `missing: ${missing.join(', ')}`,
          evidence: [`enabled: ${list(enabled)}`],
        };
      }),
  },
  {
    id: 'trusted-access',
    title: `Trusted access for ${IAM} is enabled in AWS Organizations`,
    cis: ['2.1.1'],
    prowler: [],
    fix: `aws organizations enable-aws-service-access --service-principal ${IAM} (or runbook enable)`,
    judge: (f) =>
      withFact(f.trustedAccess, 'organizations:ListAWSServiceAccessForOrganization', (principals) => ({
        pass: principals.includes(IAM),
        detail: principals.includes(IAM) ? 'enabled' : `not enabled (trusted: ${list(principals)})`,
      })),
  },
  {
    id: 'delegated-administrator',
    title: 'Root access is managed from an IAM delegated administrator, not only the management account',
    cis: ['2.1.1', '2.1.6'],
    prowler: ['organizations_delegated_administrators'],
    fix: `aws organizations register-delegated-administrator --service-principal ${IAM} --account-id <security account>`,
    judge: (f) =>
      withFact(f.delegatedAdministrators, 'organizations:ListDelegatedAdministrators', (admins) => ({
        pass: admins.length > 0,
        detail:
          admins.length > 0
            ? `IAM delegated administrator: ${admins.join(', ')}`
            : 'no IAM delegated administrator is registered: root tasks can only run from the management account',
        evidence: admins.map((a) => `delegated administrator ${a}`),
      })),
  },
  {
    id: 'guardrail-scp',
    title: 'An SCP denying the root user, with the AssumeRoot exemption, applies to every OU',
    cis: ['2.1.2', '2.7'],
    prowler: [],
    fix: "attach the scp-guardrails module's DenyRootExceptAssumeRoot SCP to the root (or to every OU)",
    judge: (f) => {
      if (!f.scps.ok) return { pass: false, detail: `the SCPs could not be read: ${f.scps.error}` };
      const scps = f.scps.value;
      return withFact(f.tree, 'the OU tree', (tree) => {
        const guardrails = scps.filter((p) => rootGuardrailStatements(p.content).length > 0);
        const covered = new Set(guardrails.flatMap((p) => p.targets));
        const uncoveredOus = tree.ous.filter(
          (ou) =>
            !ancestors(tree, ou.id)
              .concat(tree.rootId)
              .some((t) => covered.has(t)),
        );
        const uncoveredAccounts = covered.has(tree.rootId) ? [] : tree.rootAccounts.filter((a) => !covered.has(a));
        const uncovered = [
          ...uncoveredOus.map((ou) => `OU ${ou.id} (${ou.name})`),
          ...uncoveredAccounts.map((a) => `account ${a} (directly under the root)`),
        ];
        const names = guardrails.map((p) => `${p.name} (${p.id}) on ${list(p.targets, 'nothing')}`);
        if (guardrails.length === 0) {
          return {
            pass: false,
            detail: 'no SCP denies the root user while exempting AssumeRoot sessions',
            evidence: [],
          };
        }
        return {
          pass: uncovered.length === 0,
          detail:
            uncovered.length === 0
              ? covered.has(tree.rootId)
                ? 'attached to the root: every OU and account inherits it'
                : `every OU (${tree.ous.length}) inherits it`
              : `${uncovered.length} not covered: ${list(uncovered)}`,
          evidence: [...names, ...uncovered.map((u) => `not covered: ${u}`)],
        };
      });
    },
  },
  {
    id: 'no-blocking-scp',
    title: 'No attached SCP blocks AssumeRoot sessions',
    cis: ['2.1.1'],
    prowler: [],
    fix: 'add "Null": {"aws:AssumedRoot": "true"} to the Condition of each listed statement',
    judge: (f) =>
      withFact(f.scps, 'the SCPs', (scps) => {
        const blocking = scps
          .filter((p) => p.targets.length > 0)
          .flatMap((p) =>
            denyRootWithoutExemption(p.content).map(
              (x) => `${p.name} (${p.id}) statement ${x.statement}, attached to ${list(p.targets)}: ${x.reason}`,
            ),
          );
        return {
          pass: blocking.length === 0,
          detail:
            blocking.length === 0
              ? 'no attached SCP denies the root user without the exemption'
              : `${blocking.length} statement(s) block root sessions`,
          evidence: blocking,
        };
      }),
  },
  {
    id: 'root-credentials',
    title: 'No member account has root user credentials',
    cis: ['2.1.1', '2.4'],
    prowler: ['iam_no_root_access_key'],
    fix: 'runbook delete-root-credentials --all (enabling the feature does not remove existing credentials)',
    judge: (f) =>
      withFact(f.accounts, 'the root credentials audit', (accounts) => {
        const present = accounts.filter((a) => a.state === 'root-credentials');
        const failed = accounts.filter((a) => a.state === 'failed');
        const audited = accounts.filter((a) => a.state === 'clean' || a.state === 'root-credentials').length;
        return {
          pass: present.length === 0 && failed.length === 0,
          detail:
            `${audited} member accounts audited: ${present.length} with root credentials` +
            (failed.length > 0 ? `, ${failed.length} could not be audited` : ''),
          evidence: [...present, ...failed].map((a) => `${a.account}${a.name ? ` (${a.name})` : ''}: ${a.detail}`),
        };
      }),
  },
  {
    id: 'lockouts',
    title: 'No bucket or queue policy locks its owner out',
    cis: [],
    prowler: [],
    fix: 'run the fix command of each row (runbook s3-unlock / sqs-unlock); see runbook lockout-scan',
    judge: (f) =>
      withFact(f.lockouts, 'the lock-out scan', ({ rows, totals, regions }) => {
        const found = rows.filter((r) => r.status === 'lockout');
        const failed = rows.filter((r) => r.status === 'failed');
        return {
          pass: found.length === 0 && failed.length === 0,
          detail:
            `${totals.buckets} buckets and ${totals.queues} queues (${list(regions)}) read: ${found.length} lock-outs` +
            (failed.length > 0 ? `, ${failed.length} could not be scanned` : ''),
          evidence: [
            ...found.map(
              (r) => `${r.account} ${r.resourceType} ${r.resource} (${r.region ?? 'region unknown'}): ${r.fix}`,
            ),
            ...failed.map(
              (r) =>
                `${r.account} ${r.resourceType ?? ''} ${r.resource ?? r.region ?? ''}: ${r.error?.code}: ${r.error?.message}`,
            ),
          ],
        };
      }),
  },
  {
    id: 'root-activity-alerts',
    title: 'Root activity alerts are deployed to every member account',
    cis: ['5.3', '2.7'],
    prowler: ['cloudwatch_log_metric_filter_root_usage', 'iam_avoid_root_usage'],
    fix: 'deploy the root-activity-alerts module (a service-managed StackSet from the management or delegated administrator account)',
    judge: (f) =>
      withFact(f.alerts, 'the alerts StackSet', ({ name, stackSet }) => {
        if (stackSet === null) return { pass: false, detail: `no CloudFormation StackSet named ${name} was found` };
        const ok =
          stackSet.status === 'ACTIVE' && stackSet.permissionModel === 'SERVICE_MANAGED' && stackSet.instances > 0;
        return {
          pass: ok,
          detail:
            `StackSet ${name} (cloudformation:DescribeStackSet, CallAs ${stackSet.callAs}): ${stackSet.status}, ` +
            `${stackSet.permissionModel}, ${stackSet.instances} stack instances (${stackSet.currentInstances} CURRENT)`,
        };
      }),
  },
];

/** Every control judged on the facts, in catalog order. */
export function evaluateControls(facts: PostureFacts): ControlResult[] {
  return CONTROLS.map((c) => {
    const { pass, detail, evidence = [] } = c.judge(facts);
    return {
      id: c.id,
      title: c.title,
      verdict: pass ? 'pass' : 'fail',
      cis: c.cis,
      prowler: c.prowler,
      detail,
      evidence,
      ...(pass ? {} : { fix: c.fix }),
    };
  });
}
