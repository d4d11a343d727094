/**
 * The caller's side: which credentials run AssumeRoot, in which region, and who the caller is (for the
 * audit log). Resolution order: --role-arn (an operator role assumed first, with --external-id) on top
 * of --profile, or the SDK's default chain.
 */
import { userInfo } from 'node:os';
import { createClient, sdk, type AwsSettings, type Session } from './clients';
import { toRunbookError } from './aws-errors';
import { checkEnvironment } from './environment';
import { lookupCallerRole, type CallerOrganization, type CallerRole } from './caller-role';
import { assumeOperatorRole } from './operator-role';
import type { RunSettings } from './settings';
import type { TrailRun } from './trail';

export interface CallerSession {
  /** The session AssumeRoot is called with (the operator role's when --role-arn was given). */
  readonly session: Session;
  /**
   * The caller's ARN. With --role-arn it comes from the first AssumeRole answer (no extra call); otherwise one
   * sts:GetCallerIdentity on the caller's own credentials, never on a root session. Asked once per run; with a
   * trail run, the caller is identified to it and the caller's own access key id recorded (kind `caller`).
   */
  callerArn(): Promise<string>;
  /**
   * Management account, IAM delegated administrator or neither (caller-role.ts), looked up once per run beside
   * the caller's identity; every trail record after it names the role. Never rejects.
   */
  callerRole(): Promise<CallerOrganization>;
}

export interface CallerOptions {
  readonly operatorSessionSeconds?: number;
  /** Connections per host of the run's clients (see AwsSettings.connections): fleet runs size it once, here. */
  readonly connections?: number;
  /** The run the operator sessions and the caller are recorded in. */
  readonly run?: TrailRun;
}

/**
 * The operator session is re-assumed before it ends (see operator-role.ts), so its length only bounds how long
 * one set of keys lives; 900 s is AssumeRole's minimum. Tests pass a shorter one to see the refresh happen.
 */
const OPERATOR_SESSION_SECONDS = 900;

/** The run settings that decide who the caller is and where AWS is. */
export type CallerSettings = Pick<
  RunSettings,
  'profile' | 'region' | 'defaultRegion' | 'roleArn' | 'externalId' | 'endpointUrl'
>;

export async function resolveCaller(
  caller: CallerSettings,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
  options: CallerOptions = {},
): Promise<CallerSession> {
  const settings: AwsSettings = {
    region: await resolveRegion(caller, env),
    profile: caller.profile,
    endpointUrl: caller.endpointUrl,
    env,
    log,
    ...(options.connections === undefined ? {} : { connections: options.connections }),
  };
  const credentials = caller.profile === undefined ? undefined : await profileCredentials(caller.profile);
  const base: Session = { settings, credentials, label: 'caller' };
  const { run } = options;
  if (caller.roleArn === undefined) {
    const identity = once(() => getCallerIdentity(base));
    const organization = once(() =>
      lookupCallerRole(
        base,
        identity().then(
          (i) => i.account,
          () => null,
        ),
      ),
    );
    return {
      session: base,
      callerArn: once(async () => {
        const lookup = identity();
        // Sessions taken while the lookups are in flight (AssumeRoot runs concurrently) wait for them in the trail.
        run?.identify(
          Promise.all([lookup, organization()]).then(([{ arn, account }, { role }]) => ({ arn, account, role })),
        );
        const found = await lookup;
        if (run !== undefined) {
          await run.session({
            kind: 'caller',
            account: found.account,
            region: settings.region,
            accessKeyId: found.accessKeyId,
          });
        }
        return found.arn;
      }),
      callerRole: organization,
    };
  }
  const roleArn = caller.roleArn;
  const name = sessionName();
  // The operator session is recorded before its first use, so before the role can be looked up with it: its first
  // record says `unknown`, the records after the lookup (refreshes included) the role found.
  let role: CallerRole = 'unknown';
  const operator = await assumeOperatorRole(base, {
    roleArn,
    sessionName: name,
    externalId: caller.externalId,
    durationSeconds: options.operatorSessionSeconds ?? OPERATOR_SESSION_SECONDS,
    onSession: async ({ identity, arn }) => {
      if (run === undefined) return;
      run.identify({ arn, account: accountOf(arn), role });
      await run.session(
        {
          kind: 'operator',
          account: accountOf(roleArn),
          region: settings.region,
          accessKeyId: identity.accessKeyId,
          expiration: identity.expiration ?? null,
          roleArn,
          sessionName: name,
        },
        [identity.secretAccessKey, identity.sessionToken],
      );
    },
  });
  const session: Session = { settings, label: 'operator', credentials: operator.credentials };
  const organization = once(async () => {
    const found = await lookupCallerRole(session, Promise.resolve(accountOf(operator.arn)));
    role = found.role;
    return found;
  });
  return {
    session,
    callerArn: once(async () => {
      run?.identify(organization().then(({ role }) => ({ arn: operator.arn, account: accountOf(operator.arn), role })));
      return operator.arn;
    }),
    callerRole: organization,
  };
}

const accountOf = (arn: string): string | null => arn.split(':')[4] || null;

/** `fn`, called at most once: later calls share the first call's promise. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= fn());
}

async function profileCredentials(profile: string) {
  const { fromIni } = await import('@aws-sdk/credential-providers');
  return fromIni({ profile });
}

/** sts:GetCallerIdentity, plus the access key id that signed it (the caller's CloudTrail join key). */
async function getCallerIdentity(
  session: Session,
): Promise<{ arn: string; account: string | null; accessKeyId: string }> {
  const { GetCallerIdentityCommand } = await sdk('sts');
  const sts = await createClient('sts', session);
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const signedWith = await sts.config.credentials();
    return { arn: identity.Arn ?? 'unknown', account: identity.Account ?? null, accessKeyId: signedWith.accessKeyId };
  } catch (err) {
    throw toRunbookError(err, { action: 'sts:GetCallerIdentity', target: 'the caller' });
  }
}

/** --region, then AWS_REGION / AWS_DEFAULT_REGION, then the profile's region, then us-east-1 (environment.ts). */
async function resolveRegion(caller: CallerSettings, env: NodeJS.ProcessEnv): Promise<string> {
  if (caller.region !== undefined) return caller.region;
  if (caller.defaultRegion !== undefined) return caller.defaultRegion;
  return (await checkEnvironment({ profile: caller.profile }, env)).defaultRegion;
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

/**
 * The access key id of the caller's own credentials (--profile, or the SDK's default chain), resolved without an
 * AWS request for static keys, SSO and credential_process alike: what a cache of sessions is keyed by, so that
 * another caller (another profile, or the same profile with other keys) never gets this caller's session.
 */
export async function callerAccessKeyId(caller: Pick<CallerSettings, 'profile'>): Promise<string> {
  const provider =
    caller.profile === undefined
      ? new (await sdk('sts')).STSClient({ region: 'us-east-1' }).config.credentials
      : await profileCredentials(caller.profile);
  return (await provider()).accessKeyId;
}
