/**
 * The modules' promises exercised by real requests. The generated scp-guardrails module, applied with the real
 * terraform to the sandbox's organization root, denies the member's root user with long-term keys, while the
 * `runbook s3-unlock` root session (aws:AssumedRoot) still unlocks the bucket. The root-operator role, applied in the
 * same root with the audit-only profile, may start the audit task and is refused the S3 task.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { AssumeRootCommand } from '@aws-sdk/client-sts';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { applyToSandbox } from '../../emulator/terraform';
import { readBucketPolicy, seedLockedBucket, seedOrganization, seedRootCredentials } from '../../emulator/seed';
import { sandboxEnv, sandboxUnavailable, useSandbox } from '../../test-support/sandbox';
import { taskPolicyArn } from '../../runbooks/engine/tasks';
import { assumeRole, clients, expectAwsError } from './aws';

const CLI = join(__dirname, '../../dist/runbooks/cli/main.js');
const unavailable = sandboxUnavailable ?? process.env.TERRAFORM_UNAVAILABLE;
const describeWithTerraform = unavailable === undefined ? describe : describe.skip;

describeWithTerraform(
  `scp-guardrails and root-operator against real requests${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const sandbox = useSandbox();

    it('denies the root user’s long-term keys, lets the AssumeRoot session unlock, scopes the operator role to its task', async () => {
      const org = await seedOrganization(sandbox.endpoint, { accounts: 1 });
      const member = org.accounts[0].id;
      const { bucket, policy } = await seedLockedBucket(sandbox.endpoint, member, { bucket: 'guarded-bucket' });
      const { accessKeys } = await seedRootCredentials(sandbox.endpoint, member, { accessKeys: 1, loginProfile: true });
      const rootUser = clients(sandbox.endpoint, accessKeys[0]);
      // Before the guardrail the root user's keys reach their own bucket's policy (the owner's root exception).
      expect((await rootUser.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(policy);

      const run = await applyToSandbox(sandbox.endpoint, [
        { label: 'guardrails', module: 'scp-guardrails', inputs: { target_ids: [org.rootId] } },
        {
          label: 'operator',
          module: 'root-operator',
          inputs: { trusted_principal_arns: ['arn:aws:iam::123456789012:root'], task_profile: 'audit-only' },
        },
      ]);
      try {
        const denied = await expectAwsError(
          rootUser.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })),
          'AccessDenied',
          403,
        );
        expect(denied.message).toContain('with an explicit deny in a service control policy');
        await expectAwsError(rootUser.iam.send(new ListAccessKeysCommand({})), 'AccessDenied', 403);
        expect(await readBucketPolicy(sandbox.endpoint, member, bucket)).toBe(policy);

        const work = mkdtempSync(join(tmpdir(), 'scp-e2e-'));
        const unlock = spawnSync(
          process.execPath,
          [CLI, 's3-unlock', '--account', member, '--bucket', bucket, '--yes', '--json'],
          {
            cwd: work,
            env: {
              ...sandboxEnv(sandbox.endpoint),
              RUNBOOK_AUDIT_LOG: join(work, 'audit.jsonl'),
              RUNBOOK_BACKUP_DIR: join(work, 'backups'),
            },
            encoding: 'utf8',
            timeout: 60_000,
          },
        );
        expect({ code: unlock.status, stderr: unlock.stderr }).toEqual({ code: 0, stderr: '' });
        expect(JSON.parse(unlock.stdout)).toMatchObject({ status: 'changed' });
        expect(await readBucketPolicy(sandbox.endpoint, member, bucket)).toBeNull();

        // The operator role the module created: the audit task only.
        const roleArn = (run.outputs.operator as { role_arn?: string }).role_arn!;
        const operator = clients(sandbox.endpoint, await assumeRole(clients(sandbox.endpoint).sts, roleArn));
        const start = (task: Parameters<typeof taskPolicyArn>[0]) =>
          operator.sts.send(
            new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: { arn: taskPolicyArn(task) } }),
          );
        expect((await start('IAMAuditRootUserCredentials')).Credentials?.AccessKeyId).toMatch(/^ASIA/);
        await expectAwsError(start('S3UnlockBucketPolicy'), 'AccessDenied', 403);
      } finally {
        await run.destroy();
      }
      // With the SCP gone the root user's keys are back to what IAM alone allows.
      await rootUser.iam.send(new ListAccessKeysCommand({}));
    }, 600_000);
  },
);
