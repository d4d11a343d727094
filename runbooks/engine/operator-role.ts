/**
 * The operator role of --role-arn as a refreshing credential provider. A fleet run can outlast the operator
 * session (AssumeRole, 900 s), so every client signed by it asks this provider, which re-assumes the role before
 * the session ends. It goes through the engine's STS client (endpoint, region, retries, call log) rather than
 * the SDK's fromTemporaryCredentials, because the runbooks also need the AssumedRoleUser ARN for the audit log
 * and a RunbookError naming the role when the role cannot be assumed.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { toRunbookError } from './aws-errors';
import { createClient, sdk, type Session } from './clients';

export interface OperatorRoleRequest {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string;
  readonly durationSeconds: number;
  /**
   * Receives every session the role gives (the first one and each refresh) before anything uses it; the audit
   * trail records it there. The credentials are only waited for until it resolves.
   */
  readonly onSession?: (session: { identity: AwsCredentialIdentity; arn: string }) => Promise<void>;
}

export interface OperatorRole {
  /** Shared by every client of the run; concurrent callers wait for one AssumeRole. */
  readonly credentials: AwsCredentialIdentityProvider;
  /** The assumed-role ARN of the first session (later sessions have the same role and session name). */
  readonly arn: string;
}

/** Re-assume no later than 5 minutes before the end (the SDK's own window), or a quarter of a short session. */
const MAX_REFRESH_WINDOW_MS = 5 * 60_000;

/** Assumes the role once (so a refused role fails before anything else happens) and returns the provider. */
export async function assumeOperatorRole(caller: Session, request: OperatorRoleRequest): Promise<OperatorRole> {
  const { AssumeRoleCommand } = await sdk('sts');
  const sts = await createClient('sts', caller);
  const assume = async (): Promise<{ identity: AwsCredentialIdentity; arn: string; refreshAt: number }> => {
    caller.settings.log(`assuming operator role ${request.roleArn}`);
    const requestedAt = Date.now();
    try {
      const answer = await sts.send(
        new AssumeRoleCommand({
          RoleArn: request.roleArn,
          RoleSessionName: request.sessionName,
          ExternalId: request.externalId,
          DurationSeconds: request.durationSeconds,
        }),
      );
      const c = answer.Credentials;
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
        throw new Error('AssumeRole answered without credentials');
      }
      const expiresAt = c.Expiration?.getTime() ?? requestedAt + request.durationSeconds * 1000;
      const window = Math.min(MAX_REFRESH_WINDOW_MS, (expiresAt - requestedAt) / 4);
      return {
        identity: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        },
        arn: answer.AssumedRoleUser?.Arn ?? request.roleArn,
        refreshAt: expiresAt - window,
      };
    } catch (err) {
      throw toRunbookError(err, { action: 'sts:AssumeRole', target: request.roleArn });
    }
  };

  const assumeAndRecord = async () => {
    const next = await assume();
    await request.onSession?.({ identity: next.identity, arn: next.arn });
    return next;
  };
  let current = await assumeAndRecord();
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const credentials: AwsCredentialIdentityProvider = async () => {
    if (Date.now() < current.refreshAt) return current.identity;
    pending ??= assumeAndRecord()
      .then((next) => {
        current = next;
        return next.identity;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return { credentials, arn: current.arn };
}
