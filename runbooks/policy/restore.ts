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
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { bucketPolicyStore } from './apis/s3';
import { queuePolicyStore } from './apis/sqs';
import type { PolicyStore } from './apis/policy-store';
import type { ResourceType } from '../engine/backup';
import { badInput, RunbookError } from '../engine/errors';
import { stateDigest, type RunbookState } from '../engine/runbook';
import { findChange, findRunOutcome } from '../engine/trail-read';
import { sha256 } from '../engine/trail-record';
import type { PolicySpec } from './policy-runbook';
import {
  badValue,
  checkPolicyText,
  parseAccountId,
  parseBucketName,
  parseQueueUrl,
  requireOption,
} from '../engine/validate';

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
 * Reads a regular file of at most `max` bytes as strict UTF-8. Opened non-blocking, so a FIFO or a device is
 * refused instead of waited on. (A local check until the CLI's shared safe reader exists.)
 */
function readSmallFile(path: string, max: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('it is not a regular file');
    if (stat.size > max) throw new Error(`it has ${stat.size} bytes, more than ${max}`);
    const bytes = Buffer.alloc(stat.size);
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, got);
      if (n <= 0) break;
      got += n;
    }
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, got));
    return bytes.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export function parseRestoreParams(values: Record<string, unknown>, auditLog: string): RestoreParams {
  const file = requireOption(values, 'backup', ALLOWED);
  const force = values.force === true;
  let bytes: Buffer;
  let record: Record<string, unknown>;
  try {
    bytes = readSmallFile(file, MAX_BACKUP_BYTES);
    record = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error('not a JSON object');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw badValue('--backup', file, ALLOWED, String(reason));
  }
  const field = (name: string): string => {
    const value = record[name];
    if (typeof value !== 'string') throw badValue('--backup', file, ALLOWED, `its "${name}" is missing`);
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
      throw badValue('--backup', file, ALLOWED, 'its queue URL names another account than its "account"');
    }
  } else {
    throw badValue(
      '--backup',
      file,
      ALLOWED,
      `its resourceType ${JSON.stringify(resourceType)} is not s3-bucket or sqs-queue`,
    );
  }
  const policy = record.policy;
  if (policy !== null && typeof policy !== 'string')
    throw badValue('--backup', file, ALLOWED, 'its "policy" is missing');
  if (policy !== null) {
    checkPolicyText(policy, '--backup', file);
    const contradiction = resourceContradiction(policy, resourceType, account, resource, region);
    if (contradiction !== undefined) {
      throw badInput(
        `--backup ${file} contradicts itself: ${contradiction}`,
        'a backup whose policy names another resource is never restored; it was edited or is not from this resource',
      );
    }
  }
  const backup = {
    file: resolve(file),
    account,
    resource,
    policy,
    run: typeof record.run === 'string' ? record.run : null,
  };
  const origin = originOf(backup, sha256(bytes), auditLog, force);
  return { file, account, region, resourceType: resourceType as ResourceType, resource, policy, force, origin };
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

/** IAM wildcard matching (`*`, `?`), case-sensitive as ARNs are. */
function matches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** Why the policy's Resource ARNs cannot belong to the backup's bucket or queue, or undefined when they can. */
export function resourceContradiction(
  policy: string,
  type: string,
  account: string,
  resource: string,
  region: string,
): string | undefined {
  const document = JSON.parse(policy) as { Statement?: unknown };
  const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as {
    Resource?: unknown;
    NotResource?: unknown;
  }[];
  const arns = statements.flatMap((s) =>
    [s?.Resource, s?.NotResource].flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v : [])),
  );
  for (const arn of arns.filter((a): a is string => typeof a === 'string' && a !== '*')) {
    const parts = arn.split(':');
    if (type === 's3-bucket') {
      const bucket = parts.length === 6 && matches(parts[2], 's3') ? parts[5].split('/')[0] : undefined;
      if (bucket === undefined || !matches(bucket, resource)) {
        return `its policy names ${JSON.stringify(arn)}, which is not bucket ${resource}`;
      }
    } else {
      const queue = parseQueueUrl(resource);
      const ok =
        parts.length === 6 &&
        matches(parts[2], 'sqs') &&
        matches(parts[3], queue.region ?? region) &&
        matches(parts[4], account) &&
        matches(parts[5], queue.name);
      if (!ok) return `its policy names ${JSON.stringify(arn)}, which is not queue ${queue.name} of account ${account}`;
    }
  }
  return undefined;
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
