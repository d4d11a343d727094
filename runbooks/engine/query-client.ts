/**
 * A lean client for AWS query-protocol APIs (IAM, STS), for the calls a fleet run repeats in every account. The SDK spends
 * about 1 ms of CPU per call on its middleware, schema serde and XML parser; this client signs with the SDK's own
 * SigV4 signer, posts the form on the run's shared keep-alive agent and reads the answer with lib/xml, for about a
 * quarter of that (BENCHMARKS.md, fleet-audit).
 *
 * What it keeps from the SDK: the endpoint, the signing region and name and the user agent are those the SDK client
 * resolves for the same settings (learned once per process by running one command through the SDK up to its signing
 * step, so --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, the config file, FIPS and partitions all agree), the pacing
 * and retry rules (engine/retry.ts), the clock-skew correction, the request timeout and the call log line.
 */
import { createHash, createHmac, type BinaryLike } from 'node:crypto';
import type { Agent, IncomingMessage } from 'node:http';
import type { Checksum, SourceData } from '@smithy/types';
import { child, parseXml, textAt, type XmlElement } from '../lib/xml';
import { Pacer } from '../lib/pacer';
import { THROTTLING_CODES } from './aws-errors';
import { connectionPool, createClient, sdk, type Session, type SessionCredentials } from './clients';
import { apiKey, defaultPacer, paced, type Classified } from './retry';

/** Where and how the SDK would send a call of the service. */
interface QueryTarget {
  protocol: 'http:' | 'https:';
  hostname: string;
  port?: number;
  path: string;
  signingName: string;
  signingRegion: string;
  userAgent: string;
}

/** An error answer, shaped like the SDK's service errors (name = the AWS error code) for the engine's error rules. */
export class QueryError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
  readonly code: string;

  constructor(code: string, message: string, status: number | undefined, requestId: string | undefined) {
    super(message || code);
    this.name = code;
    this.code = code;
    this.$fault = status !== undefined && status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, requestId };
  }
}

export interface QueryCaller {
  /**
   * Sends `action` with `params`, signed with `credentials`, paced and retried like every other AWS call; resolves
   * with the answer's `<action>Result` element (undefined for actions that return nothing).
   */
  call(
    action: string,
    params: Readonly<Record<string, string | undefined>>,
    credentials: SessionCredentials,
  ): Promise<XmlElement | undefined>;
}

/** node:crypto as the signer's hash: the SDK's default in Node does the same through @smithy/hash-node. */
class Sha256 implements Checksum {
  private hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBinary(secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('Sha256.reset is not supported; make a new one');
  }
}

function toBinary(data: SourceData): BinaryLike {
  if (typeof data === 'string' || ArrayBuffer.isView(data)) return data as BinaryLike;
  return new Uint8Array(data);
}

const CAPTURED = 'RunbookEndpointCaptured';

/** The services this client speaks, each with a read-only command to learn the SDK's endpoint from. */
const PROBES = {
  iam: async () => new (await sdk('iam')).GetAccountSummaryCommand({}),
  sts: async () => new (await sdk('sts')).GetCallerIdentityCommand({}),
};
export type QueryService = keyof typeof PROBES;

/**
 * The target the SDK client resolves for `service` with these settings: one command runs through the SDK up to its
 * signing step and is stopped there, so it never reaches the network. Dummy keys: resolving identities is not needed.
 */
async function resolveTarget(service: QueryService, session: Session): Promise<QueryTarget> {
  // Its own pacer, logger and keys: the probe is not a call, and must not count as one.
  const quiet: Session = {
    settings: { ...session.settings, log: () => undefined, pacer: new Pacer() },
    credentials: { accessKeyId: 'endpoint-probe', secretAccessKey: 'endpoint-probe' },
    label: session.label,
  };
  const client = await createClient(service, quiet);
  let target: QueryTarget | undefined;
  (client as unknown as CaptureHost).middlewareStack.addRelativeTo(
    (_next, context) => async (args) => {
      const { request } = args;
      const scheme = context.__smithy_context?.selectedHttpAuthScheme?.httpAuthOption?.signingProperties;
      target = {
        protocol: request.protocol === 'http:' ? 'http:' : 'https:',
        hostname: request.hostname,
        port: request.port,
        path: request.path,
        signingName: scheme?.signing_service ?? scheme?.name ?? service,
        signingRegion: scheme?.signing_region ?? scheme?.region ?? session.settings.region,
        userAgent: request.headers['user-agent'] ?? 'aws-sdk-js',
      };
      throw Object.assign(new Error('endpoint captured'), { name: CAPTURED });
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'runbookEndpointCapture' },
  );
  const probe = await PROBES[service]();
  await (client as unknown as { send(command: unknown): Promise<unknown> }).send(probe).catch((error: unknown) => {
    if ((error as { name?: string }).name !== CAPTURED) throw error;
  });
  if (target === undefined) throw new Error(`could not resolve the ${service} endpoint`);
  return target;
}

interface SigningProps {
  name?: string;
  region?: string;
  signing_region?: string;
  signing_service?: string;
}

/** The parts of an SDK client, its request and its context that the endpoint capture reads. */
interface CaptureHost {
  middlewareStack: {
    addRelativeTo(
      middleware: (
        next: unknown,
        context: {
          __smithy_context?: { selectedHttpAuthScheme?: { httpAuthOption?: { signingProperties?: SigningProps } } };
        },
      ) => (args: {
        request: { protocol: string; hostname: string; port?: number; path: string; headers: Record<string, string> };
      }) => Promise<never>,
      options: { relation: 'before'; toMiddleware: string; name: string },
    ): void;
  };
}

const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const TRANSIENT_CODES = new Set(['RequestTimeout', 'RequestTimeoutException', 'TimeoutError']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Answers that mean the local clock is off; with a skewed Date header they are retried at the server's time. */
const CLOCK_SKEW_CODES = new Set([
  'RequestTimeTooSkewed',
  'RequestExpired',
  'RequestInTheFuture',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'AuthFailure',
]);
const SKEW_TOLERANCE_MS = 4 * 60_000;

function classify(error: unknown): Classified {
  if (error instanceof QueryError) {
    const status = error.$metadata.httpStatusCode ?? 0;
    const hintMs = (error as QueryError & { retryAfterMs?: number }).retryAfterMs;
    if (status === 429 || THROTTLING_CODES.includes(error.name)) return { reason: 'throttled', hintMs };
    if (TRANSIENT_STATUS.has(status) || TRANSIENT_CODES.has(error.name) || (error as SkewMarked).skewCorrected) {
      return { reason: 'transient', hintMs };
    }
    return { reason: undefined, answered: true };
  }
  const code = (error as { code?: string; name?: string }).code ?? (error as { name?: string }).name ?? '';
  return { reason: NETWORK_CODES.has(code) || TRANSIENT_CODES.has(code) ? 'transient' : undefined };
}

interface SkewMarked {
  skewCorrected?: boolean;
}

function retryAfterMs(response: IncomingMessage): number | undefined {
  const value = response.headers['retry-after'];
  if (typeof value !== 'string') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - Date.now();
}

/**
 * The query client for `service` with the caller's settings: built once per run, then one signer per credentials.
 * `version` is the API version the service's query protocol requires (IAM: 2010-05-08, STS: 2011-06-15).
 */
export async function queryClient(
  service: QueryService,
  session: Session,
  version: string,
  options: { pacer?: Pacer } = {},
): Promise<QueryCaller> {
  const [target, pool, { SignatureV4 }] = await Promise.all([
    resolveTarget(service, session),
    connectionPool(session.settings),
    import('@smithy/signature-v4'),
  ]);
  const pacer = options.pacer ?? session.settings.pacer ?? defaultPacer();
  const { request } = await (target.protocol === 'http:' ? import('node:http') : import('node:https'));
  const agent: Agent = target.protocol === 'http:' ? pool.agents.http : pool.agents.https;
  const signers = new WeakMap<SessionCredentials, InstanceType<typeof SignatureV4>>();
  let clockOffsetMs = 0;

  const signerFor = (credentials: SessionCredentials) => {
    let signer = signers.get(credentials);
    if (signer === undefined) {
      signer = new SignatureV4({
        credentials,
        region: target.signingRegion,
        service: target.signingName,
        sha256: Sha256,
        uriEscapePath: true,
      });
      signers.set(credentials, signer);
    }
    return signer;
  };

  const send = async (body: string, credentials: SessionCredentials): Promise<XmlElement> => {
    const host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`;
    const signed = await signerFor(credentials).sign(
      {
        method: 'POST',
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        query: {},
        headers: {
          host,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': target.userAgent,
        },
        body,
      },
      { signingDate: new Date(Date.now() + clockOffsetMs) },
    );
    return new Promise<XmlElement>((resolve, reject) => {
      const req = request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          method: 'POST',
          headers: signed.headers,
          agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            let document: XmlElement;
            try {
              document = parseXml(Buffer.concat(chunks).toString('utf8'));
            } catch (error) {
              return reject(
                new QueryError('InvalidResponse', `unreadable answer: ${(error as Error).message}`, status, ''),
              );
            }
            if (status >= 200 && status < 300) return resolve(document);
            const error = new QueryError(
              textAt(document, 'Error', 'Code') ?? `Http${status}`,
              textAt(document, 'Error', 'Message') ?? '',
              status,
              textAt(document, 'RequestId') ?? textAt(document, 'RequestID'),
            );
            Object.assign(error, { retryAfterMs: retryAfterMs(response) });
            const serverDate = Date.parse(String(response.headers.date ?? ''));
            if (CLOCK_SKEW_CODES.has(error.name) && Number.isFinite(serverDate)) {
              const offset = serverDate - Date.now();
              if (Math.abs(offset - clockOffsetMs) > SKEW_TOLERANCE_MS) {
                clockOffsetMs = offset;
                (error as SkewMarked).skewCorrected = true;
              }
            }
            reject(error);
          });
        },
      );
      // A stalled answer must fail into the retry rules instead of holding the run (as the SDK handler is told).
      req.setTimeout(pool.requestTimeout, () =>
        req.destroy(Object.assign(new Error(`no answer within ${pool.requestTimeout} ms`), { name: 'TimeoutError' })),
      );
      req.on('error', reject);
      req.end(body);
    });
  };

  const log = session.settings.log;
  return {
    async call(action, params, credentials) {
      log(`aws call: ${service}:${action} (${session.label} session)`);
      const form = new URLSearchParams({ Action: action, Version: version });
      for (const [name, value] of Object.entries(params)) if (value !== undefined) form.set(name, value);
      // URLSearchParams writes spaces as +; SigV4 and AWS read the form either way, but the SDK sends %20.
      const body = form.toString().replace(/\+/g, '%20');
      let attempts = 0;
      try {
        const document = await paced(
          pacer,
          apiKey(service, action),
          () => {
            attempts += 1;
            return send(body, credentials);
          },
          classify,
        );
        return child(document, `${action}Result`);
      } catch (error) {
        if (error instanceof QueryError) error.$metadata.attempts = attempts;
        throw error;
      }
    },
  };
}
