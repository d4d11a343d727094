/**
 * The lock-out scan of one account and of a fleet: every bucket policy (one S3UnlockBucketPolicy session per
 * account: S3 is global, ListAllMyBuckets once) and every queue policy of the chosen regions (one
 * SQSUnlockQueuePolicy session per account), each judged by the lock-out rule (policy/lockout.ts). Read-only.
 * A lock-out is a row with its fix; anything that could not be read is a row too (failed, or skipped with the
 * reason), never dropped, because "not scanned" must not look like "clean". Clients come in as parameters.
 */
import { isExpiredSession, toRunbookError } from '../engine/aws-errors';
import type { SessionCredentials } from '../engine/clients';
import type { TaskAlias } from '../engine/tasks';
import type { OutcomeFacts } from '../engine/trail';
import { runPool, type EmitOrder } from '../lib/pool';
import { analyzeLockout, PolicyError } from '../policy/lockout';
import type { FleetAccount } from './accounts';
import { withClient, withRootSession, type AssumeRootFn } from './account-session';
import type { BucketPolicyReader, QueuePolicyReader } from './policy-reads';
import { partitionOf } from '../engine/validate';
import { isOptInRegion } from './regions';

export type ScanResourceType = 's3-bucket' | 'sqs-queue';

/** One row of the scan: a locked-out bucket or queue, or a part of an account that could not be scanned. */
export interface LockoutRow {
  account: string;
  /** The queue's region, the bucket's region when S3 says, or the region that failed; null when unknown or global. */
  region: string | null;
  /** null only for an account skipped as a whole. */
  resourceType: ScanResourceType | null;
  /** Bucket name or queue URL; null when the row is about a whole account or region. */
  resource: string | null;
  status: 'lockout' | 'failed' | 'skipped';
  /** The Sids (or #n) of the statements that lock. */
  lockingStatements: string[];
  /** Who can still change the policy, as it names them (see LockoutAnalysis); empty: only the root user. */
  allowedPrincipals: string[];
  /** The runbook command that removes the policy (it backs it up first). */
  fix: string | null;
  error: { code: string; message: string } | null;
  skipped: string | null;
}

export interface AccountScan {
  account: string;
  status: 'scanned' | 'skipped' | 'failed';
  rows: LockoutRow[];
  /** Buckets and queues whose policy was read. */
  buckets: number;
  queues: number;
}

export interface ScanDeps {
  assumeRoot: AssumeRootFn;
  s3For: (credentials: SessionCredentials) => BucketPolicyReader | Promise<BucketPolicyReader>;
  sqsFor: (credentials: SessionCredentials, region: string) => QueuePolicyReader | Promise<QueuePolicyReader>;
}

export interface ScanScope {
  /** Regions whose queues are listed. */
  regions: readonly string[];
  /** The region of the caller's session: decides the partition of the ARNs. */
  callerRegion: string;
  /** The organization of the accounts (aws:PrincipalOrgID); undefined when it could not be read. */
  organizationId?: string;
  /** --all-regions: an opt-in region the account has not enabled is skipped, not failed. */
  allRegions?: boolean;
}

/** Requests one account has in flight beside its other service's: two reads per service at once. */
const READS_AT_ONCE = 2;

/** Quotes an argument for a POSIX shell unless it is made of characters that need none. */
export function shellArg(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function fixCommand(type: ScanResourceType, account: string, resource: string, region: string | null): string {
  return type === 's3-bucket'
    ? `runbook s3-unlock --account ${account} --bucket ${shellArg(resource)}`
    : `runbook sqs-unlock --account ${account} --queue-url ${shellArg(resource)}${region ? ` --region ${region}` : ''}`;
}

const row = (account: string, fields: Partial<LockoutRow> & Pick<LockoutRow, 'status'>): LockoutRow => ({
  account,
  region: null,
  resourceType: null,
  resource: null,
  lockingStatements: [],
  allowedPrincipals: [],
  fix: null,
  error: null,
  skipped: null,
  ...fields,
});

const failure = (error: unknown, action: string, target: string) => {
  const e = toRunbookError(error, { action, target });
  return { code: e.code, message: e.message };
};

/** The errors AWS answers in a region the account has not enabled (the session is unknown there). */
function regionNotEnabled(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string; cause?: unknown };
  const names = ['InvalidClientTokenId', 'UnrecognizedClientException', 'AuthFailure', 'OptInRequired'];
  if (names.includes(e.name ?? '') || e.code === 'ENOTFOUND') return true;
  return e.cause !== undefined && e.cause !== error && regionNotEnabled(e.cause);
}

function judged(
  account: string,
  type: ScanResourceType,
  resource: string,
  region: string | null,
  policy: string,
  target: { resourceArn: string; organizationId?: string },
): LockoutRow | undefined {
  try {
    const found = analyzeLockout(policy, {
      service: type === 's3-bucket' ? 's3' : 'sqs',
      account,
      region: region ?? undefined,
      ...target,
    });
    if (!found.lockout) return undefined;
    return row(account, {
      region,
      resourceType: type,
      resource,
      status: 'lockout',
      lockingStatements: found.lockingStatements.map((s) => s.statement),
      allowedPrincipals: found.allowedPrincipals,
      fix: fixCommand(type, account, resource, type === 'sqs-queue' ? region : null),
    });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const message = `the policy cannot be analysed: ${error.message}`;
    return row(account, {
      region,
      resourceType: type,
      resource,
      status: 'failed',
      error: { code: 'UnreadablePolicy', message },
    });
  }
}

const isGone = (error: unknown): boolean =>
  ['NoSuchBucket', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue'].includes(
    (error as { name?: string }).name ?? '',
  );

interface Part {
  rows: LockoutRow[];
  count: number;
}

async function scanBuckets(s3: BucketPolicyReader, account: string, scope: ScanScope): Promise<Part> {
  const buckets: { name: string; region: string | null }[] = [];
  let ContinuationToken: string | undefined;
  do {
    // MaxBuckets makes S3 page the listing and name each bucket's region (BucketRegion).
    const page = await s3.listBuckets({ MaxBuckets: 10_000, ContinuationToken });
    for (const b of page.Buckets ?? []) if (b.Name) buckets.push({ name: b.Name, region: b.BucketRegion ?? null });
    ContinuationToken = page.ContinuationToken;
  } while (ContinuationToken);
  const rows: LockoutRow[] = [];
  await runPool(
    buckets,
    async ({ name, region }): Promise<LockoutRow | undefined> => {
      let policy: string | undefined;
      try {
        policy = (await s3.getBucketPolicy({ Bucket: name, ExpectedBucketOwner: account })).Policy;
      } catch (error) {
        if (isExpiredSession(error)) throw error;
        if ((error as { name?: string }).name === 'NoSuchBucketPolicy' || isGone(error)) return undefined;
        const e = failure(error, 's3:GetBucketPolicy', `bucket ${name}`);
        return row(account, { region, resourceType: 's3-bucket', resource: name, status: 'failed', error: e });
      }
      if (!policy) return undefined;
      const resourceArn = `arn:${partitionOf(scope.callerRegion)}:s3:::${name}`;
      return judged(account, 's3-bucket', name, region, policy, { resourceArn, organizationId: scope.organizationId });
    },
    { concurrency: READS_AT_ONCE, order: 'input', emit: (r) => void (r && rows.push(r)) },
  );
  return { rows, count: buckets.length };
}

async function scanRegion(sqs: QueuePolicyReader, account: string, region: string, scope: ScanScope): Promise<Part> {
  const urls: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.listQueues({ MaxResults: 1000, NextToken });
    urls.push(...(page.QueueUrls ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const rows: LockoutRow[] = [];
  await runPool(
    urls,
    async (url): Promise<LockoutRow | undefined> => {
      let attributes: Record<string, string> | undefined;
      try {
        attributes = (await sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['Policy', 'QueueArn'] }))
          .Attributes;
      } catch (error) {
        if (isExpiredSession(error)) throw error;
        if (isGone(error)) return undefined;
        const e = failure(error, 'sqs:GetQueueAttributes', `queue ${url}`);
        return row(account, { region, resourceType: 'sqs-queue', resource: url, status: 'failed', error: e });
      }
      const policy = attributes?.Policy;
      if (!policy) return undefined;
      const name = url.replace(/\/+$/, '').split('/').pop() ?? '';
      const resourceArn = attributes?.QueueArn ?? `arn:${partitionOf(region)}:sqs:${region}:${account}:${name}`;
      return judged(account, 'sqs-queue', url, region, policy, { resourceArn, organizationId: scope.organizationId });
    },
    { concurrency: READS_AT_ONCE, order: 'input', emit: (r) => void (r && rows.push(r)) },
  );
  return { rows, count: urls.length };
}

async function scanQueues(deps: ScanDeps, credentials: SessionCredentials, account: string, scope: ScanScope) {
  const part: Part = { rows: [], count: 0 };
  for (const region of scope.regions) {
    try {
      const found = await withClient(
        (c: SessionCredentials) => deps.sqsFor(c, region),
        credentials,
        (sqs) => scanRegion(sqs, account, region, scope),
      );
      part.rows.push(...found.rows);
      part.count += found.count;
    } catch (error) {
      if (isExpiredSession(error)) throw error;
      if (scope.allRegions && isOptInRegion(region) && regionNotEnabled(error)) {
        const skipped = `${region} is an opt-in region this account has not enabled (the session is refused there)`;
        part.rows.push(row(account, { region, resourceType: 'sqs-queue', status: 'skipped', skipped }));
      } else {
        const e = failure(error, 'sqs:ListQueues', `account ${account} in ${region}`);
        part.rows.push(row(account, { region, resourceType: 'sqs-queue', status: 'failed', error: e }));
      }
    }
  }
  return part;
}

/** Scans one account; it never throws: whatever fails becomes a failed row. */
export async function scanAccount(deps: ScanDeps, account: FleetAccount, scope: ScanScope): Promise<AccountScan> {
  const id = account.id;
  if (account.skip) {
    return {
      account: id,
      status: 'skipped',
      rows: [row(id, { status: 'skipped', skipped: account.skip })],
      buckets: 0,
      queues: 0,
    };
  }
  // Each root session is in the trail before deps.assumeRoot returns it (fleet/aws.ts): nothing to record here.
  const part = async (type: ScanResourceType, task: TaskAlias, work: (c: SessionCredentials) => Promise<Part>) => {
    try {
      return await withRootSession(deps.assumeRoot, id, task, work);
    } catch (error) {
      const action = type === 's3-bucket' ? 's3:ListAllMyBuckets' : 'sqs:ListQueues';
      return {
        rows: [row(id, { resourceType: type, status: 'failed', error: failure(error, action, `account ${id}`) })],
        count: 0,
      };
    }
  };
  const [buckets, queues] = await Promise.all([
    part('s3-bucket', 's3-unlock', (c) => withClient(deps.s3For, c, (s3) => scanBuckets(s3, id, scope))),
    part('sqs-queue', 'sqs-unlock', (c) => scanQueues(deps, c, id, scope)),
  ]);
  const rows = [...buckets.rows, ...queues.rows];
  return {
    account: id,
    status: rows.some((r) => r.status === 'failed') ? 'failed' : 'scanned',
    rows,
    buckets: buckets.count,
    queues: queues.count,
  };
}

/** One account's outcome for the trail: read-only, so `unchanged` or `failed`, with what was found. */
export function accountOutcome(scan: AccountScan): OutcomeFacts & { account: string } {
  const failed = scan.rows.filter((r) => r.status === 'failed');
  return {
    account: scan.account,
    outcome: failed.length > 0 ? 'failed' : 'unchanged',
    errorCode: failed[0]?.error?.code ?? null,
    details: {
      lockouts: scan.rows.filter((r) => r.status === 'lockout').length,
      failed: failed.length,
      buckets: scan.buckets,
      queues: scan.queues,
    },
  };
}

export interface ScanTotals {
  accounts: number;
  scanned: number;
  skipped: number;
  failed: number;
  lockouts: number;
  accountsWithLockouts: number;
  buckets: number;
  queues: number;
}

export interface RunScanOptions extends ScanDeps {
  accounts: Iterable<FleetAccount> | AsyncIterable<FleetAccount>;
  scope: ScanScope;
  concurrency: number;
  order?: EmitOrder;
  /** Receives each account's scan once, in selection order; the only place results go. */
  sink: (scan: AccountScan) => void | Promise<void>;
}

/** The fleet scan (the CLI's lockout-scan and the report use it). Returns counts only. */
export async function runLockoutScan(options: RunScanOptions): Promise<ScanTotals> {
  const totals: ScanTotals = {
    accounts: 0,
    scanned: 0,
    skipped: 0,
    failed: 0,
    lockouts: 0,
    accountsWithLockouts: 0,
    buckets: 0,
    queues: 0,
  };
  await runPool(options.accounts, (account) => scanAccount(options, account, options.scope), {
    concurrency: options.concurrency,
    order: options.order ?? 'input',
    emit: (scan) => {
      const lockouts = scan.rows.filter((r) => r.status === 'lockout').length;
      totals.accounts++;
      totals[scan.status]++;
      totals.lockouts += lockouts;
      if (lockouts > 0) totals.accountsWithLockouts++;
      totals.buckets += scan.buckets;
      totals.queues += scan.queues;
      return options.sink(scan);
    },
  });
  return totals;
}
