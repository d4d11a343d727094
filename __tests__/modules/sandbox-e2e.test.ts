/**
 * The generated modules applied with the real terraform against the real sandbox: apply, a second plan with no
 * changes, destroy. All modules share one root, so the whole path is one init, one apply, one plan and one
 * destroy (each terraform run loads the 700 MB provider); root-activity-alerts is applied in its two parts, the
 * central one with a provider for a member (security) account (root-activity-e2e.ts). The sandbox carries every module (emulator/README.md lists what the extension adds for them: the
 * account-root resource in IAM policies, service-managed StackSets). The cdktf deploy path has its own suite
 * (cdktf-deploy.test.ts), which runs the cdktf CLI.
 *
 * The modules' promises are shown by real requests in the same root, so no second apply is needed for them: the
 * guardrail denies a member's root user with long-term keys while `runbook s3-unlock`'s AssumeRoot session
 * (aws:AssumedRoot) still unlocks the bucket, and the operator role may start its own tasks and no other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { AssumeRootCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import {
  describeOrganization,
  memberAdminCredentials,
  readBucketPolicy,
  seedLockedBucket,
  seedOrganization,
  seedRootCredentials,
  type SeededOrg,
} from '../../emulator/seed';
import {
  apply,
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
import { runCli } from '../../test-support/cli';
import { sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { taskPolicyArn } from '../../runbooks/engine/tasks';
import { alertsCalls, checkAlerts, checkAlertsRemoved, SECURITY_PROVIDER, subscribeQueues } from './root-activity-e2e';

const LONG = 600_000;
const EXEMPT = 'arn:aws:iam::*:role/OrganizationAccountAccessRole';
const MANAGEMENT = '123456789012';

/** What the IAM simulator decides for the plain root user (or an AssumeRoot session) under the created SCPs. */
async function decide(org: SeededOrg, scps: object[], assumedRoot: boolean): Promise<string> {
  const member = org.accounts[0].id;
  const simulation: Simulation = {
    request: {
      principal: `arn:aws:iam::${member}:root`,
      action: 's3:PutBucketPolicy',
      resource: { resource: 'arn:aws:s3:::locked-bucket', accountId: member },
      contextVariables: {
        'aws:PrincipalArn': `arn:aws:iam::${member}:root`,
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
          ...scps.map((policy, i) => ({ name: `guardrails-${i}`, policy })),
        ],
      },
    ],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  return result.resultType === 'error' ? result.errors.message : result.overallResult;
}

describeWithTerraform(
  'generated modules against the sandbox',
  () => {
    const sandbox = useSandbox();

    test(
      'all modules in one root: the brownfield guard, apply, the deployed roles and alerts at work, no changes, destroy',
      async () => {
        const { endpoint } = sandbox;
        const org = await seedOrganization(endpoint, {
          accounts: 4,
          ous: ['Workloads', 'Sandbox'],
          trustedAccessForIam: false,
          features: [],
        });
        const target = org.ous[0].id;
        const inTarget = org.accounts.filter((a) => a.ouId === target).map((a) => a.id);
        const outside = org.accounts.filter((a) => a.ouId !== target).map((a) => a.id);
        expect({ inTarget: inTarget.length > 0, outside: outside.length > 0 }).toEqual({
          inTarget: true,
          outside: true,
        });

        // The security account, where root-activity-alerts' bus and topics live: a member inside the target OU.
        const security = inTarget[0];
        const securityCreds = await memberAdminCredentials(endpoint, security);

        // A member (outside the target OU, under the guardrail on the organization root) whose root user still has
        // long-term keys, and a bucket it locked everyone out of. Before the guardrail the keys reach the policy
        // (the owner's root exception).
        const guarded = outside[0];
        const { bucket, policy } = await seedLockedBucket(endpoint, guarded, { bucket: 'guarded-bucket' });
        const { accessKeys } = await seedRootCredentials(endpoint, guarded, { accessKeys: 1, loginProfile: true });
        const rootUser = clients(endpoint, accessKeys[0]);
        expect((await rootUser.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(policy);
        const work = makeWorkdir('e2e-root-');
        writeSandboxRoot(
          work.dir,
          endpoint,
          [
            { label: 'root_access', module: 'centralize-root-access' },
            {
              label: 'guardrails',
              module: 'scp-guardrails',
              inputs: { target_ids: [org.rootId, org.ous[0].id], exclude_principal_arns: [EXEMPT] },
            },
            {
              label: 'hub',
              module: 'hub-spoke-roles',
              inputs: {
                organization_id: org.organizationId,
                hub_trusted_principal_arns: [`arn:aws:iam::${MANAGEMENT}:root`],
                target_ou_ids: [target],
                external_id: 'e2e-external-id',
                create_management_spoke: true,
                // moto does not load AWS-managed policies, so none are attached here.
                spoke_managed_policy_arns: [],
              },
            },
            {
              label: 'operator',
              module: 'root-operator',
              inputs: { trusted_principal_arns: [`arn:aws:iam::${MANAGEMENT}:root`], task_profile: 'unlock-only' },
            },
            ...alertsCalls(org, security, target),
          ],
          { aliases: [{ alias: SECURITY_PROVIDER, credentials: securityCreds }] },
        );
        const iam = clients(endpoint).iam;
        const spokeArn = (account: string) => `arn:aws:iam::${account}:role/SpokeRole`;
        const hubToSpoke = async (account: string, externalId?: string) => {
          const hub = await assumeRole(clients(endpoint).sts, `arn:aws:iam::${MANAGEMENT}:role/HubRole`);
          return assumeRole(clients(endpoint, hub).sts, spokeArn(account), externalId);
        };
        try {
          await terraform(work.dir, ['init', '-no-color']);
          // Brownfield without trusted access for IAM: the plan-time guard names the problem, and nothing is
          // created, by any of the modules.
          await expect(apply(work.dir)).rejects.toThrow(/Trusted access for iam.amazonaws.com is not enabled/);
          expect((await describeOrganization(endpoint)).features ?? []).toEqual([]);
          await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'HubRole' })), 'NoSuchEntityException');

          await seedOrganization(endpoint, { accounts: 0, trustedAccessForIam: true, features: [] });
          await apply(work.dir);
          const out = (await outputs(work.dir)) as Record<string, Record<string, unknown>>;

          // centralize-root-access: both features, on the seeded organization.
          expect(out.root_access.organization_id).toBe(org.organizationId);
          expect([...((await describeOrganization(endpoint)).features ?? [])].sort()).toEqual([
            'RootCredentialsManagement',
            'RootSessions',
          ]);

          // scp-guardrails: the SCP terraform created is the one the TypeScript twin renders (and the policy
          // proofs use), and it denies the plain root user while letting an AssumeRoot session through.
          const created = (out.guardrails.policy_contents as string[]).map((p) => JSON.parse(p) as object);
          const twin = renderGuardrailPolicies({
            statements: [
              'DenyRootExceptAssumeRoot',
              'DenyLeaveOrganization',
              'DenyIamUserAndAccessKeyCreation',
              'DenyLoginProfileCreation',
              'DenyCentralizedRootChanges',
            ],
            excludePrincipalArns: [EXEMPT],
          }).map((p) => JSON.parse(p) as object);
          expect(created).toEqual(twin);
          expect(await decide(org, created, false)).toBe('ExplicitlyDenied');
          expect(await decide(org, created, true)).toBe('Allowed');
          // The same verdicts from the sandbox, on real requests: the root user's keys are denied by the SCP...
          const denied = await expectAwsError(
            rootUser.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })),
            'AccessDenied',
            403,
          );
          expect(denied.message).toContain('with an explicit deny in a service control policy');
          await expectAwsError(rootUser.iam.send(new ListAccessKeysCommand({})), 'AccessDenied', 403);
          expect(await readBucketPolicy(endpoint, guarded, bucket)).toBe(policy);
          // ...while the runbook's AssumeRoot session unlocks the bucket.
          const runbookDir = mkdtempSync(join(tmpdir(), 'e2e-unlock-'));
          const unlock = await runCli(['s3-unlock', '--account', guarded, '--bucket', bucket, '--yes', '--json'], {
            cwd: runbookDir,
            env: {
              ...sandboxEnv(endpoint),
              RUNBOOK_AUDIT_LOG: join(runbookDir, 'audit.jsonl'),
              RUNBOOK_BACKUP_DIR: join(runbookDir, 'backups'),
            },
          }).finally(() => rmSync(runbookDir, { recursive: true, force: true }));
          expect({ code: unlock.code, stderr: unlock.stderr }).toEqual({ code: 0, stderr: '' });
          expect(JSON.parse(unlock.stdout)).toMatchObject({ status: 'changed' });
          expect(await readBucketPolicy(endpoint, guarded, bucket)).toBeNull();

          // hub-spoke-roles: the service-managed StackSet deployed the spoke role into each account of the
          // target OU: the hub reaches it with the external id, and without it the spoke's trust policy refuses.
          expect(out.hub).toMatchObject({
            hub_role_arn: `arn:aws:iam::${MANAGEMENT}:role/HubRole`,
            management_spoke_role_arn: `arn:aws:iam::${MANAGEMENT}:role/SpokeRole`,
            stack_set_id: 'hub-spoke-roles-spoke',
          });
          for (const account of inTarget) {
            const spoke = await hubToSpoke(account, 'e2e-external-id');
            const { Arn } = await clients(endpoint, spoke).sts.send(new GetCallerIdentityCommand({}));
            expect(Arn).toBe(`arn:aws:sts::${account}:assumed-role/SpokeRole/test`);
            await expectAwsError(hubToSpoke(account), 'AccessDenied');
          }
          // Accounts outside the target OUs get no spoke.
          for (const account of outside) await expect(hubToSpoke(account, 'e2e-external-id')).rejects.toThrow();

          // root-operator: the role, with its permissions for the selected tasks only.
          expect(out.operator).toMatchObject({
            role_arn: `arn:aws:iam::${MANAGEMENT}:role/RootOperator`,
            task_policy_arns: [
              'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
              'arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy',
            ],
          });
          // The role may start its selected tasks, and AWS refuses it any other.
          const operator = clients(
            endpoint,
            await assumeRole(clients(endpoint).sts, (out.operator as { role_arn: string }).role_arn),
          );
          const start = (task: Parameters<typeof taskPolicyArn>[0]) =>
            operator.sts.send(
              new AssumeRootCommand({ TargetPrincipal: guarded, TaskPolicyArn: { arn: taskPolicyArn(task) } }),
            );
          expect((await start('S3UnlockBucketPolicy')).Credentials?.AccessKeyId).toMatch(/^ASIA/);
          await expectAwsError(start('IAMAuditRootUserCredentials'), 'AccessDenied', 403);

          // root-activity-alerts: the StackSet put the forwarding rules into the target OU's accounts (the
          // security account's own included), the management account forwards through its plain rules, and each
          // kind reached its own topic and no other.
          expect(out.alerts_forwarding.stack_set_name).toBe('root-activity-alerts');
          expect(Object.keys(out.alerts_central.topic_arns as object).sort()).toEqual([
            'assume_root_calls',
            'assume_root_sessions',
            'root_credentials',
          ]);
          const member = inTarget.find((a) => a !== security)!;
          await checkAlerts(
            endpoint,
            { management: MANAGEMENT, security, member, outside: outside[0] },
            securityCreds,
            await subscribeQueues(endpoint, securityCreds, out.alerts_central as never),
          );

          expect(planSummary(await planDetailed(work.dir))).toEqual({ changes: false, output: '' });
        } finally {
          await destroy(work.dir).finally(() => work.cleanup());
        }
        // Destroying aws_iam_organizations_features disables the features; destroying the stack instances
        // removed the spoke roles from the member accounts; the operator role is gone.
        expect((await describeOrganization(endpoint)).features ?? []).toEqual([]);
        for (const account of inTarget) await expect(hubToSpoke(account, 'e2e-external-id')).rejects.toThrow();
        await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'RootOperator' })), 'NoSuchEntityException');
        // With the SCP gone the root user's keys are back to what IAM alone allows.
        await rootUser.iam.send(new ListAccessKeysCommand({}));
        await checkAlertsRemoved(endpoint, inTarget.find((a) => a !== security)!);
      },
      LONG,
    );
  },
  { sandbox: true },
);
