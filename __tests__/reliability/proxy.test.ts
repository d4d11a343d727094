/**
 * The fault proxy itself, against a really started sandbox: it forwards and names every call, answers
 * throttling in the shape each SDK protocol recognizes as throttling, resets and delays on request, and
 * makes the same decisions for the same seed.
 */
import { CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListAccountAliasesCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startFaultProxy, type FaultProxy, type ProxyOptions } from '../../emulator/proxy';
import { classify } from '../../emulator/proxy/classify';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import { describeWithSandbox, MANAGEMENT_CREDENTIALS } from '../../test-support/sandbox';

function clients(endpoint: string, extra: { maxAttempts?: number; requestTimeout?: number } = {}) {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: MANAGEMENT_CREDENTIALS,
    maxAttempts: extra.maxAttempts ?? 1,
    // Without throwOnRequestTimeout the SDK only warns when a request outlives requestTimeout.
    ...(extra.requestTimeout
      ? { requestHandler: { requestTimeout: extra.requestTimeout, throwOnRequestTimeout: true } }
      : {}),
  };
  return {
    sts: new STSClient(config),
    iam: new IAMClient(config),
    sqs: new SQSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

let sandbox: Sandbox;
const proxies: FaultProxy[] = [];

async function proxy(options: Omit<ProxyOptions, 'target'> = {}): Promise<FaultProxy> {
  const started = await startFaultProxy({ target: sandbox.endpoint, ...options });
  proxies.push(started);
  return started;
}

describeWithSandbox('reliability: fault proxy', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  describe('forwarding and the call log', () => {
    it('listens on loopback only and names service, action and mutation for each protocol', async () => {
      const p = await proxy();
      expect(p.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { sts, iam, sqs, s3 } = clients(p.endpoint);
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe('123456789012');
      await iam.send(new ListAccountAliasesCommand({}));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'proxy-log-queue' }));
      await sqs.send(new GetQueueUrlCommand({ QueueName: 'proxy-log-queue' }));
      await s3.send(new CreateBucketCommand({ Bucket: 'proxy-log-bucket' }));
      const policy = {
        Version: '2012-10-17',
        // Denies object deletes only: a deny-all policy would lock this caller out of the bucket-policy calls below.
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::proxy-log-bucket/*' },
        ],
      };
      await s3.send(new PutBucketPolicyCommand({ Bucket: 'proxy-log-bucket', Policy: JSON.stringify(policy) }));
      await s3.send(new GetBucketPolicyCommand({ Bucket: 'proxy-log-bucket' }));
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'proxy-log-bucket' }));

      expect(QueueUrl).toContain('proxy-log-queue');
      expect(p.log().map(({ service, action, mutating, outcome }) => [service, action, mutating, outcome])).toEqual([
        ['sts', 'GetCallerIdentity', false, 'passed'],
        ['iam', 'ListAccountAliases', false, 'passed'],
        ['sqs', 'CreateQueue', true, 'passed'],
        ['sqs', 'GetQueueUrl', false, 'passed'],
        ['s3', 'CreateBucket', true, 'passed'],
        ['s3', 'PutBucketPolicy', true, 'passed'],
        ['s3', 'GetBucketPolicy', false, 'passed'],
        ['s3', 'DeleteBucketPolicy', true, 'passed'],
      ]);
      expect(p.log().map((entry) => entry.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(p.log()[7].status).toBe(204);
      p.clearLog();
      expect(p.log()).toEqual([]);
    });

    it('adds the configured latency to every request', async () => {
      const p = await proxy({ latencyMs: 150 });
      const { sts } = clients(p.endpoint);
      const started = Date.now();
      await sts.send(new GetCallerIdentityCommand({}));
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    });

    it('refuses connections once stopped', async () => {
      const p = await proxy();
      await p.stop();
      const { sts } = clients(p.endpoint);
      const error = await failure(sts.send(new GetCallerIdentityCommand({})));
      expect(String(error.code ?? error.message)).toMatch(/ECONNREFUSED/);
    });
  });

  describe('faults in each protocol shape', () => {
    it('throttles STS/IAM with query XML Throttling, SQS with JSON ThrottlingException, S3 with SlowDown 503', async () => {
      const p = await proxy({ faults: { throttle: 1 } });
      const { sts, iam, sqs, s3 } = clients(p.endpoint);
      const stsError = await failure(sts.send(new GetCallerIdentityCommand({})));
      expect([stsError.name, (stsError.$metadata as { httpStatusCode: number }).httpStatusCode]).toEqual([
        'Throttling',
        400,
      ]);
      const iamError = await failure(iam.send(new ListAccountAliasesCommand({})));
      expect(iamError.name).toBe('Throttling');
      const sqsError = await failure(sqs.send(new CreateQueueCommand({ QueueName: 'never-created' })));
      expect([sqsError.name, (sqsError.$metadata as { httpStatusCode: number }).httpStatusCode]).toEqual([
        'ThrottlingException',
        400,
      ]);
      const s3Error = await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'any-bucket' })));
      expect([s3Error.name, (s3Error.$metadata as { httpStatusCode: number }).httpStatusCode]).toEqual([
        'SlowDown',
        503,
      ]);
      expect(p.log().every((entry) => entry.outcome === 'throttled')).toBe(true);

      // A throttled request never reached the sandbox.
      const direct = clients(sandbox.endpoint).sqs;
      const missing = await failure(direct.send(new GetQueueUrlCommand({ QueueName: 'never-created' })));
      expect(missing.name).toMatch(/QueueDoesNotExist|NonExistentQueue/);
    });

    it('answers 500 in the protocol shape, which the SDK treats as a server fault', async () => {
      const p = await proxy({ faults: { serverError: 1 } });
      const { sts, sqs, s3 } = clients(p.endpoint);
      for (const call of [
        () => sts.send(new GetCallerIdentityCommand({})),
        () => sqs.send(new ListQueuesCommand({})),
        () => s3.send(new GetBucketPolicyCommand({ Bucket: 'any-bucket' })),
      ]) {
        const error = await failure(call());
        expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(500);
        expect(error.$fault).toBe('server');
      }
      expect(p.log().map((entry) => [entry.outcome, entry.status])).toEqual([
        ['server-error', 500],
        ['server-error', 500],
        ['server-error', 500],
      ]);
    });

    it('resets the connection', async () => {
      const p = await proxy({ faults: { reset: 1 } });
      const error = await failure(clients(p.endpoint).sts.send(new GetCallerIdentityCommand({})));
      // Under jest the SDK wraps node's socket errors (another realm's Error), keeping the code in the message.
      expect(String(error.code ?? error.message)).toMatch(/ECONNRESET/);
      expect(p.log()[0].outcome).toBe('reset');
    });

    it('holds a slow answer past the client timeout and then does not apply it', async () => {
      const p = await proxy({ faults: { slow: 1, slowMs: 1500 } });
      const { sqs } = clients(p.endpoint, { requestTimeout: 300 });
      const error = await failure(sqs.send(new CreateQueueCommand({ QueueName: 'slow-queue' })));
      expect(error.name).toBe('TimeoutError');
      await new Promise((resolve) => setTimeout(resolve, 1700));
      const missing = await failure(
        clients(sandbox.endpoint).sqs.send(new GetQueueUrlCommand({ QueueName: 'slow-queue' })),
      );
      expect(missing.name).toMatch(/QueueDoesNotExist|NonExistentQueue/);
      expect(p.log()[0].outcome).toBe('slow');
    });

    it('lets the SDK retry through throttling to success', async () => {
      const p = await proxy({ seed: 7, faults: { throttle: 0.5 } });
      const { sts } = clients(p.endpoint, { maxAttempts: 10 });
      for (let i = 0; i < 5; i += 1) await sts.send(new GetCallerIdentityCommand({}));
      const outcomes = p.log().map((entry) => entry.outcome);
      expect(outcomes.filter((o) => o === 'passed')).toHaveLength(5);
      expect(outcomes).toContain('throttled');
    });
  });

  describe('quota mode', () => {
    it('passes a burst, then throttles each action in its own protocol shape, per action', async () => {
      const p = await proxy({
        quotas: { GetCallerIdentity: { rate: 0.001, burst: 2 }, '*': { rate: 0.001, burst: 1 } },
      });
      const { sts, sqs, s3 } = clients(p.endpoint);
      await sts.send(new GetCallerIdentityCommand({}));
      await sts.send(new GetCallerIdentityCommand({}));
      const stsError = await failure(sts.send(new GetCallerIdentityCommand({})));
      expect([stsError.name, (stsError.$metadata as { httpStatusCode: number }).httpStatusCode]).toEqual([
        'Throttling',
        400,
      ]);
      // Every other action has a bucket of its own: one ListQueues passes, the second is over quota.
      await sqs.send(new ListQueuesCommand({}));
      const sqsError = await failure(sqs.send(new ListQueuesCommand({})));
      expect(sqsError.name).toBe('ThrottlingException');
      await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket' }))).then((e) =>
        expect(e.name).not.toBe('SlowDown'),
      );
      const s3Error = await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket' })));
      expect([s3Error.name, (s3Error.$metadata as { httpStatusCode: number }).httpStatusCode]).toEqual([
        'SlowDown',
        503,
      ]);
      expect(p.log().map((entry) => `${entry.action} ${entry.outcome}`)).toEqual([
        'GetCallerIdentity passed',
        'GetCallerIdentity passed',
        'GetCallerIdentity over-quota',
        'ListQueues passed',
        'ListQueues over-quota',
        'GetBucketPolicy passed',
        'GetBucketPolicy over-quota',
      ]);
    });

    it('refills at the rate, and a refused request takes no token', async () => {
      const p = await proxy({ quotas: { 'sts:GetCallerIdentity': { rate: 10, burst: 1 } } });
      const { sts } = clients(p.endpoint);
      const send = () =>
        sts.send(new GetCallerIdentityCommand({})).then(
          () => 'passed',
          (e: Error) => e.name,
        );
      expect(await Promise.all([send(), send(), send()])).toEqual(['passed', 'Throttling', 'Throttling']);
      // 10 per second: one token is back 100 ms later, although two requests were refused meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await send()).toBe('passed');
      // Unnamed actions are not metered.
      const { iam } = clients(p.endpoint);
      await Promise.all(Array.from({ length: 5 }, () => iam.send(new ListAccountAliasesCommand({}))));
    });

    it('rejects a quota without a positive rate or with a burst below 1', async () => {
      await expect(startFaultProxy({ target: sandbox.endpoint, quotas: { AssumeRoot: { rate: 0 } } })).rejects.toThrow(
        /AssumeRoot: rate must be a positive number/,
      );
      await expect(
        startFaultProxy({ target: sandbox.endpoint, quotas: { AssumeRoot: { rate: 5, burst: 0.5 } } }),
      ).rejects.toThrow(/burst must be at least 1/);
    });
  });

  describe('seeded decisions', () => {
    async function outcomes(seed: number): Promise<string[]> {
      const p = await proxy({ seed, faults: { throttle: 0.2, serverError: 0.05, reset: 0.02 } });
      const { sts } = clients(p.endpoint);
      for (let i = 0; i < 200; i += 1) await sts.send(new GetCallerIdentityCommand({})).catch(() => undefined);
      const log = p.log().map((entry) => entry.outcome);
      await p.stop();
      return log;
    }

    it('repeats the same faults for the same seed, at about the configured rates', async () => {
      const first = await outcomes(42);
      const second = await outcomes(42);
      const other = await outcomes(43);
      expect(second).toEqual(first);
      expect(other).not.toEqual(first);
      const count = (kind: string) => first.filter((o) => o === kind).length;
      expect(count('throttled')).toBeGreaterThan(20);
      expect(count('throttled')).toBeLessThan(65);
      expect(count('server-error')).toBeGreaterThan(2);
      expect(count('server-error')).toBeLessThan(25);
      expect(count('reset')).toBeLessThan(15);
    });

    it('caps a streak of faults on the same request when asked, so retries always get through', async () => {
      const p = await proxy({ seed: 3, faults: { serverError: 0.9, maxConsecutive: 2 } });
      const { sts } = clients(p.endpoint, { maxAttempts: 3 });
      for (let i = 0; i < 10; i += 1) await sts.send(new GetCallerIdentityCommand({}));
      let streak = 0;
      for (const entry of p.log()) {
        streak = entry.outcome === 'passed' ? 0 : streak + 1;
        expect(streak).toBeLessThanOrEqual(2);
      }
    });

    it('rejects rates outside 0..1 or summing past 1', async () => {
      await expect(startFaultProxy({ target: sandbox.endpoint, faults: { throttle: 1.5 } })).rejects.toThrow(/0\.\.1/);
      await expect(
        startFaultProxy({ target: sandbox.endpoint, faults: { throttle: 0.6, reset: 0.6 } }),
      ).rejects.toThrow(/sum/);
    });
  });

  describe('S3 request naming', () => {
    const s3 = (method: string, url: string, headers: Record<string, string> = {}) =>
      classify({
        method,
        url,
        headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3/aws4_request', ...headers },
        body: Buffer.alloc(0),
      });

    it.each([
      ['GET', '/', 'ListBuckets', false],
      ['GET', '/b?policy', 'GetBucketPolicy', false],
      ['PUT', '/b?policy', 'PutBucketPolicy', true],
      ['DELETE', '/b?policy', 'DeleteBucketPolicy', true],
      ['GET', '/b?list-type=2', 'ListObjectsV2', false],
      ['HEAD', '/b', 'HeadBucket', false],
      ['PUT', '/b', 'CreateBucket', true],
      ['GET', '/b/k/x.txt', 'GetObject', false],
      ['PUT', '/b/k?tagging', 'PutObjectTagging', true],
      ['POST', '/b?delete', 'DeleteObjects', true],
    ])('%s %s is %s', (method, url, action, mutating) => {
      expect(s3(method, url)).toMatchObject({ service: 's3', action, mutating });
    });

    it('reads the bucket from a virtual-hosted Host header', () => {
      expect(s3('GET', '/?policy', { host: 'my-bucket.localhost:4566' }).action).toBe('GetBucketPolicy');
    });
  });
});
