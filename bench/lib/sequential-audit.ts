/**
 * The baseline the fleet audit is measured against: what the usual shell script does. Per account, one
 * AssumeRoot, then each read in turn, one account after another. It uses the same SDK and the same proxy as
 * the CLI, so the difference measured is the orchestration alone.
 */
import { AssumeRootCommand, STSClient } from '@aws-sdk/client-sts';
import {
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
} from '@aws-sdk/client-iam';
import { TASKS, taskPolicyArn } from '../../aws/root-tasks';
import { MANAGEMENT_CREDENTIALS } from '../../test-support/sandbox';

const AUDIT_TASK = taskPolicyArn(TASKS.audit);

export async function sequentialAudit(endpoint: string, accountIds: string[]): Promise<number> {
  const base = { endpoint, region: 'us-east-1', credentials: MANAGEMENT_CREDENTIALS };
  const sts = new STSClient(base);
  let withLoginProfile = 0;
  for (const account of accountIds) {
    const { Credentials } = await sts.send(
      new AssumeRootCommand({ TargetPrincipal: account, TaskPolicyArn: { arn: AUDIT_TASK }, DurationSeconds: 900 }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey)
      throw new Error(`AssumeRoot ${account}: no credentials`);
    const iam = new IAMClient({
      ...base,
      credentials: {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
      },
    });
    try {
      await iam.send(new GetLoginProfileCommand({}));
      withLoginProfile += 1;
    } catch (error) {
      if ((error as Error).name !== 'NoSuchEntityException' && (error as Error).name !== 'NoSuchEntity') throw error;
    }
    await iam.send(new ListAccessKeysCommand({}));
    await iam.send(new ListMFADevicesCommand({}));
    await iam.send(new ListSigningCertificatesCommand({}));
    await iam.send(new GetAccountSummaryCommand({}));
    iam.destroy();
  }
  sts.destroy();
  return withLoginProfile;
}
