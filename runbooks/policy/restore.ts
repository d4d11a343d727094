/**
 * restore: puts a backed-up policy back, exactly as it was (or removes the policy when the backup says
 * there was none), through a root session with the same task policy as the unlock that took the backup.
 * The policy it replaces is itself backed up first, so a restore can be undone the same way.
 *
 * A backup is only trusted as far as the audit trail vouches for it, all checked before any AWS call:
 * - the file is a regular file of at most 1 MiB of UTF-8 JSON;
 * - the trail has the change record of the run that wrote it, whose backupSha256 is the file's sha256 (an edited
 *   backup is refused, naming both digests) and whose account, resource and before-digest agree with it;
 * - the policy's own resource ARNs name the backup's bucket or queue (never another account's or resource).
 * Then, on the current state: a policy that changed since the original run left it is not overwritten unless
 * --force, and the refusal says what changed. --force also accepts a backup the trail has no record of; it never
 * accepts a contradiction.
 */
import { resolve } from 'node:path';
import { bucketPolicyStore } from './apis/s3';
import { queuePolicyStore } from './apis/sqs';
import type { PolicyStore } from './apis/policy-store';
import type { ResourceType } from '../engine/backup';
import { endpointOverride } from '../engine/endpoints';
import { badInput, RunbookError } from '../engine/errors';
import { readInputFile } from '../engine/input-file';
import { describePosition, parseJsonText } from '../engine/json-text';
import { checkQueueUrl } from '../engine/queue-url';
import { stateDigest, type RunbookState } from '../engine/runbook';
import type { RunSettings } from '../engine/settings';
import { findChange, findRunOutcome } from '../engine/trail-read';
import { sha256 } from '../engine/trail-record';
import { badValue, bucketNameProblem, partitionOf, quote, REGION, requireOption } from '../engine/validate';
import { checkPolicyDocument, type PolicyTarget } from './policy-document';
import type { PolicySpec } from './policy-runbook';

/** The state the run that wrote the backup left behind, as its records say. */
export interface Origin {
  readonly run: string;
  readonly runbook: string;
  readonly time: string;
  /** The digest its verify step read after the change, or (when it has no outcome) the one it meant to leave. */
  readonly leftSha256: string;
}

export interface RestoreParams {
  readonly file: string;
  readonly account: string;
  readonly region: string;
  readonly resourceType: ResourceType;
  readonly resource: string;
  readonly policy: string | null;
  readonly force: boolean;
  /** Null only with --force, for a backup the audit trail has no record of. */
  readonly origin: Origin | null;
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
  settings: Pick<RunSettings, 'region' | 'endpointUrl' | 'auditLog'>,
  env: NodeJS.ProcessEnv,
): RestoreParams {
  const file = requireOption(values, 'backup', ALLOWED);
  const force = values.force === true;
  const refuse = (problem: string) => badValue('--backup', file, ALLOWED, problem);
  const what = 'a backup of s3-unlock, sqs-unlock or restore';
  const text = readInputFile(file, { option: '--backup', what, limit: MAX_BACKUP_BYTES });
  const parsed = parseJsonText(text);
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
    target = { service: 's3', account, bucket: resource, partition: partitionOf(region) };
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
  if (policy !== null) {
    try {
      checkPolicyDocument(policy, target, { option: '"policy" of --backup', value: file, wildcards: 'matching' });
    } catch (err) {
      // The checker's reason is its hint ("statement 2 names a resource other than the bucket …").
      const reason = err instanceof RunbookError ? (err.hint ?? err.message) : String(err);
      throw badInput(
        `--backup ${quote(file)} contradicts itself: its "policy" is not a policy of that ${resourceType === 's3-bucket' ? 'bucket' : 'queue'}: ${reason}`,
        'a backup whose policy does not fit its own resource is never restored; it was edited or is not from this resource',
      );
    }
  }
  const run = (record as Record<string, unknown>).run;
  const backup = { file: resolve(file), account, resource, policy, run: typeof run === 'string' ? run : null };
  // The exact bytes (strict UTF-8 round-trips) are what the original run recorded the digest of.
  const origin = originOf(backup, sha256(text), settings.auditLog, force);
  return { file, account, region, resourceType, resource, policy, force, origin };
}

/** The trail's word on the backup: the run that wrote it, or a refusal. */
function originOf(
  backup: { file: string; account: string; resource: string; policy: string | null; run: string | null },
  fileSha256: string,
  auditLog: string,
  force: boolean,
): Origin | null {
  const recorded = findChange(auditLog, (change) => change.backupSha256 === fileSha256);
  if (recorded === undefined) {
    const written = findChange(
      auditLog,
      (change) => change.backup === backup.file || (backup.run !== null && change.run === backup.run),
    );
    if (written !== undefined) {
      throw badInput(
        `--backup ${backup.file} is not the file run ${written.change.run} wrote: its sha256 is ${fileSha256}, the audit log recorded ${String(written.change.backupSha256)}`,
        'the backup was edited after it was written; it is not restored (restore from an intact copy)',
      );
    }
    if (force) return null;
    const outcome = backup.run === null ? undefined : findRunOutcome(auditLog, backup.run);
    throw badInput(
      outcome !== undefined
        ? `--backup ${backup.file} was written by run ${backup.run}, which changed nothing (outcome ${String(outcome.outcome)}): there is nothing to undo`
        : `--backup ${backup.file} has no record in the audit log ${auditLog}, so its content cannot be checked`,
      'pass the --audit-log of the run that wrote it, or --force to restore it unchecked',
    );
  }
  const { change, outcome } = recorded;
  const claims: [string, unknown, unknown][] = [
    ['account', change.account, backup.account],
    ['resource', change.resource, backup.resource],
    ['before-digest', change.beforeSha256, stateDigest({ resource: backup.resource, snapshot: backup.policy })],
  ];
  for (const [what, recordedValue, fileValue] of claims) {
    if (recordedValue !== fileValue) {
      throw badInput(
        `--backup ${backup.file} contradicts the audit record of run ${change.run}: its ${what} is ${JSON.stringify(fileValue)}, the record says ${JSON.stringify(recordedValue)}`,
        'a backup that disagrees with its record is never restored',
      );
    }
  }
  const left = typeof outcome?.afterSha256 === 'string' ? outcome.afterSha256 : change.expectSha256;
  if (typeof left !== 'string') {
    if (force) return null;
    throw badInput(
      `the audit record of run ${change.run} does not say what state it left`,
      'pass --force to restore anyway',
    );
  }
  return { run: change.run, runbook: change.runbook, time: change.time, leftSha256: left };
}

/** A policy as a person reads it: none, or its size, statements and digest. */
function describePolicy(policy: string | null): string {
  if (policy === null) return 'no policy';
  let sids: string[] = [];
  try {
    const statements = (JSON.parse(policy) as { Statement?: unknown }).Statement;
    sids = (Array.isArray(statements) ? statements : [statements]).map((s, i) =>
      typeof (s as { Sid?: unknown })?.Sid === 'string' ? String((s as { Sid: string }).Sid) : `#${i + 1}`,
    );
  } catch {
    // described by size only
  }
  return `a policy of ${policy.length} bytes (statements ${sids.join(', ')}; sha256 ${sha256(policy).slice(0, 12)}…)`;
}

/** Refuses to put the backup over a policy that moved since the original run left it (unless --force). */
function checkUnmoved(state: RunbookState, p: RestoreParams): void {
  if (p.origin === null || p.force) return;
  if (stateDigest(state) === p.origin.leftSha256) return;
  const then =
    stateDigest({ resource: state.resource, snapshot: null }) === p.origin.leftSha256 ? 'no policy' : 'another policy';
  throw new RunbookError(
    'ChangedSincePlan',
    `${state.resource} changed since the ${p.origin.runbook} run ${p.origin.run} (${p.origin.time}) left it with ${then}: it now has ${describePolicy(state.snapshot)}. Restoring would overwrite that later change; nothing was changed`,
    {
      hint: 'look at the current policy (--dry-run); --force restores the backup over it (the current policy is backed up first)',
    },
  );
}

const common = {
  name: 'restore',
  account: (p: RestoreParams) => p.account,
  region: (p: RestoreParams) => p.region,
  parameters: (p: RestoreParams) => ({
    backup: p.file,
    resource: p.resource,
    force: p.force,
    origin: p.origin?.run ?? null,
  }),
  resource: async (_api: PolicyStore, p: RestoreParams) => p.resource,
  desired: (p: RestoreParams) => p.policy,
  target: (p: RestoreParams) => p.resource,
  check: checkUnmoved,
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
