/**
 * runbook doctor, the core: each prerequisite of centralized root access checked on its own, with what was
 * found and how to fix it. A failing check never stops the others, except a root cause (see runChecks): then the
 * checks it makes impossible say "not checked" and why, instead of repeating it with a wrong fix each. The AWS
 * reads come in as a port.
 */
import { denyRootWithoutExemption } from './scp-rule';
import { awsErrorName as errorName } from '../engine/aws-errors';
import type { CallerRole } from '../engine/caller-role';
import { RunbookError } from '../engine/errors';

export interface DoctorPort {
  callerIdentity(): Promise<{ account: string; arn: string }>;
  organization(): Promise<{ id: string; managementAccountId: string; featureSet: string | undefined }>;
  /** organizations:ListDelegatedAdministrators: the management account and any delegated administrator may call it. */
  delegatedAdministrators(servicePrincipal: string): Promise<string[]>;
  serviceAccessPrincipals(): Promise<string[]>;
  /** iam:ListOrganizationsFeatures EnabledFeatures. */
  organizationsFeatures(): Promise<string[]>;
  /** Every SCP with its document and the ids it is attached to. */
  serviceControlPolicies(): Promise<{ id: string; name: string; content: string; targets: () => Promise<string[]> }[]>;
  /** The first ACTIVE member account not in `exclude` (the management account, the caller's own), if any. */
  firstMemberAccount(exclude: readonly string[]): Promise<string | undefined>;
  /** AssumeRoot with the audit task; the session is not used. */
  assumeRootAudit(account: string): Promise<void>;
}

export type CheckStatus = 'ok' | 'failed' | 'not-checked';

export interface Check {
  name: string;
  /** Passed (status ok). A check that could not be made is not ok either. */
  ok: boolean;
  status: CheckStatus;
  detail: string;
  /** What to do when the check fails. */
  fix?: string;
  /** Set when the failure is a root cause that other checks depend on (see rootCause). */
  cause?: RootCauseKind;
}

const IAM = 'iam.amazonaws.com';
export const FEATURES = ['RootCredentialsManagement', 'RootSessions'] as const;

const message = (error: unknown): string => {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
};

export type RootCauseKind =
  | 'unreachable-endpoint'
  | 'not-aws-endpoint'
  | 'no-credentials'
  | 'expired-credentials'
  | 'rejected-credentials';

/** An answer no AWS API gives (the caller identity without an ARN): the endpoint is something else. */
class NotAwsAnswer extends Error {
  override readonly name = 'NotAwsAnswer';
}

interface RootCause {
  readonly kind: RootCauseKind;
  readonly detail: string;
  readonly fix: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
const EXPIRED_NAMES = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const REJECTED_NAMES = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'AuthFailure',
]);

/**
 * The failures no check can work around: AWS cannot be reached, or the caller has no credentials, expired ones,
 * or ones AWS does not accept. Each is reported once, where it shows first, with the fix for it; the checks that
 * need what is missing are not made.
 */
export function rootCause(thrown: unknown): RootCause | undefined {
  // The engine wraps SDK errors into a RunbookError (the caller's identity lookup does); the root cause is in what
  // it wraps.
  const error = thrown instanceof RunbookError && thrown.cause !== undefined ? thrown.cause : thrown;
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    hostname?: string;
    address?: string;
    port?: number;
  };
  const name = e.name ?? '';
  if (NETWORK_CODES.has(e.code ?? '') || name === 'TimeoutError' || name === 'RequestTimeout') {
    const where =
      e.hostname ?? (e.address === undefined ? undefined : `${e.address}${e.port === undefined ? '' : `:${e.port}`}`);
    return {
      kind: 'unreachable-endpoint',
      detail: `cannot reach AWS${where === undefined ? '' : ` at ${where}`} (${e.code ?? name}: ${e.message ?? ''})`,
      fix: 'check the endpoint (--endpoint-url, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), the region (--region, AWS_REGION), and the network or proxy (HTTPS_PROXY) between this machine and AWS',
    };
  }
  const meta = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } } | null)?.$metadata;
  // Every AWS answer carries a request id and an error code; a web server, a proxy's error page or a
  // mistyped --endpoint-url answers with neither (the SDK then says "Unknown", or cannot parse the body).
  const unparsable = /Deserialization error/.test(e.message ?? '');
  const anonymous = meta?.httpStatusCode !== undefined && meta.requestId === undefined && e.message === 'Unknown';
  if (error instanceof NotAwsAnswer || unparsable || anonymous) {
    const status = meta?.httpStatusCode === undefined ? '' : `HTTP ${meta.httpStatusCode}, `;
    return {
      kind: 'not-aws-endpoint',
      detail: `the endpoint does not answer like AWS (${status}${error instanceof NotAwsAnswer ? e.message : unparsable ? 'a body that is not an AWS response' : 'no AWS request id or error code'})`,
      fix: 'check the endpoint (--endpoint-url, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>): it must be an AWS API endpoint (or the sandbox), not a web server or a proxy page',
    };
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(e.message ?? '')) {
    return {
      kind: 'no-credentials',
      detail: `no credentials found (${message(error)})`,
      fix: 'configure credentials: --profile <name> or AWS_PROFILE (aws configure / aws configure sso), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run on a machine with an instance or container role; "aws sts get-caller-identity" shows what the SDKs find',
    };
  }
  if (EXPIRED_NAMES.has(name)) {
    return {
      kind: 'expired-credentials',
      detail: `the caller's credentials have expired (${message(error)})`,
      fix: 'get fresh credentials (aws sso login --profile <name>, or new temporary keys) and run runbook doctor again',
    };
  }
  if (REJECTED_NAMES.has(name)) {
    return {
      kind: 'rejected-credentials',
      detail: `AWS does not accept the caller's credentials (${message(error)})`,
      fix: 'check the access key id and secret access key (or the profile that supplies them), and that they belong to this partition and endpoint',
    };
  }
  return undefined;
}

/** Credentials are the same for every check: once they are known to be unusable, no later check can pass. */
const SHARED_BY_ALL: readonly RootCauseKind[] = ['no-credentials', 'expired-credentials', 'rejected-credentials'];

interface CheckSpec {
  readonly name: string;
  readonly fix: string;
  run(): Promise<{ ok: boolean; detail: string }>;
}

/**
 * Runs the checks in order. An ordinary failure never stops the others. A root cause is reported once, with its
 * own fix: after the caller identity check fails with one, or any check fails with a credential root cause, the
 * remaining checks are "not checked" and say why; a later check that hits a root cause already reported (the
 * same unreachable endpoint) says "not checked" instead of repeating it.
 */
async function runChecks(specs: readonly CheckSpec[]): Promise<Check[]> {
  const checks: Check[] = [];
  let blocking: { check: string; cause: RootCause } | undefined;
  const reported: { check: string; cause: RootCause }[] = [];
  for (const spec of specs) {
    if (blocking !== undefined) {
      checks.push(notChecked(spec.name, blocking.check, blocking.cause));
      continue;
    }
    let result: { ok: boolean; detail: string };
    try {
      result = await spec.run();
    } catch (error) {
      const cause = rootCause(error);
      if (cause === undefined) {
        checks.push({ name: spec.name, ok: false, status: 'failed', detail: message(error), fix: spec.fix });
        continue;
      }
      const earlier = reported.find((r) => r.cause.kind === cause.kind && r.cause.detail === cause.detail);
      if (earlier !== undefined) {
        checks.push(notChecked(spec.name, earlier.check, cause));
        continue;
      }
      checks.push({
        name: spec.name,
        ok: false,
        status: 'failed',
        detail: cause.detail,
        fix: cause.fix,
        cause: cause.kind,
      });
      reported.push({ check: spec.name, cause });
      if (checks.length === 1 || SHARED_BY_ALL.includes(cause.kind)) blocking = { check: spec.name, cause };
      continue;
    }
    checks.push(
      result.ok
        ? { name: spec.name, ok: true, status: 'ok', detail: result.detail }
        : { name: spec.name, ok: false, status: 'failed', detail: result.detail, fix: spec.fix },
    );
  }
  return checks;
}

const CAUSE_SUMMARY: Record<RootCauseKind, string> = {
  'unreachable-endpoint': 'AWS cannot be reached',
  'not-aws-endpoint': 'the endpoint is not AWS',
  'no-credentials': 'there are no credentials',
  'expired-credentials': "the caller's credentials have expired",
  'rejected-credentials': "AWS does not accept the caller's credentials",
};

function notChecked(name: string, where: string, cause: RootCause): Check {
  return {
    name,
    ok: false,
    status: 'not-checked',
    detail: `not checked: ${CAUSE_SUMMARY[cause.kind]} (see "${where}")`,
  };
}

export interface DoctorOutcome {
  readonly checks: Check[];
  /** What the caller is to the organization; `unknown` when the checks could not tell. */
  readonly callerKind: CallerRole;
}

/**
 * A member's registration as IAM delegated administrator: ListDelegatedAdministrators for iam.amazonaws.com, which
 * AWS answers every delegated administrator. A caller that may not list them (no organizations: permission, or
 * the refusal a non-delegated member gets) is told by ListOrganizationsFeatures, which AWS answers the IAM
 * delegated administrator and refuses every other member.
 */
async function registration(port: DoctorPort, account: string): Promise<{ registered: boolean; how: string }> {
  try {
    const admins = await port.delegatedAdministrators(IAM);
    return { registered: admins.includes(account), how: `ListDelegatedAdministrators for ${IAM}` };
  } catch (listing) {
    if (rootCause(listing) !== undefined) throw listing;
    try {
      await port.organizationsFeatures();
      return { registered: true, how: `iam:ListOrganizationsFeatures answers it (${errorName(listing)} on the list)` };
    } catch (features) {
      if (errorName(features) === 'AccountNotManagementOrDelegatedAdministratorException') {
        return { registered: false, how: `iam:ListOrganizationsFeatures refuses it: ${errorName(features)}` };
      }
      throw listing;
    }
  }
}

export async function runDoctor(port: DoctorPort, options: { account?: string } = {}): Promise<DoctorOutcome> {
  let caller: { account: string; arn: string } | undefined;
  let management: string | undefined;
  let callerKind: CallerRole = 'unknown';

  const checks = await runChecks([
    {
      name: 'caller identity',
      fix: 'configure credentials (AWS_PROFILE, --profile, SSO login, or --role-arn)',
      run: async () => {
        caller = await port.callerIdentity();
        if (!caller.arn.startsWith('arn:')) throw new NotAwsAnswer('GetCallerIdentity answered without an ARN');
        return { ok: true, detail: `${caller.arn} (account ${caller.account})` };
      },
    },
    {
      name: 'management account or IAM delegated administrator',
      fix: `run from the management account, or register this account as IAM delegated administrator, from the management account: aws organizations register-delegated-administrator --service-principal ${IAM} --account-id <id> (or delegated_administrator_account_id of the centralize-root-access module)`,
      run: async () => {
        const org = await port.organization();
        management = org.managementAccountId;
        if (org.featureSet !== undefined && org.featureSet !== 'ALL') {
          return { ok: false, detail: `organization ${org.id} has feature set ${org.featureSet}, not ALL` };
        }
        if (caller === undefined) return { ok: false, detail: 'caller unknown' };
        if (caller.account === management) {
          callerKind = 'management';
          return { ok: true, detail: `management account of ${org.id}` };
        }
        const { registered, how } = await registration(port, caller.account);
        callerKind = registered ? 'delegated-admin' : 'neither';
        return registered
          ? {
              ok: true,
              detail: `IAM delegated administrator of ${org.id} (${how}; the management account is ${management})`,
            }
          : {
              ok: false,
              detail: `account ${caller.account} is neither the management account (${management}) nor the IAM delegated administrator of ${org.id} (${how})`,
            };
      },
    },
    {
      name: `trusted access for ${IAM}`,
      fix: `from the management account: runbook enable (or: aws organizations enable-aws-service-access --service-principal ${IAM}; or the centralize-root-access module)`,
      run: async () => {
        const enabled = (await port.serviceAccessPrincipals()).includes(IAM);
        return { ok: enabled, detail: enabled ? 'enabled' : 'not enabled' };
      },
    },
    {
      name: 'organization features RootCredentialsManagement and RootSessions',
      fix: 'from the management account: runbook enable --root-sessions (or: aws iam enable-organizations-root-credentials-management; aws iam enable-organizations-root-sessions)',
      run: async () => {
        const enabled = await port.organizationsFeatures();
        const missing = FEATURES.filter((f) => !enabled.includes(f));
        return { ok: missing.length === 0, detail: missing.length ? `missing: ${missing.join(', ')}` : 'both enabled' };
      },
    },
    {
      name: 'SCPs that deny root keep AssumeRoot sessions working',
      fix: 'add "Null": {"aws:AssumedRoot": "true"} to the Condition of each listed statement (see the scp-guardrails module)',
      run: async () => {
        const problems: string[] = [];
        for (const policy of await port.serviceControlPolicies()) {
          const findings = denyRootWithoutExemption(policy.content);
          if (findings.length === 0) continue;
          const targets = await policy.targets();
          if (targets.length === 0) continue;
          problems.push(
            `${policy.name} (${policy.id}, attached to ${targets.join(', ')}): ${findings.map((f) => `statement ${f.statement} ${f.reason}`).join('; ')}`,
          );
        }
        return {
          ok: problems.length === 0,
          detail: problems.length ? problems.join(' | ') : 'no attached SCP blocks root sessions',
        };
      },
    },
    {
      name: 'dry AssumeRoot (audit task) into a member account',
      fix: 'grant the caller sts:AssumeRoot on arn:aws:iam::<member>:root with sts:TaskPolicyArn for the root-task policies, enable RootSessions, and fix the SCPs above',
      run: async () => {
        // Never the caller's own account: AssumeRoot reaches the other members (and never the management account).
        const exclude = [management, caller?.account].filter((id): id is string => id !== undefined);
        const account = options.account ?? (await port.firstMemberAccount(exclude));
        if (account === undefined) return { ok: false, detail: 'no other ACTIVE member account to try' };
        await port.assumeRootAudit(account);
        return { ok: true, detail: `AssumeRoot into ${account} with IAMAuditRootUserCredentials succeeded` };
      },
    },
  ]);
  return { checks, callerKind };
}

const MARK: Record<CheckStatus, string> = { ok: '✓', failed: '✗', 'not-checked': '–' };

export function checkLines(checks: Check[]): string {
  return (
    checks
      .map(
        (c) =>
          `${MARK[c.status]} ${c.name}: ${c.detail}${c.status !== 'failed' || !c.fix ? '' : `\n    fix: ${c.fix}`}`,
      )
      .join('\n') + '\n'
  );
}
