/**
 * The three kinds of root activity the root-activity-alerts module tells apart, as data: each kind's EventBridge
 * event pattern (the same one on every member account's forwarding rule and on the central bus) and the message
 * its SNS topic receives. The patterns are disjoint, so an event reaches exactly one kind's targets.
 *
 * CloudTrail marks the actions of an AssumeRoot session with `assumedRoot = "true"`: the IAM user guide and the
 * team's FACTS name `userIdentity.assumedRoot`, the CloudTrail record schema puts it in
 * `userIdentity.sessionContext.assumedRoot`. Both places are matched, and "own credentials" requires neither.
 */

/** The detail-types CloudTrail events have on EventBridge that can carry a root user's identity. */
export const ROOT_DETAIL_TYPES = ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'];

/** A JSON value of an event pattern (patterns are pure data). */
export type Pattern = { readonly [key: string]: Pattern } | readonly (string | Pattern)[] | string | boolean;

/** One field of a kind's message: `<path>` inserts a value of the event (JSON-encoded), anything else is literal. */
export type MessageField = readonly [name: string, value: string];

export interface Kind {
  /** Map key and variable stem, e.g. `root_credentials`. */
  readonly key: string;
  /** Name suffix of the rules and topics, e.g. `root-credentials`. */
  readonly slug: string;
  /** CloudFormation logical id of its member-account rule. */
  readonly logicalId: string;
  readonly severity: 'high' | 'medium' | 'informational';
  readonly description: string;
  /** Name of the module variable with the kind's extra target ARNs. */
  readonly targetsVariable: string;
  readonly pattern: { readonly [key: string]: Pattern };
  /** JSON paths of the event the message uses (InputPathsMap). */
  readonly paths: Readonly<Record<string, string>>;
  readonly message: readonly MessageField[];
}

/** The fields every kind's message has: where and when the event happened, and its CloudTrail event id. */
const EVENT_PATHS = {
  account: '$.account',
  region: '$.region',
  time: '$.time',
  sourceIPAddress: '$.detail.sourceIPAddress',
  eventId: '$.detail.eventID',
};

const ROOT_IDENTITY = ['Root'];
const ASSUMED_ROOT_TRUE = ['true'];
const ABSENT = [{ exists: false }];

export const KINDS: readonly Kind[] = [
  {
    key: 'root_credentials',
    slug: 'root-credentials',
    logicalId: 'RootCredentialsRule',
    severity: 'high',
    description: "A root user's own credentials were used: console sign-in or long-term access keys.",
    targetsVariable: 'root_credentials_target_arns',
    pattern: {
      'detail-type': ROOT_DETAIL_TYPES,
      detail: {
        userIdentity: {
          type: ROOT_IDENTITY,
          // Actions AWS services take on the root's behalf (invokedBy) are not a use of its credentials: the CIS
          // benchmark's root-usage filter excludes them too.
          invokedBy: ABSENT,
          assumedRoot: ABSENT,
          sessionContext: { assumedRoot: ABSENT },
        },
      },
    },
    paths: {
      ...EVENT_PATHS,
      eventName: '$.detail.eventName',
      eventSource: '$.detail.eventSource',
      accessKeyId: '$.detail.userIdentity.accessKeyId',
      mfaUsed: '$.detail.additionalEventData.MFAUsed',
    },
    message: [
      ['kind', '"root-credentials"'],
      ['severity', '"high"'],
      ['summary', '"The root user\'s own credentials were used"'],
      ['account', '<account>'],
      ['region', '<region>'],
      ['time', '<time>'],
      ['eventSource', '<eventSource>'],
      ['eventName', '<eventName>'],
      ['accessKeyId', '<accessKeyId>'],
      ['mfaUsed', '<mfaUsed>'],
      ['sourceIPAddress', '<sourceIPAddress>'],
      ['eventId', '<eventId>'],
    ],
  },
  {
    key: 'assume_root_sessions',
    slug: 'assume-root-sessions',
    logicalId: 'AssumeRootSessionsRule',
    severity: 'informational',
    description:
      'An AssumeRoot session acted in a member account (centralized root access; the access key id joins it to its AssumeRoot call).',
    targetsVariable: 'assume_root_session_target_arns',
    pattern: {
      'detail-type': ROOT_DETAIL_TYPES,
      detail: { userIdentity: { type: ROOT_IDENTITY } },
      $or: [
        { detail: { userIdentity: { assumedRoot: ASSUMED_ROOT_TRUE } } },
        { detail: { userIdentity: { sessionContext: { assumedRoot: ASSUMED_ROOT_TRUE } } } },
      ],
    },
    paths: {
      ...EVENT_PATHS,
      eventName: '$.detail.eventName',
      eventSource: '$.detail.eventSource',
      accessKeyId: '$.detail.userIdentity.accessKeyId',
    },
    message: [
      ['kind', '"assume-root-session"'],
      ['severity', '"informational"'],
      ['summary', '"An AssumeRoot session acted in a member account"'],
      ['account', '<account>'],
      ['region', '<region>'],
      ['time', '<time>'],
      // The privileged task the session performed; its task policy is in the AssumeRoot call with this key.
      ['task', '{"eventSource": <eventSource>, "eventName": <eventName>}'],
      ['accessKeyId', '<accessKeyId>'],
      ['sourceIPAddress', '<sourceIPAddress>'],
      ['eventId', '<eventId>'],
    ],
  },
  {
    key: 'assume_root_calls',
    slug: 'assume-root-calls',
    logicalId: 'AssumeRootCallsRule',
    severity: 'medium',
    description:
      'sts:AssumeRoot was called (management or IAM delegated administrator account): who, for which account and task.',
    targetsVariable: 'assume_root_call_target_arns',
    pattern: {
      source: ['aws.sts'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['sts.amazonaws.com'],
        eventName: ['AssumeRoot'],
        // A root user calling AssumeRoot (refused by STS) is a use of root credentials: kind root_credentials.
        userIdentity: { type: [{ 'anything-but': 'Root' }] },
      },
    },
    paths: {
      ...EVENT_PATHS,
      caller: '$.detail.userIdentity.arn',
      targetPrincipal: '$.detail.requestParameters.targetPrincipal',
      taskPolicyArn: '$.detail.requestParameters.taskPolicyArn.arn',
      sessionAccessKeyId: '$.detail.responseElements.credentials.accessKeyId',
      errorCode: '$.detail.errorCode',
    },
    message: [
      ['kind', '"assume-root-call"'],
      ['severity', '"medium"'],
      ['summary', '"sts:AssumeRoot was called"'],
      ['account', '<account>'],
      ['region', '<region>'],
      ['time', '<time>'],
      ['caller', '<caller>'],
      ['targetPrincipal', '<targetPrincipal>'],
      ['task', '<taskPolicyArn>'],
      ['sessionAccessKeyId', '<sessionAccessKeyId>'],
      ['errorCode', '<errorCode>'],
      ['sourceIPAddress', '<sourceIPAddress>'],
      ['eventId', '<eventId>'],
    ],
  },
];

/** The InputTemplate of a kind: a JSON object whose `<path>` values EventBridge fills in as JSON values. */
export function inputTemplate(kind: Kind): string {
  return `{${kind.message.map(([name, value]) => `"${name}": ${value}`).join(', ')}}`;
}
