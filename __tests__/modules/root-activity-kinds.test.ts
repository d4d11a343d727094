/**
 * The root-activity-alerts module's three event patterns and messages (modules/root-activity-alerts/kinds.ts)
 * against the sandbox's EventBridge: every CloudTrail record of root activity reaches exactly one kind, records
 * that are not root activity reach none, and each kind's message carries its fields. The deployed module is
 * applied and driven end to end in sandbox-e2e.test.ts; this is the wide table of cases, without terraform.
 */
import { deliverCloudTrailRecords, memberAdminCredentials, seedOrganization } from '../../emulator/seed';
import { inputTemplate, KINDS } from '../../modules/root-activity-alerts/kinds';
import {
  assumeRootCall,
  assumeRootSessionCall,
  type CloudTrailRecord,
  iamUserCall,
  rootAccessKeyCall,
  rootActionInvokedByService,
  rootConsoleSignIn,
} from '../../test-support/cloudtrail';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { type Credentials, eventBridge, eventQueue, receiveAll } from '../emulator/aws';

type KindKey = (typeof KINDS)[number]['key'];

describeWithSandbox('root-activity kinds', () => {
  const sandbox = useSandbox();
  let account: string;
  let creds: Credentials;
  const queues = new Map<KindKey, string>();

  beforeAll(async () => {
    const org = await seedOrganization(sandbox.endpoint, { accounts: 1 });
    account = org.accounts[0].id;
    creds = await memberAdminCredentials(sandbox.endpoint, account);
    for (const kind of KINDS) {
      const name = `kind-${kind.slug}`;
      const { RuleArn } = await eventBridge(sandbox.endpoint, creds, 'PutRule', {
        Name: name,
        EventPattern: JSON.stringify(kind.pattern),
      });
      const q = await eventQueue(sandbox.endpoint, creds, name, RuleArn);
      await eventBridge(sandbox.endpoint, creds, 'PutTargets', {
        Rule: name,
        Targets: [
          { Id: 'q', Arn: q.arn, InputTransformer: { InputPathsMap: kind.paths, InputTemplate: inputTemplate(kind) } },
        ],
      });
      queues.set(kind.key, q.url);
    }
  });

  /** Delivers the records and returns, per kind, the messages its target received. */
  async function route(records: CloudTrailRecord[]): Promise<Record<KindKey, Record<string, unknown>[]>> {
    await deliverCloudTrailRecords(sandbox.endpoint, account, records);
    const result = {} as Record<KindKey, Record<string, unknown>[]>;
    for (const [key, url] of queues) {
      result[key] = (await receiveAll(sandbox.endpoint, creds, url)).map(
        (body) => JSON.parse(body) as Record<string, unknown>,
      );
    }
    return result;
  }

  const cases: [string, KindKey | 'no kind', () => CloudTrailRecord][] = [
    ['the root user signs in to the console', 'root_credentials', () => rootConsoleSignIn(account)],
    ['a call with a root access key', 'root_credentials', () => rootAccessKeyCall(account)],
    [
      'the root user calls AssumeRoot (refused)',
      'root_credentials',
      () => ({
        ...assumeRootCall(account, {
          targetAccount: '111122223333',
          task: 'S3UnlockBucketPolicy',
          errorCode: 'AccessDenied',
        }),
        userIdentity: { type: 'Root', arn: `arn:aws:iam::${account}:root`, accountId: account },
      }),
    ],
    [
      'an AssumeRoot session (assumedRoot in sessionContext)',
      'assume_root_sessions',
      () => assumeRootSessionCall(account, 'ASIASESSIONKEY000001'),
    ],
    [
      'an AssumeRoot session (assumedRoot under userIdentity)',
      'assume_root_sessions',
      () => assumeRootSessionCall(account, 'ASIASESSIONKEY000002', 'userIdentity'),
    ],
    [
      'an operator role calls AssumeRoot',
      'assume_root_calls',
      () => assumeRootCall(account, { targetAccount: '111122223333', task: 'SQSUnlockQueuePolicy' }),
    ],
    [
      'a refused AssumeRoot call',
      'assume_root_calls',
      () =>
        assumeRootCall(account, {
          targetAccount: '111122223333',
          task: 'IAMDeleteRootUserCredentials',
          errorCode: 'AccessDenied',
        }),
    ],
    ['an IAM user call', 'no kind', () => iamUserCall(account)],
    ['a root action an AWS service takes', 'no kind', () => rootActionInvokedByService(account)],
    ['a root service event', 'no kind', () => ({ ...rootAccessKeyCall(account), eventType: 'AwsServiceEvent' })],
    [
      'an AssumeRole call (not AssumeRoot)',
      'no kind',
      () => ({ ...assumeRootCall(account, { targetAccount: '111122223333', task: 'x' }), eventName: 'AssumeRole' }),
    ],
  ];

  test.each(cases)('%s: %s', async (_what, expected, make) => {
    const record = make();
    const routed = await route([record]);
    const reached = KINDS.map((k) => k.key).filter((k) => routed[k].length > 0);
    expect(reached).toEqual(expected === 'no kind' ? [] : [expected]);
    if (expected !== 'no kind')
      expect(routed[expected]).toEqual([expect.objectContaining({ eventId: record.eventID })]);
  });

  test("each kind's message carries its fields", async () => {
    const signIn = rootConsoleSignIn(account);
    const session = assumeRootSessionCall(account, 'ASIASESSIONKEY000003');
    const call = assumeRootCall(account, {
      targetAccount: '111122223333',
      task: 'S3UnlockBucketPolicy',
      issuedAccessKeyId: 'ASIASESSIONKEY000003',
    });
    const refused = assumeRootCall(account, {
      targetAccount: '111122223333',
      task: 'S3UnlockBucketPolicy',
      errorCode: 'AccessDenied',
    });
    const routed = await route([signIn, session, call, refused]);
    const common = { account, region: 'us-east-1', time: '2026-01-01T12:00:00Z', sourceIPAddress: '192.0.2.10' };
    expect(routed.root_credentials).toEqual([
      {
        kind: 'root-credentials',
        severity: 'high',
        summary: "The root user's own credentials were used",
        ...common,
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        accessKeyId: '',
        mfaUsed: 'No',
        eventId: signIn.eventID,
      },
    ]);
    expect(routed.assume_root_sessions).toEqual([
      {
        kind: 'assume-root-session',
        severity: 'informational',
        summary: 'An AssumeRoot session acted in a member account',
        ...common,
        task: { eventSource: 's3.amazonaws.com', eventName: 'DeleteBucketPolicy' },
        accessKeyId: 'ASIASESSIONKEY000003',
        eventId: session.eventID,
      },
    ]);
    const callMessage = {
      kind: 'assume-root-call',
      severity: 'medium',
      summary: 'sts:AssumeRoot was called',
      ...common,
      caller: `arn:aws:sts::${account}:assumed-role/RootOperator/operator`,
      targetPrincipal: '111122223333',
      task: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
    };
    // The access key id joins the session's actions (b) to the call that issued it (c).
    expect(routed.assume_root_calls).toEqual([
      { ...callMessage, sessionAccessKeyId: 'ASIASESSIONKEY000003', errorCode: null, eventId: call.eventID },
      { ...callMessage, sessionAccessKeyId: null, errorCode: 'AccessDenied', eventId: refused.eventID },
    ]);
  });
});
