/**
 * The caller's side: which credentials run AssumeRoot, in which region, and who the caller is (for the
 * audit log). Resolution order: --role-arn (an operator role assumed first, with --external-id) on top
 * of --profile, or the SDK's default chain.
 */
import { userInfo } from 'node:os';
import { createClient, type AwsSettings, type Session } from './clients';
import { toRunbookError } from './aws-errors';
import type { CommonOptions } from '../cli/options';

export interface CallerSession {
  /** The session AssumeRoot is called with (the operator role's when --role-arn was given). */
  readonly session: Session;
  /**
   * The caller's ARN. With --role-arn it comes from the AssumeRole answer (no extra call); otherwise one
   * sts:GetCallerIdentity on the caller's own credentials, never on a root session.
   */
  callerArn(): Promise<string>;
}

export async function resolveCaller(
  common: CommonOptions,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<CallerSession> {
  const settings: AwsSettings = {
    region: await resolveRegion(common, env),
    profile: common.profile,
    endpointUrl: common.endpointUrl,
    env,
    log,
  };
  const credentials = common.profile === undefined ? undefined : await profileCredentials(common.profile);
  const base: Session = { settings, credentials, label: 'caller' };
  if (common.roleArn === undefined) {
    return { session: base, callerArn: () => getCallerArn(base) };
  }
  const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const sts = await createClient('sts', base);
  log(`assuming operator role ${common.roleArn}`);
  try {
    const answer = await sts.send(
      new AssumeRoleCommand({
        RoleArn: common.roleArn,
        RoleSessionName: sessionName(),
        ExternalId: common.externalId,
        DurationSeconds: 900,
      }),
    );
    const c = answer.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
      throw new Error('AssumeRole answered without credentials');
    }
    const arn = answer.AssumedRoleUser?.Arn ?? common.roleArn;
    return {
      session: {
        settings,
        label: 'operator',
        credentials: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        },
      },
      callerArn: async () => arn,
    };
  } catch (err) {
    throw toRunbookError(err, { action: 'sts:AssumeRole', target: common.roleArn });
  }
}

async function profileCredentials(profile: string) {
  const { fromIni } = await import('@aws-sdk/credential-providers');
  return fromIni({ profile });
}

async function getCallerArn(session: Session): Promise<string> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = await createClient('sts', session);
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return identity.Arn ?? 'unknown';
  } catch (err) {
    throw toRunbookError(err, { action: 'sts:GetCallerIdentity', target: 'the caller' });
  }
}

/** --region, then AWS_REGION / AWS_DEFAULT_REGION, then the profile's region, then us-east-1. */
async function resolveRegion(common: CommonOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const explicit = common.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (explicit !== undefined && explicit !== '') return explicit;
  const { STSClient } = await import('@aws-sdk/client-sts');
  try {
    return await new STSClient({ profile: common.profile }).config.region();
  } catch {
    return 'us-east-1';
  }
}

/** Role session names carry the operator's login, so CloudTrail shows who ran the runbook. */
function sessionName(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return `runbook-${user}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
