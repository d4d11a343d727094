/**
 * The AWS requests a run must make, in order, as the fault proxy logs them (`<service> <Action>`). The reliability
 * tests assert them and the call-counts benchmark reports against them, so both hold the runbooks to one list.
 */

/**
 * s3-unlock of a locked bucket: AssumeRoot, the read, the re-read right before the change (race safety), the
 * delete, the verifying read; the backup is a local file.
 */
export const S3_UNLOCK_CALLS: readonly string[] = [
  'sts AssumeRoot',
  's3 GetBucketPolicy',
  's3 GetBucketPolicy',
  's3 DeleteBucketPolicy',
  's3 GetBucketPolicy',
];

/**
 * The caller's own reads, beside AssumeRoot and never on a root session: its identity (the audit log's caller ARN;
 * with --role-arn the AssumeRole answer names it instead) and its role to the organization (engine/caller-role.ts:
 * DescribeOrganization, then ListOrganizationsFeatures for a member account). Each at most once per run.
 */
export const CALLER_LOOKUP_CALLS: readonly string[] = [
  'sts GetCallerIdentity',
  'organizations DescribeOrganization',
  'iam ListOrganizationsFeatures',
];

/** One of CALLER_LOOKUP_CALLS, given as the service and the action (`organizations`, `DescribeOrganization`). */
export const isCallerLookup = (service: string, action: string): boolean =>
  CALLER_LOOKUP_CALLS.includes(`${service} ${action}`);
