/**
 * Client of the sandbox's seeding and inspection API (/_sandbox/…, served by emulator/moto_ext/sandbox_api.py).
 * Seeding goes around the AWS APIs: it is how tests and the demo set up ground truth and read it back,
 * bypassing task policies and resource policies.
 */

export interface SeededAccount {
  id: string;
  name: string;
  email: string;
  ouId: string;
  state: 'ACTIVE' | 'SUSPENDED';
}

export interface SeededOrg {
  organizationId: string;
  managementAccountId: string;
  rootId: string;
  ous: { id: string; name: string }[];
  /** Member accounts only, in creation order (every member of the organization, not only this call's). */
  accounts: SeededAccount[];
}

export type OrganizationFeature = 'RootCredentialsManagement' | 'RootSessions';

export interface SeedOrganizationOptions {
  /** Member accounts to add (0–20,000). */
  accounts: number;
  /** OU names under the root; accounts are spread over them round-robin. Default: ["Workloads"]. */
  ous?: string[];
  /** Trusted access for iam.amazonaws.com. Default: true. */
  trustedAccessForIam?: boolean;
  /** Enabled centralized-root-access features. Default: both. */
  features?: OrganizationFeature[];
  /** How many of the accounts added now are SUSPENDED (the last ones). Default: 0. */
  suspendedAccounts?: number;
}

export interface RootCredentialSeed {
  loginProfile?: boolean;
  accessKeys?: number;
  mfaDevices?: number;
  signingCertificates?: number;
}

export interface SandboxOrganizationSummary {
  organizationId: string | null;
  managementAccountId?: string;
  trustedAccessForIam?: boolean;
  features?: OrganizationFeature[];
  accounts?: number;
  suspendedAccounts?: number;
  rootSessionsIssued?: number;
}

async function call<T>(endpoint: string, method: 'GET' | 'POST' | 'PUT', route: string, body?: unknown): Promise<T> {
  const url = `${endpoint.replace(/\/+$/, '')}/_sandbox/${route}`;
  const response = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    let reason = text;
    try {
      reason = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // keep the raw body
    }
    throw new Error(`Sandbox ${method} /_sandbox/${route} failed (${response.status}): ${reason}`);
  }
  return JSON.parse(text) as T;
}

function accountRoute(accountId: string, rest: string): string {
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`Account id must be 12 digits, got ${JSON.stringify(accountId)}`);
  }
  return `accounts/${accountId}/${rest}`;
}

/** Creates the management account's organization on first use, then adds accounts; options are the desired state. */
export function seedOrganization(endpoint: string, options: SeedOrganizationOptions): Promise<SeededOrg> {
  return call<SeededOrg>(endpoint, 'POST', 'organization', options);
}

export function describeOrganization(endpoint: string): Promise<SandboxOrganizationSummary> {
  return call<SandboxOrganizationSummary>(endpoint, 'GET', 'organization');
}

export interface AccessKeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Replaces the root user's credentials of the account with exactly these (omitted = none). Returns the new
 * access keys: requests signed with them act as the account's root user (long-term keys, no aws:AssumedRoot).
 */
export async function seedRootCredentials(
  endpoint: string,
  accountId: string,
  creds: RootCredentialSeed,
): Promise<{ accessKeys: AccessKeyPair[] }> {
  const seeded = await call<{ credentials: AccessKeyPair[] }>(
    endpoint,
    'PUT',
    accountRoute(accountId, 'root-credentials'),
    creds,
  );
  return { accessKeys: seeded.credentials };
}

/** The "DenyAllExceptPipeline" bucket: denies s3:* to every principal but the pipeline role. */
export function seedLockedBucket(
  endpoint: string,
  accountId: string,
  options: { bucket: string; pipelineRoleArn?: string; region?: string },
): Promise<{ bucket: string; policy: string }> {
  return call(endpoint, 'POST', accountRoute(accountId, 'locked-bucket'), options);
}

/** A queue whose policy denies sqs:* to every principal but a pipeline role (by default one that does not exist). */
export function seedLockedQueue(
  endpoint: string,
  accountId: string,
  options: { queueName: string; region?: string; pipelineRoleArn?: string },
): Promise<{ queueUrl: string; policy: string }> {
  return call(endpoint, 'POST', accountRoute(accountId, 'locked-queue'), options);
}

/** A bucket of the account in `region` (default us-east-1), created if missing, with exactly `policy` (null: none). */
export function seedBucket(
  endpoint: string,
  accountId: string,
  options: { bucket: string; region?: string; policy: object | string | null },
): Promise<{ bucket: string; region: string; policy: string | null }> {
  return call(endpoint, 'POST', accountRoute(accountId, 'bucket'), options);
}

/** A queue of the account in `region` (default us-east-1), created if missing, with exactly `policy` (null: none). */
export function seedQueue(
  endpoint: string,
  accountId: string,
  options: { queueName: string; region?: string; policy: object | string | null },
): Promise<{ queueUrl: string; queueArn: string; policy: string | null }> {
  return call(endpoint, 'POST', accountRoute(accountId, 'queue'), options);
}

/**
 * Long-term keys of an IAM user with AdministratorAccess in the member account (the same keys on every call
 * for an account). OrganizationAccountAccessRole is the other way to the member account's admin.
 */
export function memberAdminCredentials(endpoint: string, accountId: string): Promise<AccessKeyPair> {
  return call(endpoint, 'POST', accountRoute(accountId, 'admin-credentials'));
}

/** Every secret access key and session token the sandbox ever issued. */
export async function issuedSecrets(endpoint: string): Promise<string[]> {
  return (await call<{ secrets: string[] }>(endpoint, 'GET', 'secrets')).secrets;
}

/** A temporary session the sandbox issued: a root session (AssumeRoot) or a role session (AssumeRole). */
export interface IssuedSession {
  accessKeyId: string;
  kind: 'root' | 'role';
  account: string;
  taskPolicyArn?: string;
  roleArn?: string;
}

/** Every temporary session the sandbox ever issued, in issue order (access key ids only, never a secret). */
export async function issuedSessions(endpoint: string): Promise<IssuedSession[]> {
  return (await call<{ sessions: IssuedSession[] }>(endpoint, 'GET', 'sessions')).sessions;
}

export function readRootCredentials(endpoint: string, accountId: string): Promise<Required<RootCredentialSeed>> {
  return call(endpoint, 'GET', accountRoute(accountId, 'root-credentials'));
}

/**
 * CloudTrail records delivered as CloudTrail delivers them to EventBridge: each onto the account's default bus in
 * its `awsRegion`, with the detail-type of its `eventType` and the source of its `eventSource` (PutEvents refuses
 * `aws.*` sources, as on AWS). Returns the EventBridge event ids.
 */
export async function deliverCloudTrailRecords(
  endpoint: string,
  accountId: string,
  records: Record<string, unknown>[],
): Promise<string[]> {
  const route = accountRoute(accountId, 'cloudtrail-events');
  return (await call<{ eventIds: string[] }>(endpoint, 'POST', route, { records })).eventIds;
}

/** An EventBridge delivery the sandbox refused or could not make (what AWS counts as FailedInvocations). */
export interface EventDeliveryFailure {
  rule: string;
  target: string;
  reason: string;
}

/** Every failed EventBridge delivery since the sandbox started, oldest first. */
export async function eventDeliveryFailures(endpoint: string): Promise<EventDeliveryFailure[]> {
  return (await call<{ failures: EventDeliveryFailure[] }>(endpoint, 'GET', 'event-delivery-failures')).failures;
}

export async function readBucketPolicy(endpoint: string, accountId: string, bucket: string): Promise<string | null> {
  const route = accountRoute(accountId, `buckets/${encodeURIComponent(bucket)}/policy`);
  return (await call<{ policy: string | null }>(endpoint, 'GET', route)).policy;
}

export async function readQueuePolicy(endpoint: string, accountId: string, queueUrl: string): Promise<string | null> {
  const route = accountRoute(accountId, `queue-policy?queueUrl=${encodeURIComponent(queueUrl)}`);
  return (await call<{ policy: string | null }>(endpoint, 'GET', route)).policy;
}

/** One request and the policies that apply to it, as the sandbox's evaluator takes them (emulator/moto_ext/policy_eval.py). */
export interface EvaluationCase {
  principal: { arn: string; account: string; roleArn?: string };
  action: string;
  resource: string;
  resourceAccount: string;
  context: Record<string, string | string[]>;
  identityPolicies: object[];
  taskPolicies?: object[];
  sessionPolicy?: object | null;
  permissionsBoundary?: object | null;
  /** SCPs per level, the organization root first and the account last; null when none apply. */
  scps?: object[][] | null;
  resourcePolicy?: object | null;
}

export interface EvaluationResult {
  result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  /** For a denial, which kind of policy decided it. */
  policyType: 'identity' | 'resource' | 'scp' | 'session' | 'boundary' | null;
}

/** The sandbox's policy decisions on the given cases (nothing is stored). */
export async function evaluatePolicies(endpoint: string, cases: EvaluationCase[]): Promise<EvaluationResult[]> {
  return (await call<{ results: EvaluationResult[] }>(endpoint, 'POST', 'evaluate', { cases })).results;
}

/** Turns policy enforcement off or on (it is on by default; the enforcement-cost benchmark compares both). */
export async function setEnforcement(endpoint: string, enabled: boolean): Promise<void> {
  await call(endpoint, 'PUT', 'enforcement', { enabled });
}
