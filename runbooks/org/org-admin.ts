/** The organization-level reads and switches of doctor, enable and report, on the engine's clients. */
import { createClient, type Session } from '../engine/clients';
import type { CallerSession } from '../engine/credentials';
import type { TrailRun } from '../engine/trail';
import type { DoctorPort } from './doctor';
import type { EnablePort } from './enable';
import type { PosturePort } from './posture';
import type { OrgTree, StackSetFact } from './posture-controls';
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
  posture: PosturePort;
  close(): void;
}> {
  const caller = callerSession.session;
  const [o, i] = await Promise.all([import('@aws-sdk/client-organizations'), import('@aws-sdk/client-iam')]);
  const [org, iam] = await Promise.all([createClient('organizations', caller), createClient('iam', caller)]);
  // CloudFormation only for the report, built on first use: doctor and enable never pay for it.
  let cloudformation: ReturnType<typeof cloudFormationReads> | undefined;
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
  const organizationTree = async (managementAccountId: string): Promise<OrgTree> => {
    const roots = await allPages(async (NextToken) => {
      const r = await org.send(new o.ListRootsCommand({ NextToken }));
      return { items: r.Roots, next: r.NextToken };
    });
    const rootId = roots[0]?.Id ?? '';
    const ous: OrgTree['ous'][number][] = [];
    for (const parents = [rootId]; parents.length > 0; ) {
      const parentId = parents.shift() as string;
      const children = await allPages(async (NextToken) => {
        const r = await org.send(new o.ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken }));
        return { items: r.OrganizationalUnits, next: r.NextToken };
      });
      for (const ou of children) {
        ous.push({ id: ou.Id ?? '', name: ou.Name ?? '', parentId });
        parents.push(ou.Id ?? '');
      }
    }
    const rootAccounts = await allPages(async (NextToken) => {
      const r = await org.send(new o.ListAccountsForParentCommand({ ParentId: rootId, NextToken }));
      return { items: r.Accounts, next: r.NextToken };
    });
    return {
      rootId,
      ous,
      rootAccounts: rootAccounts.map((a) => a.Id ?? '').filter((id) => id !== managementAccountId),
    };
  };

  const posture: PosturePort = {
    callerIdentity: doctor.callerIdentity,
    organization: doctor.organization,
    organizationsFeatures,
    serviceAccessPrincipals,
    delegatedAdministrators: doctor.delegatedAdministrators,
    serviceControlPolicies: doctor.serviceControlPolicies,
    organizationTree,
    stackSet: async (name) => (cloudformation ??= cloudFormationReads(caller)).then((cfn) => cfn.stackSet(name)),
  };
  return {
    doctor,
    enable,
    posture,
    close: () => {
      [org, iam].forEach((c) => c.destroy());
      void cloudformation?.then((cfn) => cfn.close());
    },
  };
}

/**
 * The StackSet reads of the report. A StackSet created by a delegated administrator is found with CallAs
 * DELEGATED_ADMIN; one the management account created, with SELF. Either answering "not found" (or refusing the
 * CallAs) means "not there", so the first that finds it wins.
 */
async function cloudFormationReads(caller: Session) {
  const [c, client] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    createClient('cloudformation', caller),
  ]);
  const absent = (error: unknown) =>
    ['StackSetNotFoundException', 'ValidationError'].includes((error as { name?: string }).name ?? '');
  const stackSet = async (name: string): Promise<StackSetFact | null> => {
    for (const callAs of ['SELF', 'DELEGATED_ADMIN'] as const) {
      let described;
      try {
        described = await client.send(new c.DescribeStackSetCommand({ StackSetName: name, CallAs: callAs }));
      } catch (error) {
        if (absent(error)) continue;
        throw error;
      }
      const instances = await allPages(async (NextToken) => {
        const r = await client.send(new c.ListStackInstancesCommand({ StackSetName: name, CallAs: callAs, NextToken }));
        return { items: r.Summaries, next: r.NextToken };
      });
      return {
        name,
        callAs,
        status: described.StackSet?.Status ?? 'unknown',
        permissionModel: described.StackSet?.PermissionModel ?? 'unknown',
        instances: instances.length,
        currentInstances: instances.filter((x) => x.Status === 'CURRENT').length,
      };
    }
    return null;
  };
  return { stackSet, close: () => client.destroy() };
}
