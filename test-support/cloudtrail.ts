/**
 * CloudTrail records shaped as AWS writes them (the IAM user guide's "Track privileged tasks in CloudTrail" and
 * the CloudTrail userIdentity reference), for the sandbox's CloudTrail delivery (emulator/seed.ts
 * deliverCloudTrailRecords). Each gets a unique eventID, so a test can tell where each one went.
 */
import { randomUUID } from 'node:crypto';

export type CloudTrailRecord = Record<string, unknown> & { eventID: string };

const REGION = 'us-east-1';

function record(account: string, fields: Record<string, unknown>): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    eventTime: '2026-01-01T12:00:00Z',
    awsRegion: REGION,
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.27.0',
    eventID: randomUUID(),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    ...fields,
  };
}

const rootIdentity = (account: string, extra: Record<string, unknown> = {}) => ({
  type: 'Root',
  principalId: account,
  arn: `arn:aws:iam::${account}:root`,
  accountId: account,
  ...extra,
});

/** The root user signs in to the console with its password. */
export function rootConsoleSignIn(account: string): CloudTrailRecord {
  return record(account, {
    eventType: 'AwsConsoleSignIn',
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    userIdentity: rootIdentity(account, { accessKeyId: '' }),
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'No', MobileVersion: 'No' },
  });
}

/** A call signed with one of the root user's long-term access keys. */
export function rootAccessKeyCall(account: string, accessKeyId = 'AKIAROOTLONGTERM0001'): CloudTrailRecord {
  return record(account, {
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    userIdentity: rootIdentity(account, { accessKeyId }),
  });
}

/**
 * A call of an AssumeRoot session in the member account. CloudTrail's record schema puts `assumedRoot` in
 * `userIdentity.sessionContext`; the IAM user guide names it under `userIdentity`: `placement` picks one.
 */
export function assumeRootSessionCall(
  account: string,
  accessKeyId: string,
  placement: 'sessionContext' | 'userIdentity' = 'sessionContext',
): CloudTrailRecord {
  const sessionContext = {
    attributes: { creationDate: '2026-01-01T11:59:00Z', mfaAuthenticated: 'false' },
    ...(placement === 'sessionContext' ? { assumedRoot: 'true' } : {}),
  };
  return record(account, {
    eventSource: 's3.amazonaws.com',
    eventName: 'DeleteBucketPolicy',
    userIdentity: rootIdentity(account, {
      accessKeyId,
      sessionContext,
      ...(placement === 'userIdentity' ? { assumedRoot: 'true' } : {}),
    }),
    requestParameters: { bucketName: 'project-prod-1', policy: '' },
  });
}

/** The sts:AssumeRoot call in the calling (management or delegated administrator) account. */
export function assumeRootCall(
  callerAccount: string,
  options: {
    targetAccount: string;
    task: string;
    issuedAccessKeyId?: string;
    callerRole?: string;
    /** A refused call: CloudTrail records the error and no credentials. */
    errorCode?: string;
  },
): CloudTrailRecord {
  const role = options.callerRole ?? 'RootOperator';
  return record(callerAccount, {
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoot',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLEROLE00001:operator`,
      arn: `arn:aws:sts::${callerAccount}:assumed-role/${role}/operator`,
      accountId: callerAccount,
      accessKeyId: 'ASIACALLERSESSION001',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEROLE00001',
          arn: `arn:aws:iam::${callerAccount}:role/${role}`,
          accountId: callerAccount,
          userName: role,
        },
        attributes: { creationDate: '2026-01-01T11:58:00Z', mfaAuthenticated: 'false' },
      },
    },
    requestParameters: {
      targetPrincipal: options.targetAccount,
      taskPolicyArn: { arn: `arn:aws:iam::aws:policy/root-task/${options.task}` },
    },
    ...(options.errorCode
      ? { errorCode: options.errorCode, errorMessage: 'User is not authorized to perform: sts:AssumeRoot' }
      : {
          responseElements: {
            credentials: {
              accessKeyId: options.issuedAccessKeyId ?? 'ASIAISSUEDROOTKEY001',
              sessionToken: 'redacted',
              expiration: 'Jan 1, 2026, 12:13:00 PM',
            },
          },
        }),
  });
}

/** An ordinary IAM user's call: not root activity of any kind. */
export function iamUserCall(account: string): CloudTrailRecord {
  return record(account, {
    eventSource: 's3.amazonaws.com',
    eventName: 'PutBucketPolicy',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSER00001',
      arn: `arn:aws:iam::${account}:user/alice`,
      accountId: account,
      accessKeyId: 'AKIAALICE00000000001',
      userName: 'alice',
    },
  });
}

/** A root-identity action an AWS service takes on the root's behalf (`invokedBy`): not a use of its credentials. */
export function rootActionInvokedByService(account: string): CloudTrailRecord {
  return record(account, {
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateServiceLinkedRole',
    userIdentity: rootIdentity(account, { invokedBy: 'cloudformation.amazonaws.com' }),
  });
}
