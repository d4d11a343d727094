/**
 * sqs-unlock: removes (SetQueueAttributes Policy="") or replaces a queue policy that locks everyone out,
 * through a root session with the SQSUnlockQueuePolicy task. A queue name is resolved with GetQueueUrl
 * in the member account; a queue URL must be an SQS URL of AWS (or of the endpoint override) that names the
 * same account (and region) as the options.
 */
import { queuePolicyStore, type QueuePolicyStore } from './apis/sqs';
import { replacementPolicy } from './policy-document';
import type { PolicySpec } from './policy-runbook';
import { endpointOverride } from '../engine/endpoints';
import { badInput } from '../engine/errors';
import { checkQueueTarget, parseQueueUrl } from '../engine/queue-url';
import type { RunSettings } from '../engine/settings';
import {
  optionalString,
  parseAccountId,
  parseQueueName,
  partitionOf,
  requireOption,
  runRegion,
} from '../engine/validate';

export interface SqsUnlockParams {
  readonly account: string;
  readonly queue: { readonly url: string } | { readonly name: string };
  /** The region of the queue URL, when its host names one. */
  readonly region?: string;
  readonly policy?: { readonly file: string; readonly text: string };
}

export function parseSqsUnlockParams(
  values: Record<string, unknown>,
  settings: Pick<RunSettings, 'region' | 'defaultRegion' | 'endpointUrl'>,
  env: NodeJS.ProcessEnv,
): SqsUnlockParams {
  const account = parseAccountId(requireOption(values, 'account', 'an AWS account id of exactly 12 digits'));
  const url = optionalString(values, 'queue-url');
  const name = optionalString(values, 'queue-name');
  if ((url === undefined) === (name === undefined)) {
    throw badInput('give exactly one of --queue-url <url> or --queue-name <name>');
  }
  let queue: SqsUnlockParams['queue'];
  let queueName: string;
  let region: string | undefined;
  if (url !== undefined) {
    const ref = parseQueueUrl(url, { option: '--queue-url', endpoint: endpointOverride('SQS', { ...settings, env }) });
    checkQueueTarget(ref, { account, region: settings.region }, '--queue-url');
    queue = { url: ref.url };
    queueName = ref.name;
    region = ref.region;
  } else {
    queueName = parseQueueName(name as string);
    queue = { name: queueName };
  }
  const policy = replacementPolicy(values, () => {
    const queueRegion = region ?? runRegion(settings);
    return { service: 'sqs', queueArn: `arn:${partitionOf(queueRegion)}:sqs:${queueRegion}:${account}:${queueName}` };
  });
  return { account, queue, region, policy };
}

export const sqsUnlock: PolicySpec<SqsUnlockParams, QueuePolicyStore> = {
  name: 'sqs-unlock',
  task: 'sqs-unlock',
  actions: ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:SetQueueAttributes'],
  service: 'sqs',
  account: (p) => p.account,
  region: (p) => p.region,
  parameters: (p) => ({ ...p.queue, policyFile: p.policy?.file ?? null }),
  connect: (root) => queuePolicyStore(root),
  resource: async (api, p) => ('url' in p.queue ? p.queue.url : api.queueUrl(p.queue.name, p.account)),
  desired: (p) => p.policy?.text ?? null,
  target: (p) => ('url' in p.queue ? `queue ${p.queue.url}` : `queue ${p.queue.name}`),
};
