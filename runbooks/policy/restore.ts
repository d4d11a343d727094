/**
 * restore: puts a backed-up policy back, exactly as it was (or removes the policy when the backup says
 * there was none), through a root session with the same task policy as the unlock that took the backup.
 * The policy it replaces is itself backed up first, so a restore can be undone the same way.
 */
import { readFileSync, statSync } from 'node:fs';
import { bucketPolicyStore } from './apis/s3';
import { queuePolicyStore } from './apis/sqs';
import type { PolicyStore } from './apis/policy-store';
import type { ResourceType } from '../engine/backup';
import type { PolicySpec } from './policy-runbook';
import {
  badValue,
  checkPolicyText,
  parseAccountId,
  parseBucketName,
  parseQueueUrl,
  requireOption,
} from '../engine/validate';

export interface RestoreParams {
  readonly file: string;
  readonly account: string;
  readonly region: string;
  readonly resourceType: ResourceType;
  readonly resource: string;
  readonly policy: string | null;
}

const MAX_BACKUP_BYTES = 1024 * 1024;

export function parseRestoreParams(values: Record<string, unknown>): RestoreParams {
  const file = requireOption(values, 'backup', 'a backup file written by s3-unlock, sqs-unlock or restore');
  const allowed = 'a backup file written by s3-unlock, sqs-unlock or restore';
  let record: Record<string, unknown>;
  try {
    if (statSync(file).size > MAX_BACKUP_BYTES) throw new Error('too large');
    record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw badValue('--backup', file, allowed, (err as Error).message);
  }
  const field = (name: string): string => {
    const value = record?.[name];
    if (typeof value !== 'string') throw badValue('--backup', file, allowed, `its "${name}" is missing`);
    return value;
  };
  const account = parseAccountId(field('account'), `--backup ${file}: account`);
  const region = field('region');
  const resourceType = field('resourceType');
  const resource = field('resource');
  if (resourceType === 's3-bucket') {
    parseBucketName(resource, `--backup ${file}: resource`);
  } else if (resourceType === 'sqs-queue') {
    if (parseQueueUrl(resource, `--backup ${file}: resource`).account !== account) {
      throw badValue('--backup', file, allowed, 'its queue URL names another account than its "account"');
    }
  } else {
    throw badValue(
      '--backup',
      file,
      allowed,
      `its resourceType ${JSON.stringify(resourceType)} is not s3-bucket or sqs-queue`,
    );
  }
  const policy = record.policy;
  if (policy !== null && typeof policy !== 'string')
    throw badValue('--backup', file, allowed, 'its "policy" is missing');
  if (policy !== null) checkPolicyText(policy, '--backup', file);
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
