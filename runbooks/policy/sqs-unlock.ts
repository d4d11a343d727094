/**
 * sqs-unlock: removes (SetQueueAttributes Policy="") or replaces a queue policy that locks everyone out,
 * through a root session with the SQSUnlockQueuePolicy task. A queue name is resolved with GetQueueUrl
 * in the member account; a queue URL must name the same account (and region) as the options.
 */
import { queuePolicyStore, type QueuePolicyStore } from './apis/sqs';
import { badInput } from '../engine/errors';
import type { PolicySpec } from './policy-runbook';
import {
  badValue,
  optionalString,
  parseAccountId,
  parseQueueName,
  parseQueueUrl,
  readPolicyFile,
  requireOption,
} from '../engine/validate';

export interface SqsUnlockParams {
  readonly account: string;
  readonly queue: { readonly url: string } | { readonly name: string };
  /** The region of the queue URL, when its host names one. */
  readonly region?: string;
  readonly policy?: { readonly file: string; readonly text: string };
}

export function parseSqsUnlockParams(values: Record<string, unknown>, region: string | undefined): SqsUnlockParams {
  const account = parseAccountId(requireOption(values, 'account', 'an AWS account id of exactly 12 digits'));
  const url = optionalString(values, 'queue-url');
  const name = optionalString(values, 'queue-name');
  if ((url === undefined) === (name === undefined)) {
    throw badInput('give exactly one of --queue-url <url> or --queue-name <name>');
  }
  const file = optionalString(values, 'policy-file');
  const policy = file === undefined ? undefined : { file, text: readPolicyFile(file, 'sqs') };
  if (name !== undefined) return { account, queue: { name: parseQueueName(name) }, policy };
  const ref = parseQueueUrl(url as string);
  if (ref.account !== account) {
    throw badValue('--queue-url', ref.url, `a queue of account ${account} (the URL names account ${ref.account})`);
  }
  if (ref.region !== undefined && region !== undefined && ref.region !== region) {
    throw badValue(
      '--queue-url',
      ref.url,
      `a queue in ${region} (the URL names ${ref.region})`,
      'drop --region or fix it',
    );
  }
  return { account, queue: { url: ref.url }, region: ref.region, policy };
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
