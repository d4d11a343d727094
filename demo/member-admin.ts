/**
 * The member account's administrator, as the demo shows the lock-out: OrganizationAccountAccessRole, assumed
 * from the management account, tries the locked bucket and queue. The sandbox evaluates the resource policies,
 * so what it answers is what AWS would: AccessDenied while the policy locks everyone out, success after the unlock.
 */
import { GetBucketPolicyCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/** What one call answered: "ok", or the AWS error code. */
export type Outcome = 'ok' | string;

export interface MemberAdmin {
  readonly arn: string;
  /** GetObject and GetBucketPolicy on the bucket (after writing a probe object when `write` is set). */
  bucket(bucket: string, write: boolean): Promise<Record<string, Outcome>>;
  /** GetQueueAttributes and SendMessage on the queue. */
  queue(queueUrl: string): Promise<Record<string, Outcome>>;
  destroy(): void;
}

async function outcome(call: Promise<unknown>): Promise<Outcome> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

export async function memberAdmin(
  endpoint: string,
  region: string,
  managementCredentials: { accessKeyId: string; secretAccessKey: string },
  account: string,
): Promise<MemberAdmin> {
  const sts = new STSClient({ endpoint, region, credentials: managementCredentials });
  const roleArn = `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`;
  const { Credentials: c, AssumedRoleUser } = await sts
    .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'demo-admin' }))
    .finally(() => sts.destroy());
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
  const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  const s3 = new S3Client({ endpoint, region, credentials, forcePathStyle: true, maxAttempts: 1 });
  const sqs = new SQSClient({ endpoint, region, credentials, maxAttempts: 1 });
  return {
    arn: AssumedRoleUser?.Arn ?? roleArn,
    async bucket(bucket, write) {
      if (write) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'probe.txt', Body: 'readable again' }));
      return {
        GetObject: await outcome(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'probe.txt' }))),
        GetBucketPolicy: await outcome(s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))),
      };
    },
    async queue(queueUrl) {
      return {
        GetQueueAttributes: await outcome(
          sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] })),
        ),
        SendMessage: await outcome(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'demo' }))),
      };
    },
    destroy() {
      s3.destroy();
      sqs.destroy();
    },
  };
}

/** "GetObject AccessDenied, GetBucketPolicy AccessDenied" for the report. */
export function describeOutcomes(outcomes: Record<string, Outcome>): string {
  return Object.entries(outcomes)
    .map(([call, result]) => `${call} ${result}`)
    .join(', ');
}
