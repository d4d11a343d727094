/**
 * Hub → spoke role chaining (the assume-spoke-role pattern): the caller may assume only the hub role, the hub
 * role only the spoke role. The same external id goes on both hops, and both session names carry the caller,
 * `<spoke-account>-<session string>`, so CloudTrail in the spoke account says who came in.
 */
import { userInfo } from 'node:os';
import { toRunbookError } from '../engine/aws-errors';
import { createClient, sdk, type Session, type SessionCredentials } from '../engine/clients';
import { badInput, RunbookError } from '../engine/errors';
import { badValue, parseAccountId } from '../engine/validate';

export interface SpokeTarget {
  hubAccount: string;
  hubRole: string;
  spokeAccount: string;
  spokeRole: string;
  externalId?: string;
  /** The full role session name used on both hops. */
  sessionName: string;
  partition: string;
}

export interface SpokeFlags {
  hubAccount?: string;
  hubRole?: string;
  spokeAccount?: string;
  spokeRole?: string;
  externalId?: string;
  sessionString?: string;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const SESSION_STRING = /^[\w+=,.@-]{1,51}$/;

/** Flags win over the ASSUME_ROLE_* variables; the session string defaults to the local user name. */
export function parseSpokeTarget(flags: SpokeFlags, env: NodeJS.ProcessEnv, partition = 'aws'): SpokeTarget {
  // A value from an ASSUME_ROLE_* variable is named by that variable when it is wrong: the flag was never typed.
  const pick = (flag: string | undefined, variable: string, option: string): [value: string, source: string] => {
    if (flag !== undefined) return [flag, option];
    const value = env[variable];
    if (value === undefined || value === '') {
      throw badInput(`${option} is required`, `pass ${option} or set ${variable}`);
    }
    return [value, variable];
  };
  const hubAccount = parseAccountId(...pick(flags.hubAccount, 'ASSUME_ROLE_HUB_ACCOUNT', '--hub-account'));
  const spokeAccount = parseAccountId(...pick(flags.spokeAccount, 'ASSUME_ROLE_SPOKE_ACCOUNT', '--spoke-account'));
  const role = ([value, source]: [string, string]) => {
    if (!ROLE_NAME.test(value)) throw badValue(source, value, 'an IAM role name: 1-64 letters, digits and +=,.@_-');
    return value;
  };
  const hubRole = role(pick(flags.hubRole, 'ASSUME_ROLE_HUB_ROLE', '--hub-role'));
  const spokeRole = role(pick(flags.spokeRole, 'ASSUME_ROLE_SPOKE_ROLE', '--spoke-role'));
  const externalId = flags.externalId ?? (env.ASSUME_ROLE_EXTERNAL_ID || undefined);
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    const source = flags.externalId !== undefined ? '--external-id' : 'ASSUME_ROLE_EXTERNAL_ID';
    throw badValue(source, externalId, '2..1224 characters of letters, digits and +=,.@:/-');
  }
  const given = flags.sessionString ?? (env.ASSUME_ROLE_SESSION_STRING || undefined);
  if (given !== undefined && !SESSION_STRING.test(given)) {
    throw badValue(
      flags.sessionString !== undefined ? '--session-name' : 'ASSUME_ROLE_SESSION_STRING',
      given,
      '1-51 letters, digits and +=,.@_- (the session name is <spoke-account>-<it>)',
    );
  }
  const sessionString = given ?? localUser();
  return {
    hubAccount,
    hubRole,
    spokeAccount,
    spokeRole,
    externalId,
    sessionName: `${spokeAccount}-${sessionString}`,
    partition,
  };
}

function localUser(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return user.replace(/[^\w+=,.@-]/g, '-').slice(0, 51) || 'unknown';
}

export const roleArn = (partition: string, account: string, role: string): string =>
  `arn:${partition}:iam::${account}:role/${role}`;

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  ExternalId?: string;
  DurationSeconds: number;
}

/** AssumeRole signed with `from` (undefined: the caller's own credentials). */
export type AssumeRoleFn = (
  from: SessionCredentials | undefined,
  input: AssumeRoleInput,
) => Promise<SessionCredentials>;

/**
 * Hub, then spoke. `record` receives each session before it is used (the hub session signs the spoke's
 * AssumeRole; the spoke session goes to the command), so the audit trail has both keys first.
 */
export async function assumeHubThenSpoke(
  assumeRole: AssumeRoleFn,
  target: SpokeTarget,
  durationSeconds: number,
  record: (kind: 'hub' | 'spoke', input: AssumeRoleInput, session: SessionCredentials) => Promise<void> = async () =>
    undefined,
): Promise<{ hub: SessionCredentials; spoke: SessionCredentials }> {
  const common = {
    RoleSessionName: target.sessionName,
    ExternalId: target.externalId,
    DurationSeconds: durationSeconds,
  };
  const hubInput = { ...common, RoleArn: roleArn(target.partition, target.hubAccount, target.hubRole) };
  const hub = await assumeRole(undefined, hubInput);
  await record('hub', hubInput, hub);
  const spokeInput = { ...common, RoleArn: roleArn(target.partition, target.spokeAccount, target.spokeRole) };
  const spoke = await assumeRole(hub, spokeInput);
  await record('spoke', spokeInput, spoke);
  return { hub, spoke };
}

/** AssumeRole from the caller's session or from earlier temporary credentials (role chaining). */
export async function roleAssumer(caller: Session): Promise<AssumeRoleFn> {
  const { AssumeRoleCommand } = await sdk('sts');
  const callerSts = await createClient('sts', caller);
  return async (from, input) => {
    const sts =
      from === undefined
        ? callerSts
        : await createClient('sts', { settings: caller.settings, credentials: from, label: 'hub' });
    try {
      const answer = await sts.send(new AssumeRoleCommand(input));
      const c = answer.Credentials;
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
        throw new RunbookError('Failed', `sts:AssumeRole of ${input.RoleArn} answered without credentials`);
      }
      caller.settings.log(`assumed ${input.RoleArn} as ${input.RoleSessionName}: session ${c.AccessKeyId}`);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (err) {
      throw toRunbookError(err, { action: 'sts:AssumeRole', target: input.RoleArn });
    } finally {
      if (sts !== callerSts) sts.destroy();
    }
  };
}
