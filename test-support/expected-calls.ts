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
 * A run's calls in phases: the calls of one phase go out together (so the proxy may log them in any order), and a
 * phase starts only once the phase before it is answered.
 */
export type CallPhases = readonly (readonly string[])[];

/** The calls of `log` cut into phases the sizes of `expected`, each sorted: comparable with `sortedPhases(expected)`. */
export function inPhases(log: readonly string[], expected: CallPhases): string[][] {
  const phases: string[][] = [];
  let at = 0;
  for (const phase of expected) {
    phases.push(log.slice(at, at + phase.length).sort());
    at += phase.length;
  }
  if (at < log.length) phases.push(log.slice(at).sort());
  return phases;
}

export const sortedPhases = (expected: CallPhases): string[][] => expected.map((phase) => [...phase].sort());

/** Before any root session: the caller's ARN (for the audit log) and the organization's management account. */
const CALLER_AND_ORGANIZATION = [['sts GetCallerIdentity'], ['organizations DescribeOrganization']] as const;

/**
 * `audit --accounts <one clean account>`: the caller, the management account, the account's state, one AssumeRoot,
 * and GetAccountSummary with GetLoginProfile; the summary shows nothing else to list. Two round trips in the account.
 */
export const AUDIT_CLEAN_ACCOUNT_CALLS: CallPhases = [
  ...CALLER_AND_ORGANIZATION,
  ['organizations DescribeAccount'],
  ['sts AssumeRoot'],
  ['iam GetAccountSummary', 'iam GetLoginProfile'],
];

/**
 * `delete-root-credentials --accounts <one account> --yes` where the root user has a password, one access key, one
 * MFA device and one signing certificate: the plan reads the summary and lists what it reports (ids only, no
 * GetAccessKeyLastUsed); the delete session first re-reads the chosen kinds (race safety: credentials that changed
 * since the plan stop the account), then removes each credential (the MFA device is deactivated, then deleted), and
 * the verifying re-read lists every kind again (the delete task policy has no GetAccountSummary).
 */
export const DELETE_ALL_KINDS_CALLS: CallPhases = [
  ...CALLER_AND_ORGANIZATION,
  ['organizations DescribeAccount'],
  ['sts AssumeRoot'],
  ['iam GetAccountSummary', 'iam GetLoginProfile'],
  ['iam ListAccessKeys', 'iam ListMFADevices', 'iam ListSigningCertificates'],
  ['sts AssumeRoot'],
  ['iam GetLoginProfile', 'iam ListAccessKeys', 'iam ListMFADevices', 'iam ListSigningCertificates'],
  [
    'iam DeleteLoginProfile',
    'iam DeleteAccessKey',
    'iam DeactivateMFADevice',
    'iam DeleteVirtualMFADevice',
    'iam DeleteSigningCertificate',
  ],
  ['iam GetLoginProfile', 'iam ListAccessKeys', 'iam ListMFADevices', 'iam ListSigningCertificates'],
];

/** The same for a root user with a password only: the summary spares the plan every list. */
export const DELETE_LOGIN_PROFILE_CALLS: CallPhases = [
  ...CALLER_AND_ORGANIZATION,
  ['organizations DescribeAccount'],
  ['sts AssumeRoot'],
  ['iam GetAccountSummary', 'iam GetLoginProfile'],
  ['sts AssumeRoot'],
  ['iam GetLoginProfile', 'iam ListAccessKeys', 'iam ListMFADevices', 'iam ListSigningCertificates'],
  ['iam DeleteLoginProfile'],
  ['iam GetLoginProfile', 'iam ListAccessKeys', 'iam ListMFADevices', 'iam ListSigningCertificates'],
];
