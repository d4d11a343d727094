/**
 * EventBridge delivery in the sandbox (emulator/moto_ext/events_ext.py): CloudTrail records reach an account's
 * default bus as CloudTrail puts them there, PutEvents refuses `aws.*` sources, and SNS, SQS and event-bus targets
 * receive an event only when AWS would authorize the delivery.
 */
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  deliverCloudTrailRecords,
  eventDeliveryFailures,
  memberAdminCredentials,
  seedOrganization,
  type SeededOrg,
} from '../../emulator/seed';
import { assumeRootSessionCall } from '../../test-support/cloudtrail';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { clients, eventBridge as events, eventQueue, receiveAll, sns, type Credentials } from './aws';

const REGION = 'us-east-1';

const SESSION_KEY = 'ASIAROOTSESSION00001';
const rootSessionRecord = (account: string) => assumeRootSessionCall(account, SESSION_KEY);

const ROOT_PATTERN = JSON.stringify({ detail: { userIdentity: { type: ['Root'] } } });

describeWithSandbox('EventBridge delivery', () => {
  const sandbox = useSandbox();
  let org: SeededOrg;
  let sender: { id: string; creds: Credentials };
  let receiver: { id: string; creds: Credentials };

  beforeAll(async () => {
    org = await seedOrganization(sandbox.endpoint, { accounts: 2 });
    const [a, b] = org.accounts;
    sender = { id: a.id, creds: await memberAdminCredentials(sandbox.endpoint, a.id) };
    receiver = { id: b.id, creds: await memberAdminCredentials(sandbox.endpoint, b.id) };
  });

  const queue = (creds: Credentials, name: string, ruleArn?: string) =>
    eventQueue(sandbox.endpoint, creds, name, ruleArn);
  const received = (creds: Credentials, url: string) => receiveAll(sandbox.endpoint, creds, url);

  async function newFailures(since: number): Promise<string[]> {
    return (await eventDeliveryFailures(sandbox.endpoint)).slice(since).map((f) => f.reason);
  }

  test('PutEvents refuses aws.* sources, which only AWS services may use', async () => {
    const reply = await events(sandbox.endpoint, sender.creds, 'PutEvents', {
      Entries: [
        { Source: 'aws.signin', DetailType: 'AWS Console Sign In via CloudTrail', Detail: '{}' },
        { Source: 'acme.billing', DetailType: 'Invoice', Detail: '{}' },
      ],
    });
    expect(reply.FailedEntryCount).toBe(1);
    expect(reply.Entries[0]).toEqual({
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: 'Not authorized for the source.',
    });
    expect(reply.Entries[1].EventId).toEqual(expect.any(String));
  });

  test('a CloudTrail record arrives on the default bus as CloudTrail sends it; a bad record is refused', async () => {
    const { RuleArn } = await events(sandbox.endpoint, sender.creds, 'PutRule', {
      Name: 'cloudtrail-to-queue',
      EventPattern: ROOT_PATTERN,
    });
    const q = await queue(sender.creds, 'cloudtrail-events', RuleArn);
    await events(sandbox.endpoint, sender.creds, 'PutTargets', {
      Rule: 'cloudtrail-to-queue',
      Targets: [{ Id: 'q', Arn: q.arn }],
    });
    const record = rootSessionRecord(sender.id);
    const [eventId] = await deliverCloudTrailRecords(sandbox.endpoint, sender.id, [record]);
    const [body] = await received(sender.creds, q.url);
    expect(JSON.parse(body)).toEqual({
      version: '0',
      id: eventId,
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.s3',
      account: sender.id,
      time: record.eventTime,
      region: REGION,
      resources: [],
      detail: record,
    });

    await expect(
      deliverCloudTrailRecords(sandbox.endpoint, sender.id, [record, { ...record, eventType: 'Bogus' }]),
    ).rejects.toThrow(/\(400\): eventType must be one of AwsApiCall, .*got 'Bogus'/);
    // Every record is checked before any is delivered.
    expect(await received(sender.creds, q.url)).toEqual([]);
    await expect(deliverCloudTrailRecords(sandbox.endpoint, '999999999999', [record])).rejects.toThrow(
      /\(404\): account 999999999999 is not in the sandbox's organization/,
    );
  });

  test("an SNS target receives the transformed event only when the topic's policy allows this rule", async () => {
    const { RuleArn } = await events(sandbox.endpoint, receiver.creds, 'PutRule', {
      Name: 'root-to-topic',
      EventPattern: ROOT_PATTERN,
    });
    const topicArn = await sns(sandbox.endpoint, receiver.creds, { Action: 'CreateTopic', Name: 'alerts' }, 'TopicArn');
    const q = await queue(receiver.creds, 'alerts-subscriber');
    await sns(sandbox.endpoint, receiver.creds, {
      Action: 'Subscribe',
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: q.arn,
    });
    await events(sandbox.endpoint, receiver.creds, 'PutTargets', {
      Rule: 'root-to-topic',
      Targets: [
        {
          Id: 'topic',
          Arn: topicArn,
          InputTransformer: {
            InputPathsMap: { account: '$.account', key: '$.detail.userIdentity.accessKeyId', nope: '$.detail.nope' },
            InputTemplate: '{"account": <account>, "key": <key>, "missing": <nope>, "text": "key <key>"}',
          },
        },
      ],
    });
    const allowing = (sourceArn: string) =>
      sns(sandbox.endpoint, receiver.creds, {
        Action: 'SetTopicAttributes',
        TopicArn: topicArn,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topicArn,
              Condition: { ArnEquals: { 'aws:SourceArn': sourceArn } },
            },
          ],
        }),
      });
    const deliver = () => deliverCloudTrailRecords(sandbox.endpoint, receiver.id, [rootSessionRecord(receiver.id)]);

    // The default topic policy admits the account's principals, not EventBridge.
    let since = (await eventDeliveryFailures(sandbox.endpoint)).length;
    await deliver();
    expect(await received(receiver.creds, q.url)).toEqual([]);
    expect(await newFailures(since)).toEqual([
      `the resource policy of ${topicArn} does not allow events.amazonaws.com sns:Publish`,
    ]);

    await allowing(RuleArn.replace('root-to-topic', 'another-rule'));
    since = (await eventDeliveryFailures(sandbox.endpoint)).length;
    await deliver();
    expect(await received(receiver.creds, q.url)).toEqual([]);
    expect(await newFailures(since)).toHaveLength(1);

    await allowing(RuleArn);
    await deliver();
    const [envelope] = await received(receiver.creds, q.url);
    expect(JSON.parse(JSON.parse(envelope).Message)).toEqual({
      account: receiver.id,
      key: SESSION_KEY,
      missing: null,
      text: `key ${SESSION_KEY}`,
    });
  });

  test("a bus in another account receives the event unchanged only through its policy and the rule's role", async () => {
    const central = await events(sandbox.endpoint, receiver.creds, 'CreateEventBus', { Name: 'central' });
    const busArn = central.EventBusArn;
    const { RuleArn: centralRule } = await events(sandbox.endpoint, receiver.creds, 'PutRule', {
      Name: 'central-to-queue',
      EventBusName: 'central',
      EventPattern: ROOT_PATTERN,
    });
    const q = await queue(receiver.creds, 'central-events', centralRule);
    await events(sandbox.endpoint, receiver.creds, 'PutTargets', {
      Rule: 'central-to-queue',
      EventBusName: 'central',
      Targets: [{ Id: 'q', Arn: q.arn }],
    });

    const iam = clients(sandbox.endpoint, sender.creds).iam;
    const role = async (name: string, trusted: object) => {
      const { Role } = await iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: trusted, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: 'put-events',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }],
          }),
        }),
      );
      return Role!.Arn!;
    };
    const forwarder = await role('forwarder', { Service: 'events.amazonaws.com' });
    const untrusting = await role('untrusting', { AWS: sender.id });
    await events(sandbox.endpoint, sender.creds, 'PutRule', { Name: 'forward', EventPattern: ROOT_PATTERN });
    const target = (roleArn?: string) =>
      events(sandbox.endpoint, sender.creds, 'PutTargets', {
        Rule: 'forward',
        Targets: [{ Id: 'central', Arn: busArn, ...(roleArn ? { RoleArn: roleArn } : {}) }],
      });
    const deliver = () => deliverCloudTrailRecords(sandbox.endpoint, sender.id, [rootSessionRecord(sender.id)]);

    await target(forwarder);
    let since = (await eventDeliveryFailures(sandbox.endpoint)).length;
    await deliver();
    expect(await received(receiver.creds, q.url)).toEqual([]);
    expect(await newFailures(since)).toEqual([
      `the resource policy of ${busArn} does not allow ${forwarder} events:PutEvents`,
    ]);

    const orgPolicy = (organizationId: string) =>
      events(sandbox.endpoint, receiver.creds, 'PutPermission', {
        EventBusName: 'central',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Organization',
              Effect: 'Allow',
              Principal: '*',
              Action: 'events:PutEvents',
              Resource: busArn,
              Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
            },
          ],
        }),
      });
    await orgPolicy('o-someoneelse1');
    since = (await eventDeliveryFailures(sandbox.endpoint)).length;
    await deliver();
    expect(await newFailures(since)).toHaveLength(1);

    await orgPolicy(org.organizationId);
    const [eventId] = await deliver();
    const [body] = await received(receiver.creds, q.url);
    // Forwarded as it is: the sender's account, the same id.
    expect(JSON.parse(body)).toMatchObject({ id: eventId, account: sender.id, source: 'aws.s3' });

    await target(untrusting);
    since = (await eventDeliveryFailures(sandbox.endpoint)).length;
    await deliver();
    expect(await newFailures(since)).toEqual([`the role ${untrusting} does not trust events.amazonaws.com`]);
    expect(await received(receiver.creds, q.url)).toEqual([]);

    // Without a role: the bus policy alone admits the sender's account (the older way, same region only).
    await target();
    await deliver();
    expect(await received(receiver.creds, q.url)).toHaveLength(1);

    // A disabled rule forwards nothing.
    await events(sandbox.endpoint, sender.creds, 'DisableRule', { Name: 'forward' });
    since = (await eventDeliveryFailures(sandbox.endpoint)).length;
    await deliver();
    expect(await received(receiver.creds, q.url)).toEqual([]);
    expect(await newFailures(since)).toEqual([]);
  });

  test('a bus in the same account needs a role', async () => {
    const own = await events(sandbox.endpoint, sender.creds, 'CreateEventBus', { Name: 'own' });
    await events(sandbox.endpoint, sender.creds, 'PutRule', { Name: 'to-own-bus', EventPattern: ROOT_PATTERN });
    await events(sandbox.endpoint, sender.creds, 'PutTargets', {
      Rule: 'to-own-bus',
      Targets: [{ Id: 'own', Arn: own.EventBusArn }],
    });
    const since = (await eventDeliveryFailures(sandbox.endpoint)).length;
    await deliverCloudTrailRecords(sandbox.endpoint, sender.id, [rootSessionRecord(sender.id)]);
    expect(await newFailures(since)).toContain(
      `a role is required to send events to ${own.EventBusArn} (same account or another region)`,
    );
  });
});
