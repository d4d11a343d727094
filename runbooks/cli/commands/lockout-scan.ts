/** runbook lockout-scan: bucket and queue policies that lock their owners out, across the fleet (see fleet/lockout-scan-run.ts). */
import type { Command } from '../command';
import { parseFleetOptions, SELECTION_OPTIONS, SELECTION_USAGE } from '../fleet-options';

export const command: Command = {
  name: 'lockout-scan',
  summary: 'find bucket and queue policies that lock everyone out, across member accounts (read-only)',
  usage: `Usage: runbook lockout-scan (--all | --accounts <ids> | --ou <ids>) [--regions <r1,r2> | --all-regions]
                            [--output table|json|csv] [--fail-on-findings] [--concurrency <n>]

Read-only. Per account: one AssumeRoot with S3UnlockBucketPolicy (ListAllMyBuckets, GetBucketPolicy) and one
with SQSUnlockQueuePolicy (ListQueues, GetQueueAttributes in each region). A policy locks its owner out when no
administrator of the account can change it any more (S3: PutBucketPolicy and DeleteBucketPolicy; SQS:
SetQueueAttributes) except principals, accounts, VPC endpoints or IP ranges it names. A Deny of insecure
transport, of requests from outside the organization, or of a few actions that leave the policy changeable is
not a lock-out. Each lock-out is a row with the statements that lock, who can still get in, and the unlock
command; an account or region that could not be scanned is a row too (failed, or skipped with the reason).

JSON: one array of rows {account, region, resourceType (s3-bucket | sqs-queue), resource (bucket name or queue
URL), status (lockout | failed | skipped), lockingStatements, allowedPrincipals, fix, error, skipped}. Rows stream
to stdout as accounts finish; progress and the counts go to stderr.

  --regions <r1,r2>        regions whose queues are listed (default: the run's region, see --region)
  --all-regions            every region of the partition; an opt-in region the account has not enabled is skipped
                           Buckets are listed once per account whatever the regions: S3 is global, and each row
                           shows the bucket's own region.
  --output <format>        table (default), json or csv
  --fail-on-findings       exit 1 when a lock-out is found

${SELECTION_USAGE}
Exit codes: 0 scanned (no lock-outs with --fail-on-findings), 1 something could not be scanned or a lock-out was
found with --fail-on-findings, 2 bad input.`,
  options: {
    ...SELECTION_OPTIONS,
    regions: { type: 'string' },
    'all-regions': { type: 'boolean' },
    output: { type: 'string' },
    'fail-on-findings': { type: 'boolean' },
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { lockoutScanFleet, parseLockoutScanParams } = await import('../../fleet/lockout-scan-run');
    const params = parseLockoutScanParams(ctx.values, parseFleetOptions(ctx.values), ctx.settings, ctx.env);
    return lockoutScanFleet(params, ctx.settings, ctx);
  },
};
