/** AWS SDK v3 clients pointed at a sandbox, and the one assertion the emulator suites share. */
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, AssumeRootCommand, STSClient } from '@aws-sdk/client-sts';
import { taskPolicyArn, type TaskPolicyName } from '../../runbooks/engine/tasks';
import { MANAGEMENT_CREDENTIALS } from '../../test-support/sandbox';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Clients {
  sts: STSClient;
  iam: IAMClient;
  s3: S3Client;
  sqs: SQSClient;
  organizations: OrganizationsClient;
}

export function clients(endpoint: string, credentials: Credentials = MANAGEMENT_CREDENTIALS): Clients {
  // No retries: a refusal must surface at once, not after backoff.
  const config = { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
  return {
    sts: new STSClient(config),
    iam: new IAMClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
    organizations: new OrganizationsClient(config),
  };
}

/** Starts a root session in `accountId` with the management account's credentials. */
export async function assumeRoot(
  endpoint: string,
  accountId: string,
  task: TaskPolicyName,
  durationSeconds?: number,
): Promise<Credentials> {
  const { sts } = clients(endpoint);
  const { Credentials: c } = await sts.send(
    new AssumeRootCommand({
      TargetPrincipal: accountId,
      TaskPolicyArn: { arn: taskPolicyArn(task) },
      DurationSeconds: durationSeconds,
    }),
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRoot returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** sts:AssumeRole with the session name `test`; the sandbox evaluates the role's trust policy. */
export async function assumeRole(
  sts: STSClient,
  roleArn: string,
  externalId?: string,
  durationSeconds?: number,
): Promise<Credentials> {
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: 'test',
      ExternalId: externalId,
      DurationSeconds: durationSeconds,
    }),
  );
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
}

/** Asserts that the call fails with this AWS error code (and HTTP status, when given). */
export async function expectAwsError(call: Promise<unknown>, code: string, status?: number): Promise<Error> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`Expected the call to fail with ${code}, but it succeeded`);
  const error = caught as Error & { $metadata?: { httpStatusCode?: number } };
  expect(error.name).toBe(code);
  if (status !== undefined) expect(error.$metadata?.httpStatusCode).toBe(status);
  return error;
}

/**
 * The SDK's EventBridge and SNS clients are not dependencies, so these speak the two protocols directly (the
 * sandbox reads the account from the access key in the Authorization header and does not check signatures).
 */
function authorization(accessKeyId: string, service: string): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/** The fields of EventBridge's replies the tests read. */
export interface EventBridgeReply {
  RuleArn: string;
  EventBusArn: string;
  FailedEntryCount: number;
  Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/** One EventBridge call (JSON 1.1); throws with the body unless it succeeds. */
export async function eventBridge(
  endpoint: string,
  creds: Credentials,
  action: string,
  body: object,
): Promise<EventBridgeReply> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSEvents.${action}`,
      authorization: authorization(creds.accessKeyId, 'events'),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${action} failed (${response.status}): ${text}`);
  return (text ? JSON.parse(text) : {}) as EventBridgeReply;
}

/** One SNS call (query protocol); returns the text of the reply's first `<tag>` element when asked. */
export async function sns(
  endpoint: string,
  creds: Credentials,
  params: Record<string, string>,
  tag?: string,
): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: authorization(creds.accessKeyId, 'sns'),
    },
    body: new URLSearchParams({ Version: '2010-03-31', ...params }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${params.Action} failed (${response.status}): ${text}`);
  return tag ? (new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1] ?? '') : '';
}

/** A queue, with a policy letting EventBridge send to it from the rule `ruleArn` when given. */
export async function eventQueue(
  endpoint: string,
  creds: Credentials,
  name: string,
  ruleArn?: string,
): Promise<{ url: string; arn: string }> {
  const sqs = clients(endpoint, creds).sqs;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes!.QueueArn!;
  if (ruleArn) {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: arn,
          Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
        },
      ],
    };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  }
  return { url: QueueUrl!, arn };
}

/** The bodies of the messages waiting in a queue (up to 10; the sandbox delivers events synchronously). */
export async function receiveAll(endpoint: string, creds: Credentials, url: string): Promise<string[]> {
  const { Messages } = await clients(endpoint, creds).sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return (Messages ?? []).map((m) => m.Body!);
}
