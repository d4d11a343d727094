/**
 * STS AssumeRoot: a root session in one member account, limited to one AWS-managed task policy and at
 * most 900 s. The access key id is kept apart because it is the CloudTrail correlation key; the secret
 * and token stay inside the returned credentials and are never logged. Every session is recorded in the run's
 * audit trail before it is returned, so nothing can use a session that has no record.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createClient, sdk, type Session } from './clients';
import { toRunbookError } from './aws-errors';
import { RunbookError } from './errors';
import { TASKS, taskPolicyArn, type TaskAlias } from './tasks';
import type { TrailRun } from './trail';

export interface RootSession extends Session {
  readonly label: 'root';
  /** Static credentials of the root session (secret and token included: never log them). */
  readonly credentials: AwsCredentialIdentity;
  readonly account: string;
  readonly taskPolicyArn: string;
  /** The root session's access key id: logged and audited, for CloudTrail correlation. */
  readonly accessKeyId: string;
  readonly expiration?: Date;
}

export interface AssumeRootRequest {
  readonly account: string;
  readonly task: TaskAlias;
  /** Seconds, 1..900 (validated by the CLI). */
  readonly duration: number;
  readonly partition?: string;
}

/**
 * @param sts an STS client of the caller's session (see createClient), whose region picks the regional endpoint.
 * @param caller the caller's session, whose settings (region, endpoint, logger) the root session inherits.
 * @param run the trail run the session is recorded in (fsync'd) before this returns; a broken run stops here,
 *   before AssumeRoot is even asked.
 */
export async function assumeRoot(
  sts: STSClient,
  caller: Session,
  request: AssumeRootRequest,
  run: TrailRun,
): Promise<RootSession> {
  run.assertWritable();
  const { AssumeRootCommand } = await sdk('sts');
  const arn = taskPolicyArn(TASKS[request.task], request.partition);
  caller.settings.log(`AssumeRoot into ${request.account} with ${arn} for ${request.duration} s`);
  let answer;
  try {
    answer = await sts.send(
      new AssumeRootCommand({
        TargetPrincipal: request.account,
        TaskPolicyArn: { arn },
        DurationSeconds: request.duration,
      }),
    );
  } catch (err) {
    throw toRunbookError(err, { action: 'sts:AssumeRoot', target: `account ${request.account}` });
  }
  const c = answer.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
    throw new RunbookError('Failed', `sts:AssumeRoot into ${request.account} answered without credentials`);
  }
  caller.settings.log(`root session ${c.AccessKeyId} expires ${c.Expiration?.toISOString() ?? 'unknown'}`);
  await run.session(
    {
      kind: 'root',
      account: request.account,
      region: caller.settings.region,
      task: arn,
      accessKeyId: c.AccessKeyId,
      expiration: c.Expiration,
    },
    [c.SecretAccessKey, c.SessionToken],
  );
  return {
    settings: caller.settings,
    label: 'root',
    account: request.account,
    taskPolicyArn: arn,
    accessKeyId: c.AccessKeyId,
    expiration: c.Expiration,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    },
  };
}

/** Convenience for callers that have no STS client yet. */
export async function assumeRootFrom(caller: Session, request: AssumeRootRequest, run: TrailRun): Promise<RootSession> {
  return assumeRoot(await createClient('sts', caller), caller, request, run);
}
