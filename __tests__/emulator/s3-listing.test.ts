/**
 * ListBuckets as AWS answers it: with MaxBuckets the listing pages (ContinuationToken) and names each bucket's
 * region, which the lock-out scan reports; the seeding API puts buckets and queues with any policy in any region.
 */
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readBucketPolicy, seedBucket, seedOrganization, seedQueue } from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { assumeRoot, clients } from './aws';

describeWithSandbox('S3 listing and policy seeding', () => {
  const sandbox = useSandbox();
  let account: string;

  beforeAll(async () => {
    account = (await seedOrganization(sandbox.endpoint, { accounts: 1 })).accounts[0].id;
  });

  it('pages ListBuckets with MaxBuckets and reports BucketRegion', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: '*' }],
    };
    await seedBucket(sandbox.endpoint, account, { bucket: 'list-a', region: 'eu-west-1', policy });
    await seedBucket(sandbox.endpoint, account, { bucket: 'list-b', policy: null });
    await seedBucket(sandbox.endpoint, account, {
      bucket: 'list-c',
      region: 'ap-south-1',
      policy: JSON.stringify(policy),
    });
    expect(JSON.parse((await readBucketPolicy(sandbox.endpoint, account, 'list-a')) ?? 'null')).toEqual(policy);
    expect(await readBucketPolicy(sandbox.endpoint, account, 'list-b')).toBeNull();

    const root = await assumeRoot(sandbox.endpoint, account, 'S3UnlockBucketPolicy');
    const { s3 } = clients(sandbox.endpoint, root);
    const first = await s3.send(new ListBucketsCommand({ MaxBuckets: 2 }));
    expect(first.Buckets?.map((b) => [b.Name, b.BucketRegion])).toEqual([
      ['list-a', 'eu-west-1'],
      ['list-b', 'us-east-1'],
    ]);
    expect(first.ContinuationToken).toBeDefined();
    const second = await s3.send(new ListBucketsCommand({ MaxBuckets: 2, ContinuationToken: first.ContinuationToken }));
    expect(second.Buckets?.map((b) => [b.Name, b.BucketRegion])).toEqual([['list-c', 'ap-south-1']]);
    expect(second.ContinuationToken).toBeUndefined();
    // Without a parameter the answer stays the old one: no region.
    const plain = await s3.send(new ListBucketsCommand({}));
    expect(plain.Buckets?.map((b) => b.BucketRegion)).toEqual([undefined, undefined, undefined]);
  });

  it('seeds a queue with a policy in the region asked for', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Resource: '*' }],
    };
    const seeded = await seedQueue(sandbox.endpoint, account, { queueName: 'seeded', region: 'eu-west-1', policy });
    const root = await assumeRoot(sandbox.endpoint, account, 'SQSUnlockQueuePolicy');
    const sqs = (region: string) =>
      new SQSClient({
        endpoint: sandbox.endpoint,
        region,
        credentials: root,
        maxAttempts: 1,
        useQueueUrlAsEndpoint: false,
      });
    expect((await sqs('eu-west-1').send(new ListQueuesCommand({}))).QueueUrls).toEqual([seeded.queueUrl]);
    expect((await sqs('us-east-1').send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
    const attributes = await sqs('eu-west-1').send(
      new GetQueueAttributesCommand({ QueueUrl: seeded.queueUrl, AttributeNames: ['Policy', 'QueueArn'] }),
    );
    expect(JSON.parse(attributes.Attributes?.Policy ?? 'null')).toEqual(policy);
    expect(attributes.Attributes?.QueueArn).toBe(seeded.queueArn);
  });
});
