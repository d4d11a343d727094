/**
 * The root-activity-alerts part of the modules' end-to-end test (sandbox-e2e.test.ts), which shares one terraform
 * root with the other modules: the module applied in two parts, as the README tells users to (the central part with
 * a provider for a member "security" account, the forwarding part from the management account), plus SQS queues
 * that read the three topics and serve as an extra target. `checkAlerts` puts CloudTrail records of each
 * kind on the default buses of accounts inside and outside the target OU and of the management account, and shows
 * each record reached its own kind's targets and no other.
 */
import { deliverCloudTrailRecords, eventDeliveryFailures, type SeededOrg } from '../../emulator/seed';
import type { ModuleCall } from '../../emulator/terraform';
import { KINDS } from '../../modules/root-activity-alerts/kinds';
import {
  assumeRootCall,
  assumeRootSessionCall,
  type CloudTrailRecord,
  rootAccessKeyCall,
  rootConsoleSignIn,
} from '../../test-support/cloudtrail';
import { type Credentials, eventQueue, receiveAll, sns } from '../emulator/aws';

export const SECURITY_PROVIDER = 'security';
const SIEM_QUEUE = 'siem-root-events';
const queueName = (kind: string) => `alerts-${kind.replace(/_/g, '-')}`;

/** The two module calls: central in the security account, forwarding from the management account. */
export function alertsCalls(org: SeededOrg, security: string, targetOu: string): ModuleCall[] {
  return [
    {
      label: 'alerts_central',
      module: 'root-activity-alerts',
      provider: SECURITY_PROVIDER,
      inputs: {
        organization_id: org.organizationId,
        create_stack_set: false,
        create_management_rules: false,
        root_credentials_target_arns: [`arn:aws:sqs:us-east-1:${security}:${SIEM_QUEUE}`],
      },
    },
    {
      label: 'alerts_forwarding',
      module: 'root-activity-alerts',
      // Wired through the central part's output, as in the module's example.
      inputs: { create_central: false, target_ou_ids: [targetOu] },
      expressions: { central_event_bus_arn: 'module.alerts_central.event_bus_arn' },
    },
  ];
}

/**
 * After apply, in the security account: one queue subscribed to each kind's topic, and the extra target's queue
 * with the policy that lets the central (a) rule send to it. Made with the SDK rather than terraform: the
 * provider waits about 25 s for an SQS queue's attributes to settle in the sandbox. Returns the queue URLs.
 */
export async function subscribeQueues(
  endpoint: string,
  creds: Credentials,
  central: { topic_arns: Record<string, string>; rule_arns: Record<string, string> },
): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const kind of KINDS) {
    const q = await eventQueue(endpoint, creds, queueName(kind.key));
    await sns(endpoint, creds, {
      Action: 'Subscribe',
      TopicArn: central.topic_arns[kind.key],
      Protocol: 'sqs',
      Endpoint: q.arn,
    });
    urls[kind.key] = q.url;
  }
  urls.siem = (await eventQueue(endpoint, creds, SIEM_QUEUE, central.rule_arns.root_credentials)).url;
  return urls;
}

interface Accounts {
  management: string;
  /** The security account: a member inside the target OU, so its own root activity is forwarded too. */
  security: string;
  /** Another member inside the target OU. */
  member: string;
  /** A member outside the target OU: the StackSet gave it no rules. */
  outside: string;
}

/** Delivers records of each kind from each account and checks where every one of them arrived. */
export async function checkAlerts(
  endpoint: string,
  accounts: Accounts,
  securityCreds: Credentials,
  queues: Record<string, string>,
): Promise<void> {
  const failuresBefore = (await eventDeliveryFailures(endpoint)).length;
  const sessionKey = 'ASIAE2ESESSIONKEY001';
  const own = {
    memberSignIn: rootConsoleSignIn(accounts.member),
    securityKey: rootAccessKeyCall(accounts.security),
    managementSignIn: rootConsoleSignIn(accounts.management),
  };
  const session = assumeRootSessionCall(accounts.member, sessionKey);
  const call = assumeRootCall(accounts.management, {
    targetAccount: accounts.member,
    task: 'S3UnlockBucketPolicy',
    issuedAccessKeyId: sessionKey,
  });
  const outside = [
    rootConsoleSignIn(accounts.outside),
    assumeRootSessionCall(accounts.outside, 'ASIAOUTSIDE000000001'),
  ];
  const deliveries: [string, CloudTrailRecord[]][] = [
    [accounts.member, [own.memberSignIn, session]],
    [accounts.security, [own.securityKey]],
    [accounts.management, [own.managementSignIn, call]],
    [accounts.outside, outside],
  ];
  for (const [account, records] of deliveries) await deliverCloudTrailRecords(endpoint, account, records);

  const read = async (queue: string) => {
    const bodies = await receiveAll(endpoint, securityCreds, queues[queue]);
    return bodies.map((b) => JSON.parse(b) as Record<string, unknown>);
  };
  // Each topic's subscriber gets the SNS envelope around the kind's message.
  const messages = async (kind: string) =>
    (await read(kind)).map((envelope) => JSON.parse(envelope.Message as string) as Record<string, unknown>);
  const ids = (records: CloudTrailRecord[]) => records.map((r) => r.eventID).sort();
  const idsOf = (received: Record<string, unknown>[]) => received.map((m) => m.eventId as string).sort();

  const rootCredentials = await messages('root_credentials');
  expect(idsOf(rootCredentials)).toEqual(ids(Object.values(own)));
  expect(rootCredentials.map((m) => [m.severity, m.account]).sort()).toEqual(
    [accounts.member, accounts.security, accounts.management].map((a) => ['high', a]).sort(),
  );
  // The extra target of (a) gets the whole events, forwarded unchanged from their accounts.
  const siem = await read('siem');
  expect(siem.map((e) => (e.detail as CloudTrailRecord).eventID).sort()).toEqual(ids(Object.values(own)));
  expect(siem.map((e) => e['detail-type']).sort()).toEqual([
    'AWS API Call via CloudTrail',
    'AWS Console Sign In via CloudTrail',
    'AWS Console Sign In via CloudTrail',
  ]);

  expect(await messages('assume_root_sessions')).toEqual([
    expect.objectContaining({
      kind: 'assume-root-session',
      severity: 'informational',
      account: accounts.member,
      accessKeyId: sessionKey,
      task: { eventSource: 's3.amazonaws.com', eventName: 'DeleteBucketPolicy' },
      eventId: session.eventID,
    }),
  ]);
  expect(await messages('assume_root_calls')).toEqual([
    expect.objectContaining({
      kind: 'assume-root-call',
      account: accounts.management,
      caller: `arn:aws:sts::${accounts.management}:assumed-role/RootOperator/operator`,
      targetPrincipal: accounts.member,
      task: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
      sessionAccessKeyId: sessionKey,
      eventId: call.eventID,
    }),
  ]);
  // Every delivery on the way was authorized: the bus policy, the forwarders' roles, the topic and queue policies.
  expect((await eventDeliveryFailures(endpoint)).slice(failuresBefore)).toEqual([]);
}

/** After destroy: no forwarding rule is left in the member accounts (it would fail for want of the bus). */
export async function checkAlertsRemoved(endpoint: string, member: string): Promise<void> {
  const failuresBefore = (await eventDeliveryFailures(endpoint)).length;
  await deliverCloudTrailRecords(endpoint, member, [rootConsoleSignIn(member)]);
  expect((await eventDeliveryFailures(endpoint)).slice(failuresBefore)).toEqual([]);
}
