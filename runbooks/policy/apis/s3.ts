/** The narrow S3 interface the bucket runbooks receive: a bucket policy store. */
import { createClient, sdk, type Session } from '../../engine/clients';
import { toRunbookError } from '../../engine/aws-errors';
import type { PolicyStore } from './policy-store';

/**
 * Bucket policies read and written with a root session. ExpectedBucketOwner makes S3 refuse a bucket of
 * another account instead of silently touching it.
 */
export async function bucketPolicyStore(session: Session, account: string): Promise<PolicyStore> {
  const s3 = await sdk('s3');
  const client = await createClient('s3', session);
  const target = (bucket: string) => `bucket ${bucket}`;
  return {
    async read(bucket) {
      try {
        const answer = await client.send(
          new s3.GetBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: account }),
        );
        return answer.Policy ?? null;
      } catch (err) {
        if ((err as Error).name === 'NoSuchBucketPolicy') return null;
        throw toRunbookError(err, { action: 's3:GetBucketPolicy', target: target(bucket) });
      }
    },
    async write(bucket, policy) {
      try {
        if (policy === null) {
          await client.send(new s3.DeleteBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
        } else {
          await client.send(
            new s3.PutBucketPolicyCommand({ Bucket: bucket, Policy: policy, ExpectedBucketOwner: account }),
          );
        }
      } catch (err) {
        const action = policy === null ? 's3:DeleteBucketPolicy' : 's3:PutBucketPolicy';
        throw toRunbookError(err, { action, target: target(bucket) });
      }
    },
  };
}
