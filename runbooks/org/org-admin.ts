/** The organization-level reads and switches of doctor and enable, on the engine's clients. */
import { createClient } from '../engine/clients';
import type { CallerSession } from '../engine/credentials';
import type { TrailRun } from '../engine/trail';
import type { DoctorPort } from './doctor';
import type { EnablePort } from './enable';
import { fleetAssumeRoot } from '../fleet/aws';

async function allPages<T>(page: (token?: string) => Promise<{ items?: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const { items, next } = await page(token);
    out.push(...(items ?? []));
    token = next;
  } while (token);
  return out;
}

/**
 * The ports, on the caller's session. The caller's identity comes from `callerSession` (recorded in `run` when it
 * is first asked), and the doctor's dry AssumeRoot session is recorded in `run` like any other.
 */
export async function orgAdminPorts(
  callerSession: CallerSession,
  duration: number,
  run: TrailRun,
): Promise<{
  doctor: DoctorPort;
  enable: EnablePort;
  close(): void;
}> {
  const caller = callerSession.session;
  const [o, i] = await Promise.all([import('@aws-sdk/client-organizations'), import('@aws-sdk/client-iam')]);
  const [org, iam] = await Promise.all([createClient('organizations', caller), createClient('iam', caller)]);
  const serviceAccessPrincipals = async () =>
    (
      await allPages(async (NextToken) => {
        const r = await org.send(new o.ListAWSServiceAccessForOrganizationCommand({ NextToken }));
        return { items: r.EnabledServicePrincipals, next: r.NextToken };
      })
    ).map((p) => p.ServicePrincipal ?? '');
  const organizationsFeatures = async () =>
    (await iam.send(new i.ListOrganizationsFeaturesCommand({}))).EnabledFeatures ?? [];

  const doctor: DoctorPort = {
    callerIdentity: async () => {
      const arn = await callerSession.callerArn();
      return { account: arn.split(':')[4] ?? '', arn };
    },
    organization: async () => {
      const { Organization } = await org.send(new o.DescribeOrganizationCommand({}));
      return {
        id: Organization?.Id ?? '',
        managementAccountId: Organization?.MasterAccountId ?? '',
        featureSet: Organization?.FeatureSet,
      };
    },
    delegatedAdministrators: async (ServicePrincipal) =>
      (
        await allPages(async (NextToken) => {
          const r = await org.send(new o.ListDelegatedAdministratorsCommand({ ServicePrincipal, NextToken }));
          return { items: r.DelegatedAdministrators, next: r.NextToken };
        })
      ).map((a) => a.Id ?? ''),
    serviceAccessPrincipals,
    organizationsFeatures,
    serviceControlPolicies: async () => {
      const policies = await allPages(async (NextToken) => {
        const r = await org.send(new o.ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', NextToken }));
        return { items: r.Policies, next: r.NextToken };
      });
      return Promise.all(
        policies.map(async (p) => {
          const { Policy } = await org.send(new o.DescribePolicyCommand({ PolicyId: p.Id }));
          return {
            id: p.Id ?? '',
            name: p.Name ?? '',
            content: Policy?.Content ?? '{}',
            targets: async () =>
              (
                await allPages(async (NextToken) => {
                  const r = await org.send(new o.ListTargetsForPolicyCommand({ PolicyId: p.Id, NextToken }));
                  return { items: r.Targets, next: r.NextToken };
                })
              ).map((t) => t.TargetId ?? ''),
          };
        }),
      );
    },
    firstMemberAccount: async (exclude) => {
      let NextToken: string | undefined;
      do {
        const r = await org.send(new o.ListAccountsCommand({ NextToken }));
        const member = r.Accounts?.find(
          (a) => a.Id !== undefined && !exclude.includes(a.Id) && (a.State ?? a.Status) === 'ACTIVE',
        );
        if (member?.Id) return member.Id;
        NextToken = r.NextToken;
      } while (NextToken);
      return undefined;
    },
    assumeRootAudit: async (account) => {
      await (
        await fleetAssumeRoot(caller, duration, run)
      )(account, 'audit');
    },
  };

  const enable: EnablePort = {
    serviceAccessPrincipals,
    organizationsFeatures,
    enableServiceAccess: async (ServicePrincipal) => {
      await org.send(new o.EnableAWSServiceAccessCommand({ ServicePrincipal }));
    },
    enableRootCredentialsManagement: async () => {
      await iam.send(new i.EnableOrganizationsRootCredentialsManagementCommand({}));
    },
    enableRootSessions: async () => {
      await iam.send(new i.EnableOrganizationsRootSessionsCommand({}));
    },
  };
  return { doctor, enable, close: () => [org, iam].forEach((c) => c.destroy()) };
}
