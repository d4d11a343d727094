/**
 * A fault and latency proxy in front of the sandbox, for the reliability suite and the benchmarks.
 *
 * It listens on 127.0.0.1 only and forwards to one fixed target, so it serves nothing but the test that
 * started it, and stop() tears down every socket and timer it holds. Fault decisions are a pure function of
 * (seed, request number), so a sequential client sees the same faults on every run. Quotas (a token bucket per
 * action) answer what exceeds them with the protocol's own throttling error, as AWS's rate limits do.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { classify, type CallIdentity } from './proxy/classify';
import { decideFault, errorAnswer, uniform, type Fault } from './proxy/faults';
import { quotaBuckets, type QuotaOptions } from './proxy/quota';

export interface ProxyOptions {
  target: string;
  latencyMs?: number;
  jitterMs?: number;
  seed?: number;
  faults?: {
    throttle?: number;
    serverError?: number;
    reset?: number;
    slow?: number /* rates 0..1 */;
    slowMs?: number;
    /** At most this many faults in a row for the same request (same call, body and caller); then it passes.
     * Tests that demand a complete result set it below the client's attempt limit, so an unlucky streak
     * cannot exhaust the retries and make the outcome depend on timing. Default: no limit. */
    maxConsecutive?: number;
  };
  /**
   * Rate quotas: a token bucket per action, `rate` tokens a second holding at most `burst` (default: one second's
   * worth). Keys name an action (`AssumeRoot`), a service's action (`sts:AssumeRoot`), or `*` for every other action
   * (each with a bucket of its own). A request that finds its bucket empty is throttled (logged `over-quota`) and
   * takes no token, like AWS's limits.
   */
  quotas?: QuotaOptions;
  /** Called as each request arrives, before its latency: crash tests use it to kill a client at request k. */
  onRequest?: (entry: ProxyLogEntry) => void;
  /**
   * Called after the latency, right before a request is forwarded; the request waits for the promise it returns.
   * Race tests hold a chosen request there while "another administrator" changes the resource.
   */
  hold?: (entry: ProxyLogEntry) => Promise<void> | void;
}

export interface ProxyLogEntry {
  seq: number;
  service: string;
  action: string;
  mutating: boolean;
  outcome: 'passed' | 'throttled' | 'over-quota' | 'server-error' | 'reset' | 'slow';
  status?: number;
  /** The access key id that signed the request (SigV4 Credential=…), when it was signed. */
  accessKeyId?: string;
}

export interface FaultProxy {
  readonly endpoint: string;
  log(): ProxyLogEntry[];
  clearLog(): void;
  stop(): Promise<void>;
}

/** Long enough to outlast any client timeout the tests set, short enough that stop() is never waited on. */
const DEFAULT_SLOW_MS = 30_000;

function validateOptions(options: ProxyOptions): URL {
  const target = new URL(options.target);
  if (target.protocol !== 'http:') throw new Error(`proxy target must be an http:// URL, got ${options.target}`);
  for (const [name, rate] of Object.entries(options.faults ?? {})) {
    if (name !== 'slowMs' && name !== 'maxConsecutive' && (rate === undefined || rate < 0 || rate > 1)) {
      throw new Error(`proxy fault rate ${name} must be within 0..1, got ${rate}`);
    }
  }
  const { throttle = 0, serverError = 0, reset = 0, slow = 0 } = options.faults ?? {};
  if (throttle + serverError + reset + slow > 1) throw new Error('proxy fault rates must sum to at most 1');
  return target;
}

/** The access key id of a SigV4 Authorization header (`Credential=<key>/<date>/…`). */
function signingKey(req: http.IncomingMessage): string | undefined {
  return /Credential=([^/,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
}

function withoutChunking(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const copy = { ...headers };
  delete copy['transfer-encoding'];
  return copy;
}

export async function startFaultProxy(options: ProxyOptions): Promise<FaultProxy> {
  const target = validateOptions(options);
  const quota = quotaBuckets(options.quotas ?? {});
  const seed = options.seed ?? 1;
  const latencyMs = options.latencyMs ?? 0;
  const jitterMs = options.jitterMs ?? 0;
  const slowMs = options.faults?.slowMs ?? DEFAULT_SLOW_MS;
  // Keep-alive upstream: a 10,000-account benchmark makes ~60,000 requests, too many for fresh connections.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const streaks = new Map<string, number>();
  let entries: ProxyLogEntry[] = [];
  let nextSeq = 0;
  let stopped = false;

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (ms <= 0 || stopped) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, entry: ProxyLogEntry): void {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // The Host header stays the proxy's: it is what the client signed, and the sandbox builds URLs
        // (queue URLs) from it, which keeps follow-up calls going through the proxy.
        // The body was read whole, so it goes out with a length, never chunked.
        headers: { ...withoutChunking(req.headers), 'content-length': String(body.length) },
        agent,
      },
      (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      entry.status = 502;
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: upstream failed: ${error.message}`);
    });
    upstream.end(body);
  }

  /** A retry of the same call carries the same method, URL, body and access key id. */
  function limitStreak(req: http.IncomingMessage, body: Buffer, fault: Fault | undefined): Fault | undefined {
    const cap = options.faults?.maxConsecutive;
    if (cap === undefined) return fault;
    const credential = signingKey(req) ?? '';
    const key = createHash('sha1').update(`${req.method} ${req.url} ${credential}\n`).update(body).digest('hex');
    const streak = streaks.get(key) ?? 0;
    if (fault === undefined || streak >= cap) {
      streaks.delete(key);
      return undefined;
    }
    streaks.set(key, streak + 1);
    return fault;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const seq = nextSeq++;
    let call: CallIdentity;
    try {
      call = classify({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
    } catch {
      call = {
        service: 'unknown',
        action: `${req.method} ${req.url}`,
        mutating: req.method !== 'GET',
        protocol: 'query',
      };
    }
    const fault = limitStreak(req, body, decideFault(options.faults ?? {}, seed, seq));
    // The quota is consulted only for requests no fault was drawn for: a request that never reaches the service
    // takes none of its tokens.
    const overQuota = fault === undefined && !quota.take(call.service, call.action);
    const entry: ProxyLogEntry = {
      seq,
      service: call.service,
      action: call.action,
      mutating: call.mutating,
      outcome: overQuota ? 'over-quota' : (fault ?? 'passed'),
      accessKeyId: signingKey(req),
    };
    entries.push(entry);
    options.onRequest?.({ ...entry });
    await wait(latencyMs + (jitterMs > 0 ? Math.round(uniform(seed, seq, 1) * jitterMs) : 0));
    if (stopped) return void req.socket.destroy();
    if (overQuota || fault === 'throttled' || fault === 'server-error') {
      const answer = errorAnswer(call, fault === 'server-error' ? 'server' : 'throttle', seq);
      entry.status = answer.status;
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
      return;
    }
    if (fault === 'reset') {
      // The request never reaches the sandbox: the client sees ECONNRESET and must retry or fail cleanly.
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'slow') {
      await wait(slowMs);
      // A client that timed out has gone; forwarding now would apply a change nobody is waiting for.
      if (stopped || req.socket.destroyed) return void req.socket.destroy();
    }
    if (options.hold !== undefined) {
      await options.hold({ ...entry });
      if (stopped || req.socket.destroyed) return void req.socket.destroy();
    }
    forward(req, res, body, entry);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client destroying its socket mid-request (timeouts, resets) is expected, not a proxy failure.
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    log: () => entries.map((entry) => ({ ...entry })),
    clearLog: () => {
      entries = [];
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}
