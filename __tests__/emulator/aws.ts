/** AWS SDK v3 clients pointed at a sandbox, and the one assertion the emulator suites share. */
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
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
