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
