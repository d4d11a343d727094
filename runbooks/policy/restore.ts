/**
 * restore: puts a backed-up policy back, exactly as it was (or removes the policy when the backup says
 * there was none), through a root session with the same task policy as the unlock that took the backup.
 * The policy it replaces is itself backed up first, so a restore can be undone the same way.
 */
import { bucketPolicyStore } from './apis/s3';
import { queuePolicyStore } from './apis/sqs';
import type { PolicyStore } from './apis/policy-store';
import type { ResourceType } from '../engine/backup';
import { endpointOverride } from '../engine/endpoints';
import { readInputFile } from '../engine/input-file';
import { describePosition, parseJsonText } from '../engine/json-text';
import { checkQueueUrl } from '../engine/queue-url';
import type { RunSettings } from '../engine/settings';
import { badValue, bucketNameProblem, partitionOf, REGION, requireOption } from '../engine/validate';
import { checkPolicyDocument, type PolicyTarget } from './policy-document';
import type { PolicySpec } from './policy-runbook';

export interface RestoreParams {
  readonly file: string;
  readonly account: string;
  readonly region: string;
  readonly resourceType: ResourceType;
  readonly resource: string;
  readonly policy: string | null;
}

const MAX_BACKUP_BYTES = 1024 * 1024;
const ALLOWED = 'a backup file written by s3-unlock, sqs-unlock or restore';

/**
 * Reads and checks a backup before any session, with the rules its values had when they were first given: the
 * account, the region (which must agree with --region), the bucket name or the queue URL (an SQS URL of AWS or of
 * the endpoint override, of the backup's account and region), and the policy, whose resources must name that
 * bucket or queue. Messages say which field is wrong, never what it holds.
 */
export function parseRestoreParams(
  values: Record<string, unknown>,
  settings: Pick<RunSettings, 'region' | 'endpointUrl'>,
  env: NodeJS.ProcessEnv,
): RestoreParams {
  const file = requireOption(values, 'backup', ALLOWED);
  const refuse = (problem: string) => badValue('--backup', file, ALLOWED, problem);
  const what = 'a backup of s3-unlock, sqs-unlock or restore';
  const parsed = parseJsonText(readInputFile(file, { option: '--backup', what, limit: MAX_BACKUP_BYTES }));
  if (!parsed.ok) throw refuse(`it is not valid JSON: ${parsed.problem} at ${describePosition(parsed.at)}`);
  const record = parsed.value;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw refuse('it is not a JSON object');
  const field = (name: string, rule: RegExp, what: string): string => {
    const value = (record as Record<string, unknown>)[name];
    if (typeof value !== 'string') throw refuse(`its "${name}" is missing`);
    if (!rule.test(value)) throw refuse(`its "${name}" is not ${what}`);
    return value;
  };
  const account = field('account', /^\d{12}$/, 'an AWS account id of 12 digits');
  const region = field('region', REGION, 'an AWS region name');
  if (settings.region !== undefined && settings.region !== region) {
    throw refuse(`it was taken in ${region}, but --region says ${settings.region}: drop --region or fix it`);
  }
  const resourceType = field('resourceType', /^(s3-bucket|sqs-queue)$/, 's3-bucket or sqs-queue') as ResourceType;
  const resource = field('resource', /^.{1,2048}$/, 'a bucket name or a queue URL');
  let target: PolicyTarget;
  if (resourceType === 's3-bucket') {
    if (bucketNameProblem(resource) !== undefined) throw refuse('its "resource" is not a valid bucket name');
    target = { service: 's3', bucket: resource, partition: partitionOf(region) };
  } else {
    const ref = checkQueueUrl(resource, endpointOverride('SQS', { ...settings, env }));
    if ('problem' in ref)
      throw refuse(`its "resource" is not a queue URL that can be used${ref.problem ? `: ${ref.problem}` : ''}`);
    if (ref.account !== account) throw refuse('its queue URL names another account than its "account"');
    if (ref.region !== undefined && ref.region !== region)
      throw refuse('its queue URL names another region than its "region"');
    target = { service: 'sqs', queueArn: `arn:${partitionOf(region)}:sqs:${region}:${account}:${ref.name}` };
  }
  const policy = (record as Record<string, unknown>).policy;
  if (policy !== null && typeof policy !== 'string') throw refuse('its "policy" is missing (a policy text or null)');
  if (policy !== null) checkPolicyDocument(policy, target, { option: '"policy" of --backup', value: file });
  return { file, account, region, resourceType, resource, policy };
}

const common = {
  name: 'restore',
  account: (p: RestoreParams) => p.account,
  region: (p: RestoreParams) => p.region,
  parameters: (p: RestoreParams) => ({ backup: p.file, resource: p.resource }),
  resource: async (_api: PolicyStore, p: RestoreParams) => p.resource,
  desired: (p: RestoreParams) => p.policy,
};

export const restoreBucket: PolicySpec<RestoreParams, PolicyStore> = {
  ...common,
  task: 's3-unlock',
  actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
  service: 's3',
  connect: (root, p) => bucketPolicyStore(root, p.account),
};

export const restoreQueue: PolicySpec<RestoreParams, PolicyStore> = {
  ...common,
  task: 'sqs-unlock',
  actions: ['sqs:GetQueueAttributes', 'sqs:SetQueueAttributes'],
  service: 'sqs',
  connect: (root) => queuePolicyStore(root),
};

export function restoreSpec(params: RestoreParams): PolicySpec<RestoreParams, PolicyStore> {
  return params.resourceType === 's3-bucket' ? restoreBucket : restoreQueue;
}
