/**
 * The guardrail's promise exercised by real requests: the generated scp-guardrails module, applied with the real
 * terraform to the sandbox's organization root, denies the member's root user with long-term keys, while the
 * `runbook s3-unlock` root session (aws:AssumedRoot) still unlocks the bucket.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { applyModuleToSandbox } from '../../emulator/terraform';
import { readBucketPolicy, seedLockedBucket, seedOrganization, seedRootCredentials } from '../../emulator/seed';
import { sandboxEnv, sandboxUnavailable, useSandbox } from '../support/sandbox';
import { clients, expectAwsError } from './aws';

const CLI = join(__dirname, '../../dist/runbooks/cli/main.js');
const unavailable = sandboxUnavailable ?? process.env.TERRAFORM_UNAVAILABLE;
const describeWithTerraform = unavailable === undefined ? describe : describe.skip;

describeWithTerraform(`scp-guardrails against real requests${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  const sandbox = useSandbox();

  it('denies the root user’s long-term keys and lets the AssumeRoot session unlock the bucket', async () => {
    const org = await seedOrganization(sandbox.endpoint, { accounts: 1 });
    const member = org.accounts[0].id;
    const { bucket, policy } = await seedLockedBucket(sandbox.endpoint, member, { bucket: 'guarded-bucket' });
    const { accessKeys } = await seedRootCredentials(sandbox.endpoint, member, { accessKeys: 1, loginProfile: true });
    const rootUser = clients(sandbox.endpoint, accessKeys[0]);
    // Before the guardrail the root user's keys reach their own bucket's policy (the owner's root exception).
    expect((await rootUser.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(policy);

    const run = await applyModuleToSandbox({
      module: 'scp-guardrails',
      endpoint: sandbox.endpoint,
      inputs: { target_ids: [org.rootId] },
    });
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
    } finally {
      await run.destroy();
    }
    // With the SCP gone the root user's keys are back to what IAM alone allows.
    await rootUser.iam.send(new ListAccessKeysCommand({}));
  }, 600_000);
});
