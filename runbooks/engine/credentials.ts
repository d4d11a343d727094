/**
 * The caller's side: which credentials run AssumeRoot, in which region, and who the caller is (for the
 * audit log). Resolution order: --role-arn (an operator role assumed first, with --external-id) on top
 * of --profile, or the SDK's default chain.
 */
import { userInfo } from 'node:os';
import { createClient, sdk, type AwsSettings, type Session } from './clients';
import { toRunbookError } from './aws-errors';
import { assumeOperatorRole } from './operator-role';
import type { CommonOptions } from '../cli/options';

export interface CallerSession {
  /** The session AssumeRoot is called with (the operator role's when --role-arn was given). */
  readonly session: Session;
  /**
   * The caller's ARN. With --role-arn it comes from the first AssumeRole answer (no extra call); otherwise one
   * sts:GetCallerIdentity on the caller's own credentials, never on a root session.
   */
  callerArn(): Promise<string>;
}

/**
 * The operator session is re-assumed before it ends (see operator-role.ts), so its length only bounds how long
 * one set of keys lives; 900 s is AssumeRole's minimum. Tests pass a shorter one to see the refresh happen.
 */
const OPERATOR_SESSION_SECONDS = 900;

export async function resolveCaller(
  common: CommonOptions,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
  options: { operatorSessionSeconds?: number } = {},
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
  const operator = await assumeOperatorRole(base, {
    roleArn: common.roleArn,
    sessionName: sessionName(),
    externalId: common.externalId,
    durationSeconds: options.operatorSessionSeconds ?? OPERATOR_SESSION_SECONDS,
  });
  return {
    session: { settings, label: 'operator', credentials: operator.credentials },
    callerArn: async () => operator.arn,
  };
}

async function profileCredentials(profile: string) {
  const { fromIni } = await import('@aws-sdk/credential-providers');
  return fromIni({ profile });
}

async function getCallerArn(session: Session): Promise<string> {
  const { GetCallerIdentityCommand } = await sdk('sts');
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
  const { STSClient } = await sdk('sts');
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
