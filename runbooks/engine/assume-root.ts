/**
 * STS AssumeRoot: a root session in one member account, limited to one AWS-managed task policy and at
 * most 900 s. The access key id is kept apart because it is the CloudTrail correlation key; the secret
 * and token stay inside the returned credentials and are never logged. Every session is recorded in the run's
 * audit trail before it is returned, so nothing can use a session that has no record.
 */
import type { AssumeRootCommandInput, AssumeRootCommandOutput, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { child, textAt } from '../lib/xml';
import { createClient, sdk, type Session, type SessionCredentials } from './clients';
import type { QueryCaller } from './query-client';
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

/** Sends one AssumeRoot: the SDK client's command, or the engine's query client (fleet runs, one per account). */
export type AssumeRootSender = (input: AssumeRootCommandInput) => Promise<Pick<AssumeRootCommandOutput, 'Credentials'>>;

/** STS's query API version. */
export const STS_API_VERSION = '2011-06-15';

/**
 * AssumeRoot through the engine's query client, signed with the caller's credentials as `identity` resolves them
 * (the SDK's own provider: profiles, SSO, the operator role, refreshed before they expire).
 */
export function queryAssumeRoot(sts: QueryCaller, identity: () => Promise<SessionCredentials>): AssumeRootSender {
  return async (input) => {
    const result = await sts.call(
      'AssumeRoot',
      {
        TargetPrincipal: input.TargetPrincipal,
        'TaskPolicyArn.arn': input.TaskPolicyArn?.arn,
        DurationSeconds: input.DurationSeconds === undefined ? undefined : String(input.DurationSeconds),
      },
      await identity(),
    );
    const credentials = child(result, 'Credentials');
    const expiration = textAt(credentials, 'Expiration');
    return {
      Credentials: credentials && {
        AccessKeyId: textAt(credentials, 'AccessKeyId'),
        SecretAccessKey: textAt(credentials, 'SecretAccessKey'),
        SessionToken: textAt(credentials, 'SessionToken'),
        Expiration: expiration ? new Date(expiration) : undefined,
      },
    } as Pick<AssumeRootCommandOutput, 'Credentials'>;
  };
}

/**
 * @param sts an STS client of the caller's session (see createClient), whose region picks the regional endpoint, or
 *   a sender (queryAssumeRoot).
 * @param caller the caller's session, whose settings (region, endpoint, logger) the root session inherits.
 * @param run the trail run the session is recorded in (fsync'd) before this returns; a broken run stops here,
 *   before AssumeRoot is even asked.
 */
export async function assumeRoot(
  sts: STSClient | AssumeRootSender,
  caller: Session,
  request: AssumeRootRequest,
  run: TrailRun,
): Promise<RootSession> {
  run.assertWritable();
  const arn = taskPolicyArn(TASKS[request.task], request.partition);
  caller.settings.log(`AssumeRoot into ${request.account} with ${arn} for ${request.duration} s`);
  const input = { TargetPrincipal: request.account, TaskPolicyArn: { arn }, DurationSeconds: request.duration };
  let answer;
  try {
    if (typeof sts === 'function') {
      answer = await sts(input);
    } else {
      const { AssumeRootCommand } = await sdk('sts');
      answer = await sts.send(new AssumeRootCommand(input));
    }
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
