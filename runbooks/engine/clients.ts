/**
 * The one place SDK clients are built. Every client gets adaptive retries, a request timeout, the
 * endpoint override, and a middleware that logs each command (with -v) as the IAM action it needs, so a
 * user (and the tests) can see exactly which actions a session used. SDK packages are imported here on
 * first use only: `runbook --help` never loads them.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';

export interface AwsSettings {
  readonly region: string;
  /** Profile for region and config lookups; its credentials are resolved by the caller's session. */
  readonly profile?: string;
  /** --endpoint-url. Without it the SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. */
  readonly endpointUrl?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Verbose logger (stderr); receives one line per AWS command sent. */
  readonly log: (message: string) => void;
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Whose credentials a client carries: shown in the call log and in error messages. */
export type SessionLabel = 'caller' | 'operator' | 'root' | 'hub' | 'spoke';

export interface Session {
  readonly settings: AwsSettings;
  /** Undefined: the SDK's default chain (env, AWS_PROFILE, SSO, credential_process, instance role…). */
  readonly credentials?: Credentials;
  readonly label: SessionLabel;
}

interface ClientByService {
  sts: STSClient;
  s3: S3Client;
  sqs: SQSClient;
  iam: IAMClient;
  organizations: OrganizationsClient;
}
export type ServiceName = keyof ClientByService;

/** Attempts per call, throttling included, before a call fails with Throttled. */
export const MAX_ATTEMPTS = 8;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export async function createClient<S extends ServiceName>(service: S, session: Session): Promise<ClientByService[S]> {
  const { settings } = session;
  const base = {
    region: settings.region,
    profile: settings.profile,
    credentials: session.credentials,
    endpoint: settings.endpointUrl,
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { requestTimeout: requestTimeoutMs(settings.env), connectionTimeout: 5_000 },
  };
  let client: ClientByService[ServiceName];
  switch (service) {
    case 'sts': {
      const { STSClient } = await import('@aws-sdk/client-sts');
      // AssumeRoot exists only on regional STS endpoints; the global endpoint answers InvalidAction.
      client = new STSClient({ ...base, useGlobalEndpoint: false });
      break;
    }
    case 's3': {
      const { S3Client } = await import('@aws-sdk/client-s3');
      // The S3 unlock task policy has no s3:GetBucketLocation: a bucket in another region is reached by
      // following the 301/400 redirect, which the SDK does when asked to.
      client = new S3Client({
        ...base,
        followRegionRedirects: true,
        forcePathStyle: hasEndpointOverride(settings, 'S3'),
      });
      break;
    }
    case 'sqs': {
      const { SQSClient } = await import('@aws-sdk/client-sqs');
      // The SDK normally sends a call to the host in its QueueUrl; with an endpoint override that host may be
      // the real AWS (or a sandbox port behind a proxy), so the override must win.
      client = new SQSClient({ ...base, useQueueUrlAsEndpoint: !hasEndpointOverride(settings, 'SQS') });
      break;
    }
    case 'iam': {
      const { IAMClient } = await import('@aws-sdk/client-iam');
      client = new IAMClient(base);
      break;
    }
    case 'organizations': {
      const { OrganizationsClient } = await import('@aws-sdk/client-organizations');
      client = new OrganizationsClient(base);
      break;
    }
    default:
      throw new Error(`no client for ${String(service)}`);
  }
  logCalls(client, service, session.label, settings.log);
  return client as ClientByService[S];
}

/** A custom endpoint (sandbox, proxy, VPC endpoint) cannot serve virtual-hosted bucket names. */
function hasEndpointOverride(settings: AwsSettings, service: string): boolean {
  return Boolean(settings.endpointUrl ?? settings.env[`AWS_ENDPOINT_URL_${service}`] ?? settings.env.AWS_ENDPOINT_URL);
}

function requestTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env.RUNBOOK_HTTP_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_REQUEST_TIMEOUT_MS;
}

type Handler = (args: unknown) => Promise<unknown>;
interface MiddlewareHost {
  middlewareStack: {
    add(
      middleware: (next: Handler, context: { commandName?: string }) => Handler,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * Logs `aws call: <service>:<Action> (<label> session)` once per command, above the retry layer, so the
 * line names the IAM action the command needs, not each HTTP attempt.
 */
function logCalls(client: unknown, service: ServiceName, label: SessionLabel, log: (message: string) => void): void {
  (client as MiddlewareHost).middlewareStack.add(
    (next, context) => async (args) => {
      log(`aws call: ${service}:${String(context.commandName).replace(/Command$/, '')} (${label} session)`);
      return next(args);
    },
    { step: 'initialize', name: 'runbookCallLog' },
  );
}
