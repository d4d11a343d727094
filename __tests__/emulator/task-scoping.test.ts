import {
  CreateLoginProfileCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  readBucketPolicy,
  readQueuePolicy,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
} from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { assumeRoot, clients, expectAwsError } from './aws';

describeWithSandbox('task scoping of root sessions', () => {
  const sandbox = useSandbox();
  let member: string;

  beforeAll(async () => {
    member = (await seedOrganization(sandbox.endpoint, { accounts: 2 })).accounts[0].id;
    await seedRootCredentials(sandbox.endpoint, member, { loginProfile: true, accessKeys: 1 });
  });

  it('S3UnlockBucketPolicy: bucket-policy calls and ListBuckets pass, any other S3 call is denied in S3 XML', async () => {
    const { bucket } = await seedLockedBucket(sandbox.endpoint, member, { bucket: 'locked-data' });
    const { s3, sqs, iam, sts, organizations } = clients(
      sandbox.endpoint,
      await assumeRoot(sandbox.endpoint, member, 'S3UnlockBucketPolicy'),
    );

    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([bucket]);
    expect(JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!).Statement[0].Sid).toBe(
      'DenyAllExceptPipeline',
    );
    const open = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${member}:root` },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${bucket}/*`,
        },
      ],
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: open }));
    expect(await readBucketPolicy(sandbox.endpoint, member, bucket)).toBe(open);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    expect(await readBucketPolicy(sandbox.endpoint, member, bucket)).toBeNull();

    const denied = await expectAwsError(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toContain('s3:PutObject');
    await expectAwsError(s3.send(new CreateBucketCommand({ Bucket: 'another' })), 'AccessDenied', 403);
    await expectAwsError(sqs.send(new ListQueuesCommand({})), 'AccessDenied', 403);
    await expectAwsError(iam.send(new GetAccountSummaryCommand({})), 'AccessDenied', 403);
    // Organizations speaks JSON 1.1, where the code carries the Exception suffix.
    await expectAwsError(organizations.send(new ListAccountsCommand({})), 'AccessDeniedException', 403);
    // GetCallerIdentity is never denied.
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${member}:root`);
  });

  it('SQSUnlockQueuePolicy: the four queue calls pass, any other SQS call is denied in SQS JSON', async () => {
    const { queueUrl } = await seedLockedQueue(sandbox.endpoint, member, { queueName: 'locked-jobs' });
    const { sqs, s3 } = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'SQSUnlockQueuePolicy'));

    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toEqual([queueUrl]);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'locked-jobs' }))).QueueUrl).toBe(queueUrl);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['Policy'] }),
    );
    expect(attributes.Attributes?.Policy).toContain('DenyAllExceptPipeline');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: '' } }));
    expect(await readQueuePolicy(sandbox.endpoint, member, queueUrl)).toBeNull();

    const denied = await expectAwsError(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toContain('sqs:SendMessage');
    await expectAwsError(sqs.send(new CreateQueueCommand({ QueueName: 'another' })), 'AccessDenied', 403);
    await expectAwsError(s3.send(new ListBucketsCommand({})), 'AccessDenied', 403);
  });

  it('IAM tasks: only the listed IAM calls pass, and only on the root user; the rest is denied in query XML', async () => {
    const audit = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'IAMAuditRootUserCredentials'));
    await audit.iam.send(new GetLoginProfileCommand({}));
    await audit.iam.send(new GetAccountSummaryCommand({}));
    await expectAwsError(audit.iam.send(new ListUsersCommand({})), 'AccessDenied', 403);
    await expectAwsError(audit.iam.send(new CreateLoginProfileCommand({})), 'AccessDenied', 403);
    const named = await expectAwsError(
      audit.iam.send(new ListAccessKeysCommand({ UserName: 'someone' })),
      'AccessDenied',
      403,
    );
    expect(named.message).toContain('someone');

    const password = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'IAMCreateRootUserPassword'));
    await password.iam.send(new GetLoginProfileCommand({}));
    await expectAwsError(password.iam.send(new ListAccessKeysCommand({})), 'AccessDenied', 403);
    await expectAwsError(password.iam.send(new GetAccountSummaryCommand({})), 'AccessDenied', 403);
  });

  it('leaves the same calls untouched for non-root credentials', async () => {
    const { s3, sqs, iam } = clients(sandbox.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'management-bucket' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'management-queue' }));
    await iam.send(new ListUsersCommand({}));
  });
});
