/**
 * The generated modules applied with the real terraform against the real sandbox: apply, a second plan with no
 * changes, destroy. The sandbox carries every module (emulator/README.md lists what the extension adds for them: the
 * account-root resource in IAM policies, service-managed StackSets). The cdktf deploy path has its own suite
 * (cdktf-deploy.test.ts), which runs the cdktf CLI.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { describeOrganization, seedOrganization } from '../../emulator/seed';
import {
  apply,
  applyToSandbox,
  destroy,
  makeWorkdir,
  outputs,
  planDetailed,
  terraform,
  writeSandboxRoot,
} from '../../emulator/terraform';
import { renderGuardrailPolicies } from '../../modules/scp-guardrails/catalog';
import { describeWithTerraform, planSummary } from '../../test-support/terraform';
import { assumeRole, clients, expectAwsError } from '../emulator/aws';
import { useSandbox } from '../support/sandbox';

const LONG = 600_000;

describeWithTerraform(
  'generated modules against the sandbox',
  () => {
    const sandbox = useSandbox();

    test(
      'centralize-root-access (brownfield) and scp-guardrails: guard, apply, no changes, destroy',
      async () => {
        const org = await seedOrganization(sandbox.endpoint, { accounts: 2, trustedAccessForIam: false, features: [] });
        const exempt = 'arn:aws:iam::*:role/OrganizationAccountAccessRole';
        const work = makeWorkdir('e2e-root-');
        writeSandboxRoot(work.dir, sandbox.endpoint, [
          { label: 'root_access', module: 'centralize-root-access' },
          {
            label: 'guardrails',
            module: 'scp-guardrails',
            inputs: { target_ids: [org.rootId, org.ous[0].id], exclude_principal_arns: [exempt] },
          },
        ]);
        try {
          await terraform(work.dir, ['init', '-no-color']);
          // Brownfield without trusted access for IAM: the plan-time guard names the problem.
          await expect(apply(work.dir)).rejects.toThrow(/Trusted access for iam.amazonaws.com is not enabled/);
          expect((await describeOrganization(sandbox.endpoint)).features ?? []).toEqual([]);

          await seedOrganization(sandbox.endpoint, { accounts: 0, trustedAccessForIam: true, features: [] });
          await apply(work.dir);
          const out = (await outputs(work.dir)) as Record<string, Record<string, unknown>>;
          expect(out.root_access.organization_id).toBe(org.organizationId);
          expect([...((await describeOrganization(sandbox.endpoint)).features ?? [])].sort()).toEqual([
            'RootCredentialsManagement',
            'RootSessions',
          ]);

          // The SCP terraform created is the one the TypeScript twin renders (and the policy proofs use).
          const created = (out.guardrails.policy_contents as string[]).map((p) => JSON.parse(p) as object);
          const twin = renderGuardrailPolicies({
            statements: [
              'DenyRootExceptAssumeRoot',
              'DenyLeaveOrganization',
              'DenyIamUserAndAccessKeyCreation',
              'DenyLoginProfileCreation',
              'DenyCentralizedRootChanges',
            ],
            excludePrincipalArns: [exempt],
          }).map((p) => JSON.parse(p) as object);
          expect(created).toEqual(twin);
          // And it denies the plain root user while letting an AssumeRoot session through.
          const decide = async (assumedRoot: boolean) => {
            const simulation: Simulation = {
              request: {
                principal: `arn:aws:iam::${org.accounts[0].id}:root`,
                action: 's3:PutBucketPolicy',
                resource: { resource: 'arn:aws:s3:::locked-bucket', accountId: org.accounts[0].id },
                contextVariables: {
                  'aws:PrincipalArn': `arn:aws:iam::${org.accounts[0].id}:root`,
                  ...(assumedRoot ? { 'aws:AssumedRoot': 'true' } : {}),
                },
              },
              identityPolicies: [
                {
                  name: 'root',
                  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
                },
              ],
              serviceControlPolicies: [
                {
                  orgIdentifier: org.rootId,
                  policies: [
                    {
                      name: 'FullAWSAccess',
                      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
                    },
                    ...created.map((policy, i) => ({ name: `guardrails-${i}`, policy })),
                  ],
                },
              ],
              resourceControlPolicies: [],
            };
            const result = await runSimulation(simulation, {});
            return result.resultType === 'error' ? result.errors.message : result.overallResult;
          };
          expect(await decide(false)).toBe('ExplicitlyDenied');
          expect(await decide(true)).toBe('Allowed');

          expect(planSummary(await planDetailed(work.dir))).toEqual({ changes: false, output: '' });
        } finally {
          await destroy(work.dir).finally(() => work.cleanup());
        }
        // Destroying aws_iam_organizations_features disables the features.
        expect((await describeOrganization(sandbox.endpoint)).features ?? []).toEqual([]);
      },
      LONG,
    );

    test(
      'hub-spoke-roles: apply, no changes, hub → spoke through the deployed roles, destroy',
      async () => {
        const org = await seedOrganization(sandbox.endpoint, { accounts: 3, trustedAccessForIam: true, features: [] });
        const target = org.ous[0].id;
        const inTarget = org.accounts.filter((a) => a.ouId === target).map((a) => a.id);
        const outside = org.accounts.filter((a) => a.ouId !== target).map((a) => a.id);
        expect(inTarget.length).toBeGreaterThan(0);
        const run = await applyToSandbox(sandbox.endpoint, [
          {
            label: 'hub',
            module: 'hub-spoke-roles',
            inputs: {
              organization_id: org.organizationId,
              hub_trusted_principal_arns: ['arn:aws:iam::123456789012:root'],
              target_ou_ids: [target],
              external_id: 'e2e-external-id',
              create_management_spoke: true,
              // moto does not load AWS-managed policies, so none are attached here.
              spoke_managed_policy_arns: [],
            },
          },
        ]);
        const spokeArn = (account: string) => `arn:aws:iam::${account}:role/SpokeRole`;
        const hubToSpoke = async (account: string, externalId?: string) => {
          const hub = await assumeRole(clients(sandbox.endpoint).sts, 'arn:aws:iam::123456789012:role/HubRole');
          return assumeRole(clients(sandbox.endpoint, hub).sts, spokeArn(account), externalId);
        };
        try {
          expect(run.outputs.hub).toMatchObject({
            hub_role_arn: 'arn:aws:iam::123456789012:role/HubRole',
            management_spoke_role_arn: 'arn:aws:iam::123456789012:role/SpokeRole',
            stack_set_id: 'hub-spoke-roles-spoke',
          });
          expect(planSummary(await run.plan())).toEqual({ changes: false, output: '' });

          // The service-managed StackSet deployed the spoke role into each account of the target OU: the hub
          // reaches it with the external id, and without it the spoke's trust policy refuses.
          for (const account of inTarget) {
            const spoke = await hubToSpoke(account, 'e2e-external-id');
            const { Arn } = await clients(sandbox.endpoint, spoke).sts.send(new GetCallerIdentityCommand({}));
            expect(Arn).toBe(`arn:aws:sts::${account}:assumed-role/SpokeRole/test`);
            await expectAwsError(hubToSpoke(account), 'AccessDenied');
          }
          // Accounts outside the target OUs get no spoke.
          for (const account of outside) await expect(hubToSpoke(account, 'e2e-external-id')).rejects.toThrow();
        } finally {
          await run.destroy();
        }
        // Destroying the stack instances removed the spoke roles from the member accounts.
        for (const account of inTarget) await expect(hubToSpoke(account, 'e2e-external-id')).rejects.toThrow();
      },
      LONG,
    );

    test(
      'root-operator: apply, no changes, destroy',
      async () => {
        await seedOrganization(sandbox.endpoint, { accounts: 0, trustedAccessForIam: true, features: [] });
        const run = await applyToSandbox(sandbox.endpoint, [
          {
            label: 'operator',
            module: 'root-operator',
            inputs: { trusted_principal_arns: ['arn:aws:iam::123456789012:root'], task_profile: 'unlock-only' },
          },
        ]);
        try {
          expect(planSummary(await run.plan())).toEqual({ changes: false, output: '' });
        } finally {
          await run.destroy();
        }
      },
      LONG,
    );
  },
  { sandbox: true },
);
