/** The organization-level reads and switches of doctor and enable, on the engine's clients. */
import type { Session } from '../engine/clients';
import { createClient } from '../engine/clients';
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

export async function orgAdminPorts(
  caller: Session,
  duration: number,
): Promise<{
  doctor: DoctorPort;
  enable: EnablePort;
  close(): void;
}> {
  const [o, i, s] = await Promise.all([
    import('@aws-sdk/client-organizations'),
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-sts'),
  ]);
  const [org, iam, sts] = await Promise.all([
    createClient('organizations', caller),
    createClient('iam', caller),
    createClient('sts', caller),
  ]);
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
      const id = await sts.send(new s.GetCallerIdentityCommand({}));
      return { account: id.Account ?? '', arn: id.Arn ?? '' };
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
    firstMemberAccount: async (management) => {
      let NextToken: string | undefined;
      do {
        const r = await org.send(new o.ListAccountsCommand({ NextToken }));
        const member = r.Accounts?.find((a) => a.Id !== management && (a.State ?? a.Status) === 'ACTIVE');
        if (member?.Id) return member.Id;
        NextToken = r.NextToken;
      } while (NextToken);
      return undefined;
    },
    assumeRootAudit: async (account) => {
      await (
        await fleetAssumeRoot(caller, duration)
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
  return { doctor, enable, close: () => [org, iam, sts].forEach((c) => c.destroy()) };
}
