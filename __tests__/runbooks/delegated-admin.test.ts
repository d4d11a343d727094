/**
 * The demo's whole flow, run from the IAM delegated administrator account instead of the management account,
 * against the strict sandbox (identity policies, task policies and SCPs are evaluated). The layout is the one the
 * centralize-root-access README describes, applied with the real terraform in one root: the management account
 * registers the delegated administrator (centralize-root-access), the delegated administrator holds the operator
 * role (root-operator) and the hub of hub-spoke-roles, whose StackSet it deploys with call_as = DELEGATED_ADMIN.
 *
 * Callers: the delegated administrator's own administrator, the root-operator role deployed there (--role-arn),
 * and the member account's OrganizationAccountAccessRole assumed from the management account (--role-arn).
 */
import { RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANAGEMENT_ACCOUNT_ID } from '../../emulator/sandbox';
import {
  describeOrganization,
  memberAdminCredentials,
  readBucketPolicy,
  readQueuePolicy,
  readRootCredentials,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
  type AccessKeyPair,
} from '../../emulator/seed';
import { applyToSandbox, type SandboxRun } from '../../emulator/terraform';
import { runCli, type CliResult } from '../../test-support/cli';
import { MANAGEMENT_CREDENTIALS, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { describeWithTerraform } from '../../test-support/terraform';
import { lastRun, ofType, runOutcome, trailRecords } from '../../test-support/trail';
import { clients } from '../emulator/aws';

const WHOAMI = `
const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(require.resolve('@aws-sdk/client-sts'))});
new STSClient({}).send(new GetCallerIdentityCommand({})).then((id) => console.log(id.Arn), () => process.exit(9));`;

const STACKSETS = 'member.org.stacksets.cloudformation.amazonaws.com';
const EXTERNAL_ID = 'delegated-admin-e2e';

describeWithTerraform(
  'the demo flow from the IAM delegated administrator',
  () => {
    const sandbox = useSandbox();
    const work = mkdtempSync(join(tmpdir(), 'runbook-delegated-'));
    const auditLog = join(work, 'audit.jsonl');
    let admin: string;
    let bucketAccount: string;
    let queueAccount: string;
    let passwordAccount: string;
    let adminCreds: AccessKeyPair;
    let operatorArn: string;
    let applied: SandboxRun | undefined;

    /** The CLI with `creds` (default: the delegated administrator's own administrator). */
    const runbook = async (args: string[], creds: AccessKeyPair = adminCreds): Promise<CliResult> => {
      const env = {
        ...sandboxEnv(sandbox.endpoint, creds),
        RUNBOOK_AUDIT_LOG: auditLog,
        RUNBOOK_BACKUP_DIR: join(work, 'backups'),
      };
      return runCli(args, { cwd: work, env });
    };
    /** Through the root-operator role deployed in the delegated administrator account. */
    const asOperator = (args: string[]) => runbook([...args, '--role-arn', operatorArn]);
    /** Through the delegated administrator's OrganizationAccountAccessRole, assumed from the management account. */
    const viaAccessRole = (args: string[]) =>
      runbook(
        [...args, '--role-arn', `arn:aws:iam::${admin}:role/OrganizationAccountAccessRole`],
        MANAGEMENT_CREDENTIALS,
      );
    const json = (run: CliResult): Record<string, unknown> => {
      expect(run.stderr).not.toMatch(/^error:/m);
      return JSON.parse(run.stdout) as Record<string, unknown>;
    };
    const lastOutcome = (runbookName: string) => runOutcome(lastRun(trailRecords(auditLog), runbookName));

    beforeAll(async () => {
      const { endpoint } = sandbox;
      // As in the demo: an existing organization with trusted access for IAM, centralized root access not enabled.
      const org = await seedOrganization(endpoint, { accounts: 5, trustedAccessForIam: true, features: [] });
      [admin, bucketAccount, queueAccount, passwordAccount] = org.accounts.map((a) => a.id);
      adminCreds = await memberAdminCredentials(endpoint, admin);
      const adminUser = `arn:aws:iam::${admin}:user/sandbox-admin`;
      // The StackSets registration is the management account's too (no module owns it).
      await clients(endpoint).organizations.send(
        new RegisterDelegatedAdministratorCommand({ AccountId: admin, ServicePrincipal: STACKSETS }),
      );
      applied = await applyToSandbox(
        endpoint,
        [
          {
            label: 'root_access',
            module: 'centralize-root-access',
            inputs: { delegated_administrator_account_id: admin },
          },
          {
            label: 'operator',
            module: 'root-operator',
            provider: 'delegated_admin',
            inputs: { trusted_principal_arns: [adminUser], task_profile: 'full' },
          },
          {
            label: 'hub',
            module: 'hub-spoke-roles',
            provider: 'delegated_admin',
            inputs: {
              organization_id: org.organizationId,
              hub_trusted_principal_arns: [adminUser],
              target_ou_ids: [org.rootId],
              external_id: EXTERNAL_ID,
              call_as: 'DELEGATED_ADMIN',
              // moto does not load AWS-managed policies, so none are attached here.
              spoke_managed_policy_arns: [],
            },
          },
        ],
        { aliases: [{ alias: 'delegated_admin', credentials: adminCreds }] },
      );
      operatorArn = applied.outputs.operator.role_arn as string;
      expect(operatorArn).toBe(`arn:aws:iam::${admin}:role/RootOperator`);
      expect(applied.outputs.root_access.delegated_administrator_account_id).toBe(admin);
    }, 600_000);

    afterAll(() => {
      // The sandbox goes with the suite, and what terraform created with it: only the temp roots remain.
      if (applied !== undefined) rmSync(applied.dir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    });

    it('doctor names the caller the IAM delegated administrator and checks its registration', async () => {
      for (const run of [await runbook(['doctor', '--json']), await asOperator(['doctor', '--json'])]) {
        expect(run.code).toBe(0);
        const report = json(run) as { ok: boolean; caller: { kind: string; account: string }; checks: object[] };
        expect(report).toMatchObject({ ok: true, caller: { kind: 'delegated-admin', account: admin } });
        expect(report.checks[1]).toMatchObject({
          ok: true,
          detail: expect.stringMatching(/^IAM delegated administrator of o-\w+ \(ListDelegatedAdministrators/),
        });
        // The dry AssumeRoot goes to another member, never the caller's own account.
        expect(report.checks[5]).toMatchObject({ ok: true, detail: expect.not.stringContaining(admin) });
      }
      const text = await runbook(['doctor']);
      expect(text.stdout.split('\n')[0]).toBe(
        `caller arn:aws:iam::${admin}:user/sandbox-admin is the IAM delegated administrator`,
      );
    });

    it('enable is refused before any change, naming the management account, and recorded', async () => {
      const before = (await describeOrganization(sandbox.endpoint)).features;
      const run = await runbook(['enable', '--root-sessions', '--yes']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^error: .*only the management account ${MANAGEMENT_ACCOUNT_ID} can do; the caller .* is the IAM delegated administrator`,
          'm',
        ),
      );
      expect(run.stderr).toMatch(/^hint: .*CallerIsNotManagementAccountException.*nothing was changed/m);
      expect((await describeOrganization(sandbox.endpoint)).features).toEqual(before);
      const records = lastRun(trailRecords(auditLog), 'enable');
      expect(ofType(records, 'change')).toEqual([]);
      expect(runOutcome(records)).toMatchObject({
        outcome: 'failed',
        errorCode: 'CallerIsNotManagementAccount',
        callerAccount: admin,
        callerRole: 'delegated-admin',
      });
    });

    it('s3-unlock (dry run, then the change), restore and sqs-unlock through the operator role', async () => {
      const bucket = await seedLockedBucket(sandbox.endpoint, bucketAccount, { bucket: 'project-prod-1' });
      const dry = await asOperator([
        's3-unlock',
        '--account',
        bucketAccount,
        '--bucket',
        'project-prod-1',
        '--dry-run',
        '--json',
      ]);
      expect(json(dry)).toMatchObject({ status: 'dry-run' });
      expect(await readBucketPolicy(sandbox.endpoint, bucketAccount, 'project-prod-1')).toBe(bucket.policy);

      const s3 = await asOperator([
        's3-unlock',
        '--account',
        bucketAccount,
        '--bucket',
        'project-prod-1',
        '--yes',
        '--json',
      ]);
      expect(s3.code).toBe(0);
      const unlocked = json(s3) as { status: string; backup: string };
      expect(unlocked.status).toBe('changed');
      expect(await readBucketPolicy(sandbox.endpoint, bucketAccount, 'project-prod-1')).toBeNull();

      const restore = await asOperator(['restore', '--backup', unlocked.backup, '--yes', '--json']);
      expect(restore.code).toBe(0);
      expect(json(restore)).toMatchObject({ status: 'changed' });
      expect(await readBucketPolicy(sandbox.endpoint, bucketAccount, 'project-prod-1')).toBe(bucket.policy);

      const queue = await seedLockedQueue(sandbox.endpoint, queueAccount, { queueName: 'orders' });
      const sqs = await asOperator([
        'sqs-unlock',
        '--account',
        queueAccount,
        '--queue-url',
        queue.queueUrl,
        '--yes',
        '--json',
      ]);
      expect(sqs.code).toBe(0);
      expect(json(sqs)).toMatchObject({ status: 'changed' });
      expect(await readQueuePolicy(sandbox.endpoint, queueAccount, queue.queueUrl)).toBeNull();

      for (const name of ['s3-unlock', 'restore', 'sqs-unlock']) {
        expect(lastOutcome(name)).toMatchObject({
          outcome: 'changed',
          callerArn: expect.stringMatching(new RegExp(`^arn:aws:sts::${admin}:assumed-role/RootOperator/`)),
          callerAccount: admin,
          callerRole: 'delegated-admin',
        });
      }
    });

    it('root-password-reset, then the fleet: audit --all and delete-root-credentials', async () => {
      await seedRootCredentials(sandbox.endpoint, passwordAccount, {});
      const pw = await asOperator(['root-password-reset', '--account', passwordAccount, '--yes', '--json']);
      expect(json(pw)).toMatchObject({ status: 'changed' });
      expect((await readRootCredentials(sandbox.endpoint, passwordAccount)).loginProfile).toBe(true);

      // The fleet's account selection (Organizations reads) and one AssumeRoot per account, from the delegated
      // administrator: the path every fleet command takes.
      const audit = await viaAccessRole(['audit', '--all', '--output', 'json']);
      expect(audit.stderr).not.toMatch(/^error:/m);
      expect(audit.code).toBe(0);
      const rows = JSON.parse(audit.stdout) as { account: string; status: string; loginProfile: unknown }[];
      expect(rows.find((r) => r.account === MANAGEMENT_ACCOUNT_ID)).toMatchObject({ status: 'skipped' });
      expect(rows.find((r) => r.account === passwordAccount)).toMatchObject({
        status: 'audited',
        loginProfile: expect.anything(),
      });
      expect(rows.filter((r) => r.status === 'failed')).toEqual([]);
      expect(lastOutcome('audit')).toMatchObject({
        callerArn: expect.stringContaining(`:assumed-role/OrganizationAccountAccessRole/`),
        callerAccount: admin,
        callerRole: 'delegated-admin',
      });

      const del = await asOperator(['delete-root-credentials', '--accounts', passwordAccount, '--yes', '--json']);
      expect(del.code).toBe(0);
      expect((await readRootCredentials(sandbox.endpoint, passwordAccount)).loginProfile).toBe(false);
      expect(lastOutcome('delete-root-credentials')).toMatchObject({
        outcome: 'changed',
        callerRole: 'delegated-admin',
      });
    });

    it('exec, credentials and spoke exec', async () => {
      const exec = await runbook([
        'exec',
        '--account',
        bucketAccount,
        '--task',
        'audit',
        '--',
        process.execPath,
        '-e',
        WHOAMI,
      ]);
      expect(exec.code).toBe(0);
      expect(exec.stdout.trim()).toBe(`arn:aws:iam::${bucketAccount}:root`);

      const creds = await asOperator([
        'credentials',
        '--account',
        bucketAccount,
        '--task',
        'audit',
        '--format',
        'json',
      ]);
      expect(creds.code).toBe(0);
      expect(JSON.parse(creds.stdout)).toMatchObject({
        Account: bucketAccount,
        AccessKeyId: expect.stringMatching(/^ASIA/),
      });
      expect(lastOutcome('credentials')).toMatchObject({ callerAccount: admin, callerRole: 'delegated-admin' });

      // The hub lives in the delegated administrator account; its StackSet put the spoke into every member.
      const spoke = await runbook([
        'spoke',
        'exec',
        '--hub-account',
        admin,
        '--hub-role',
        'HubRole',
        '--spoke-account',
        queueAccount,
        '--spoke-role',
        'SpokeRole',
        '--external-id',
        EXTERNAL_ID,
        '--session-name',
        'alice',
        '--',
        process.execPath,
        '-e',
        WHOAMI,
      ]);
      expect(spoke.stderr).not.toMatch(/^error:/m);
      expect(spoke.code).toBe(0);
      expect(spoke.stdout.trim()).toBe(`arn:aws:sts::${queueAccount}:assumed-role/SpokeRole/${queueAccount}-alice`);
    });

    it('the trail names the delegated administrator on every run, and its chain is intact', async () => {
      const shown = await runbook(['log', 'show', '--json']);
      const runs = (json(shown) as { runs: { runbook: string; callerAccount: string; callerRole: string }[] }).runs;
      expect(runs.length).toBeGreaterThanOrEqual(10);
      for (const run of runs)
        expect([run.runbook, run.callerAccount, run.callerRole]).toEqual([run.runbook, admin, 'delegated-admin']);
      const text = await runbook(['log', 'show']);
      expect(text.stdout).toContain(`(account ${admin}, the IAM delegated administrator)`);
      const verify = await runbook(['log', 'verify', '--json']);
      expect(json(verify)).toMatchObject({ ok: true });
    });
  },
  { sandbox: true },
);
