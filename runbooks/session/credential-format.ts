/** The three shapes `runbook credentials` prints. */
import type { SessionCredentials } from '../engine/clients';

export type CredentialFormat = 'env' | 'json' | 'credential-process';
export const CREDENTIAL_FORMATS: readonly CredentialFormat[] = ['env', 'json', 'credential-process'];

export function formatCredentials(
  format: CredentialFormat,
  c: SessionCredentials,
  about: { account: string; region: string; taskPolicyArn: string },
): string {
  const expiration = c.expiration?.toISOString();
  switch (format) {
    case 'env':
      return (
        [
          ['AWS_ACCESS_KEY_ID', c.accessKeyId],
          ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey],
          ['AWS_SESSION_TOKEN', c.sessionToken],
          ['AWS_SECURITY_TOKEN', c.sessionToken],
          ['AWS_SESSION_EXPIRATION', expiration],
          ['AWS_REGION', about.region],
        ]
          .filter(([, value]) => value !== undefined)
          .map(([name, value]) => `${name}=${value}`)
          .join('\n') + '\n'
      );
    case 'json':
      return (
        JSON.stringify({
          Account: about.account,
          TaskPolicyArn: about.taskPolicyArn,
          AccessKeyId: c.accessKeyId,
          SecretAccessKey: c.secretAccessKey,
          SessionToken: c.sessionToken,
          Expiration: expiration,
        }) + '\n'
      );
    case 'credential-process':
      // https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html: Version must be 1;
      // Expiration makes the SDK call the process again before the session ends.
      return (
        JSON.stringify({
          Version: 1,
          AccessKeyId: c.accessKeyId,
          SecretAccessKey: c.secretAccessKey,
          SessionToken: c.sessionToken,
          Expiration: expiration,
        }) + '\n'
      );
  }
}
