/**
 * s3-unlock: removes (or replaces) a bucket policy that locks everyone out, through a root session with
 * the S3UnlockBucketPolicy task. Calls: GetBucketPolicy, DeleteBucketPolicy or PutBucketPolicy, and
 * GetBucketPolicy again to verify. No s3:GetBucketLocation: the task policy does not allow it, and the
 * client follows S3's region redirects instead.
 */
import { bucketPolicyStore } from './apis/s3';
import type { PolicySpec } from './policy-runbook';
import type { PolicyStore } from './apis/policy-store';
import { replacementPolicy } from './policy-document';
import type { RunSettings } from '../engine/settings';
import { parseAccountId, parseBucketName, partitionOf, requireOption, runRegion } from '../engine/validate';

export interface S3UnlockParams {
  readonly account: string;
  readonly bucket: string;
  /** The replacement policy; absent: delete the policy. */
  readonly policy?: { readonly file: string; readonly text: string };
}

export function parseS3UnlockParams(
  values: Record<string, unknown>,
  settings: Pick<RunSettings, 'region' | 'defaultRegion'>,
): S3UnlockParams {
  const account = parseAccountId(requireOption(values, 'account', 'an AWS account id of exactly 12 digits'));
  const bucket = parseBucketName(requireOption(values, 'bucket', 'an S3 bucket name'));
  const policy = replacementPolicy(values, () => ({
    service: 's3',
    account,
    bucket,
    partition: partitionOf(runRegion(settings)),
  }));
  return { account, bucket, policy };
}

export const s3Unlock: PolicySpec<S3UnlockParams, PolicyStore> = {
  name: 's3-unlock',
  task: 's3-unlock',
  actions: ['s3:GetBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketPolicy'],
  service: 's3',
  account: (p) => p.account,
  parameters: (p) => ({ bucket: p.bucket, policyFile: p.policy?.file ?? null }),
  connect: (root, p) => bucketPolicyStore(root, p.account),
  resource: async (_api, p) => p.bucket,
  desired: (p) => p.policy?.text ?? null,
  target: (p) => `bucket ${p.bucket}`,
};
