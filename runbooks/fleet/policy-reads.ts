/**
 * The reads of the lock-out scan, with the unlock tasks' root sessions: S3UnlockBucketPolicy allows
 * ListAllMyBuckets and GetBucketPolicy, SQSUnlockQueuePolicy ListQueues and GetQueueAttributes. Nothing else is
 * called, so the scan changes nothing and needs no other permission. The real clients or test fakes satisfy them.
 */
import type {
  GetBucketPolicyCommandInput,
  GetBucketPolicyCommandOutput,
  ListBucketsCommandInput,
  ListBucketsCommandOutput,
} from '@aws-sdk/client-s3';
import type {
  GetQueueAttributesCommandInput,
  GetQueueAttributesCommandOutput,
  ListQueuesCommandInput,
  ListQueuesCommandOutput,
} from '@aws-sdk/client-sqs';

export interface BucketPolicyReader {
  listBuckets(input: ListBucketsCommandInput): Promise<ListBucketsCommandOutput>;
  getBucketPolicy(input: GetBucketPolicyCommandInput): Promise<GetBucketPolicyCommandOutput>;
}

export interface QueuePolicyReader {
  listQueues(input: ListQueuesCommandInput): Promise<ListQueuesCommandOutput>;
  getQueueAttributes(input: GetQueueAttributesCommandInput): Promise<GetQueueAttributesCommandOutput>;
}

/** The IAM actions behind the readers, per task: proved against the real task policies in the policy tests. */
export const LOCKOUT_SCAN_ACTIONS = {
  's3-unlock': ['s3:ListAllMyBuckets', 's3:GetBucketPolicy'],
  'sqs-unlock': ['sqs:ListQueues', 'sqs:GetQueueAttributes'],
} as const;
