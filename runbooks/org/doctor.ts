/**
 * runbook doctor, the core: each prerequisite of centralized root access checked on its own, with what was
 * found and how to fix it. A failing check never stops the others. The AWS reads come in as a port.
 */
import { denyRootWithoutExemption } from './scp-rule';

export interface DoctorPort {
  callerIdentity(): Promise<{ account: string; arn: string }>;
  organization(): Promise<{ id: string; managementAccountId: string; featureSet: string | undefined }>;
  delegatedAdministrators(servicePrincipal: string): Promise<string[]>;
  serviceAccessPrincipals(): Promise<string[]>;
  /** iam:ListOrganizationsFeatures EnabledFeatures. */
  organizationsFeatures(): Promise<string[]>;
  /** Every SCP with its document and the ids it is attached to. */
  serviceControlPolicies(): Promise<{ id: string; name: string; content: string; targets: () => Promise<string[]> }[]>;
  /** The first ACTIVE member account (not the management account), if any. */
  firstMemberAccount(managementAccountId: string): Promise<string | undefined>;
  /** AssumeRoot with the audit task; the session is not used. */
  assumeRootAudit(account: string): Promise<void>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when the check fails. */
  fix?: string;
}

const IAM = 'iam.amazonaws.com';
export const FEATURES = ['RootCredentialsManagement', 'RootSessions'] as const;

const message = (error: unknown): string => {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
};

async function check(name: string, fix: string, run: () => Promise<{ ok: boolean; detail: string }>): Promise<Check> {
  try {
    const { ok, detail } = await run();
    return ok ? { name, ok, detail } : { name, ok, detail, fix };
  } catch (error) {
    return { name, ok: false, detail: message(error), fix };
  }
}

export async function runDoctor(port: DoctorPort, options: { account?: string } = {}): Promise<Check[]> {
  const checks: Check[] = [];
  let caller: { account: string; arn: string } | undefined;
  let management: string | undefined;

  checks.push(
    await check(
      'caller identity',
      'configure credentials (AWS_PROFILE, --profile, SSO login, or --role-arn)',
      async () => {
        caller = await port.callerIdentity();
        return { ok: true, detail: `${caller.arn} (account ${caller.account})` };
      },
    ),
  );

  checks.push(
    await check(
      'management account or IAM delegated administrator',
      `run from the management account, or register this account: aws organizations register-delegated-administrator --service-principal ${IAM} --account-id <id>`,
      async () => {
        const org = await port.organization();
        management = org.managementAccountId;
        if (org.featureSet !== undefined && org.featureSet !== 'ALL') {
          return { ok: false, detail: `organization ${org.id} has feature set ${org.featureSet}, not ALL` };
        }
        if (caller === undefined) return { ok: false, detail: 'caller unknown' };
        if (caller.account === management) return { ok: true, detail: `management account of ${org.id}` };
        const admins = await port.delegatedAdministrators(IAM);
        return admins.includes(caller.account)
          ? { ok: true, detail: `IAM delegated administrator of ${org.id}` }
          : {
              ok: false,
              detail: `account ${caller.account} is neither the management account (${management}) nor the IAM delegated administrator`,
            };
      },
    ),
  );

  checks.push(
    await check(
      `trusted access for ${IAM}`,
      `runbook enable (or: aws organizations enable-aws-service-access --service-principal ${IAM}; or the centralize-root-access module)`,
      async () => {
        const enabled = (await port.serviceAccessPrincipals()).includes(IAM);
        return { ok: enabled, detail: enabled ? 'enabled' : 'not enabled' };
      },
    ),
  );

  checks.push(
    await check(
      'organization features RootCredentialsManagement and RootSessions',
      'runbook enable --root-sessions (or: aws iam enable-organizations-root-credentials-management; aws iam enable-organizations-root-sessions)',
      async () => {
        const enabled = await port.organizationsFeatures();
        const missing = FEATURES.filter((f) => !enabled.includes(f));
        return { ok: missing.length === 0, detail: missing.length ? `missing: ${missing.join(', ')}` : 'both enabled' };
      },
    ),
  );

  checks.push(
    await check(
      'SCPs that deny root keep AssumeRoot sessions working',
      'add "Null": {"aws:AssumedRoot": "true"} to the Condition of each listed statement (see the scp-guardrails module)',
      async () => {
        const problems: string[] = [];
        for (const policy of await port.serviceControlPolicies()) {
          const findings = denyRootWithoutExemption(policy.content);
          if (findings.length === 0) continue;
          const targets = await policy.targets();
          if (targets.length === 0) continue;
          problems.push(
            `${policy.name} (${policy.id}, attached to ${targets.join(', ')}): ${findings.map((f) => `statement ${f.statement} ${f.reason}`).join('; ')}`,
          );
        }
        return {
          ok: problems.length === 0,
          detail: problems.length ? problems.join(' | ') : 'no attached SCP blocks root sessions',
        };
      },
    ),
  );

  checks.push(
    await check(
      'dry AssumeRoot (audit task) into a member account',
      'grant the caller sts:AssumeRoot on arn:aws:iam::<member>:root with sts:TaskPolicyArn for the root-task policies, enable RootSessions, and fix the SCPs above',
      async () => {
        const account = options.account ?? (await port.firstMemberAccount(management ?? ''));
        if (account === undefined) return { ok: false, detail: 'no ACTIVE member account to try' };
        await port.assumeRootAudit(account);
        return { ok: true, detail: `AssumeRoot into ${account} with IAMAuditRootUserCredentials succeeded` };
      },
    ),
  );
  return checks;
}

export function checkLines(checks: Check[]): string {
  return (
    checks
      .map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}${c.ok || !c.fix ? '' : `\n    fix: ${c.fix}`}`)
      .join('\n') + '\n'
  );
}
