/**
 * The one place SDK clients are built. Every client gets the process's pacing and retries (retry.ts), a request
 * timeout, the endpoint override, and a middleware that logs each command (with -v) as the IAM action it needs, so a
 * user (and the tests) can see exactly which actions a session used. SDK packages (and the HTTP handler)
 * are imported here on first use only: `runbook --help` never loads them.
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Pacer } from '../lib/pacer';
import { defaultPacer, MAX_CALL_ATTEMPTS, pacedRetryStrategy, usePacer } from './retry';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import { endpointOverride } from './endpoints';
import { parseWholeNumber } from './validate';

export interface AwsSettings {
  readonly region: string;
  /** Profile for region and config lookups; its credentials are resolved by the caller's session. */
  readonly profile?: string;
  /** --endpoint-url. Without it the SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. */
  readonly endpointUrl?: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * HTTP connections kept per host, shared by every client built with these settings; the fleet commands size
   * it to their concurrency. Default 50, the SDK's.
   */
  readonly connections?: number;
  /** The per-API pacing every client built with these settings shares. Default: the process's one. */
  readonly pacer?: Pacer;
  /** Verbose logger (stderr); receives one line per AWS command sent. */
  readonly log: (message: string) => void;
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** The static credentials of one temporary session (AssumeRoot, AssumeRole): the SDK's AwsCredentialIdentity shape. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Whose credentials a client carries: shown in the call log and in error messages. */
export type SessionLabel = 'caller' | 'operator' | 'root' | 'hub' | 'spoke';

export interface Session {
  readonly settings: AwsSettings;
  /** Undefined: the SDK's default chain (env, AWS_PROFILE, SSO, credential_process, instance role…). */
  readonly credentials?: Credentials;
  readonly label: SessionLabel;
}

/**
 * The SDK packages, each loaded once per process on first use. A compiled `await import()` is a fresh
 * require + __importStar copy of the whole module on every call, which a fleet run would pay per account.
 */
const SDK_MODULES = {
  sts: () => import('@aws-sdk/client-sts'),
  s3: () => import('@aws-sdk/client-s3'),
  sqs: () => import('@aws-sdk/client-sqs'),
  iam: () => import('@aws-sdk/client-iam'),
  organizations: () => import('@aws-sdk/client-organizations'),
  cloudformation: () => import('@aws-sdk/client-cloudformation'),
};
export type ServiceName = keyof typeof SDK_MODULES;
type SdkModule<S extends ServiceName> = Awaited<ReturnType<(typeof SDK_MODULES)[S]>>;
const loadedModules = new Map<ServiceName, Promise<unknown>>();

/** The SDK package of `service` (commands and clients), loaded on first use and cached. */
export function sdk<S extends ServiceName>(service: S): Promise<SdkModule<S>> {
  let loading = loadedModules.get(service);
  if (loading === undefined) {
    loading = SDK_MODULES[service]();
    loadedModules.set(service, loading);
  }
  return loading as Promise<SdkModule<S>>;
}

interface ClientByService {
  sts: STSClient;
  s3: S3Client;
  sqs: SQSClient;
  iam: IAMClient;
  organizations: OrganizationsClient;
  cloudformation: CloudFormationClient;
}

/** The per-request timeout of every AWS call; the range keeps "10" (meant as seconds) from becoming 10 ms. */
export const HTTP_TIMEOUT = {
  variable: 'RUNBOOK_HTTP_TIMEOUT_MS',
  default: 10_000,
  min: 100,
  max: 600_000,
  why: 'milliseconds: 100 ms to 10 minutes',
} as const;

/** RUNBOOK_HTTP_TIMEOUT_MS, or the default; a value out of its range is bad input (checked before any call). */
export function httpTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = env[HTTP_TIMEOUT.variable];
  if (value === undefined) return HTTP_TIMEOUT.default;
  return parseWholeNumber(value, HTTP_TIMEOUT.variable, HTTP_TIMEOUT, 'milliseconds');
}

/** Connections per host when the settings do not say: the SDK's own default. */
const DEFAULT_CONNECTIONS = 50;

type HttpHandler = InstanceType<typeof import('@smithy/node-http-handler').NodeHttpHandler>;

/** The keep-alive connections of a run: the SDK clients' handler and the engine's own clients share the agents. */
export interface ConnectionPool {
  readonly handler: HttpHandler;
  readonly agents: { readonly http: HttpAgent; readonly https: HttpsAgent };
  readonly requestTimeout: number;
}
const sharedPools = new Map<string, Promise<ConnectionPool>>();

/**
 * One keep-alive connection pool per (connections, timeout), shared by every client this factory builds: a
 * fleet run creates a client per account, and a handler per client would open and close its own connections
 * for every account. Destroying a client must not close connections other accounts are using, so the shared
 * handler ignores destroy(); idle keep-alive sockets are unref'd by node and never hold the process open.
 */
export function connectionPool(settings: AwsSettings): Promise<ConnectionPool> {
  const connections = settings.connections ?? DEFAULT_CONNECTIONS;
  const requestTimeout = httpTimeoutMs(settings.env);
  const key = `${connections}/${requestTimeout}`;
  let pool = sharedPools.get(key);
  if (pool === undefined) {
    pool = Promise.all([import('@smithy/node-http-handler'), import('node:http'), import('node:https')]).then(
      ([{ NodeHttpHandler }, http, https]) => {
        class SharedHandler extends NodeHttpHandler {
          override destroy(): void {
            // shared by every client of the run: see above
          }
        }
        const options = { keepAlive: true, maxSockets: connections };
        const agents = { http: new http.Agent(options), https: new https.Agent(options) };
        // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting: a stalled AWS answer
        // would hold an incident run forever instead of failing into the retry strategy.
        const handler = new SharedHandler({
          requestTimeout,
          throwOnRequestTimeout: true,
          connectionTimeout: 5_000,
          httpAgent: agents.http,
          httpsAgent: agents.https,
        });
        return { handler, agents, requestTimeout };
      },
    );
    sharedPools.set(key, pool);
  }
  return pool;
}

export async function createClient<S extends ServiceName>(service: S, session: Session): Promise<ClientByService[S]> {
  const { settings } = session;
  const pacer = settings.pacer ?? defaultPacer();
  const base = {
    region: settings.region,
    profile: settings.profile,
    credentials: session.credentials,
    endpoint: settings.endpointUrl,
    // No SDK retry mode: adaptive puts one rate limiter on the client (every account shares the STS client) and
    // standard has a retry quota that runs dry across a fleet. The pacer rates each API on its own.
    retryStrategy: pacedRetryStrategy(pacer),
    maxAttempts: MAX_CALL_ATTEMPTS,
    requestHandler: (await connectionPool(settings)).handler,
  };
  let client: ClientByService[ServiceName];
  switch (service) {
    case 'sts': {
      const { STSClient } = await sdk('sts');
      // AssumeRoot exists only on regional STS endpoints; the global endpoint answers InvalidAction.
      client = new STSClient({ ...base, useGlobalEndpoint: false });
      break;
    }
    case 's3': {
      const { S3Client } = await sdk('s3');
      // The S3 unlock task policy has no s3:GetBucketLocation: a bucket in another region is reached by
      // following the 301/400 redirect, which the SDK does when asked to.
      client = new S3Client({
        ...base,
        followRegionRedirects: true,
        // A custom endpoint (sandbox, proxy, VPC endpoint) cannot serve virtual-hosted bucket names.
        forcePathStyle: endpointOverride('S3', settings) !== undefined,
      });
      break;
    }
    case 'sqs': {
      const { SQSClient } = await sdk('sqs');
      // By default the SDK sends each call to the host in its QueueUrl, which is input: a pasted URL could send
      // the root session's signed request (and its token) anywhere. The endpoint comes from the region or the
      // configured override only; SQS routes by the QueueUrl in the body.
      client = new SQSClient({ ...base, useQueueUrlAsEndpoint: false });
      break;
    }
    case 'iam': {
      const { IAMClient } = await sdk('iam');
      client = new IAMClient(base);
      break;
    }
    case 'organizations': {
      const { OrganizationsClient } = await sdk('organizations');
      client = new OrganizationsClient(base);
      break;
    }
    case 'cloudformation': {
      const { CloudFormationClient } = await sdk('cloudformation');
      client = new CloudFormationClient(base);
      break;
    }
    default:
      throw new Error(`no client for ${String(service)}`);
  }
  logCalls(client, service, session.label, settings.log);
  usePacer(client, service, pacer);
  return client as ClientByService[S];
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
