/**
 * How every AWS call of the process is paced and retried: one Pacer (lib/pacer.ts) per process, one rate per API
 * (`service:Action`), fed by every attempt of every client, so a fleet command that makes thousands of calls follows
 * what AWS accepts, and a throttled API slows only itself.
 *
 * The SDK clients get it as their retry strategy (which decides whether and when to try again) plus a middleware
 * below the SDK's retry loop (which waits for the API's pace before each attempt and reports accepted answers);
 * the engine's lean query client runs the same pacer through `paced()`. Neither has a retry quota: the SDK's
 * standard quota (500 tokens shared by every call of a client, 5 per throttled retry) runs dry across a fleet and
 * then fails calls while the API is still answering.
 */
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { MAX_THROTTLED_ATTEMPTS, Pacer, type Answer, type RetryReason } from '../lib/pacer';

let processPacer: Pacer | undefined;

/** The pacer every client of this process shares unless its settings bring their own (tests do). */
export function defaultPacer(): Pacer {
  processPacer ??= new Pacer();
  return processPacer;
}

/** One line per API that AWS throttled during the run, for the verbose log: how often, and how far it was paced. */
export function pacingReport(pacer: Pacer): string[] {
  return pacer
    .stats()
    .filter((api) => api.throttled > 0)
    .map(
      (api) =>
        `pacing: ${api.key}: ${api.accepted} accepted, ${api.throttled} throttled, ` +
        (api.lowestRate === null ? 'never limited' : `limited down to ${api.lowestRate.toFixed(1)} requests/s`),
    );
}

/** The pacing key of an API. */
export const apiKey = (service: string, action: string): string => `${service}:${action}`;

/** The most attempts one call may make (throttling, while its API still accepts requests). */
export const MAX_CALL_ATTEMPTS = MAX_THROTTLED_ATTEMPTS;

/** The API of each failed attempt, told by the pacing middleware to the retry strategy, which sees only the error. */
const apiOfError = new WeakMap<object, string>();

const retryToken = (count: number, delay: number): RetryToken => ({
  getRetryCount: () => count,
  getRetryDelay: () => delay,
});

/**
 * What an error says about the API's rate: an error answer that is neither throttling nor a fault (NoSuchEntity,
 * AccessDenied) is a request the API accepted and answered; a fault says nothing either way.
 */
function answerOf(errorType: RetryErrorInfo['errorType']): Answer {
  if (errorType === 'THROTTLING') return 'throttled';
  return errorType === 'CLIENT_ERROR' ? 'accepted' : 'failed';
}

function reasonOf(errorType: RetryErrorInfo['errorType']): RetryReason | undefined {
  if (errorType === 'THROTTLING') return 'throttled';
  if (errorType === 'TRANSIENT') return 'transient';
  // SERVER_ERROR (a 5xx the SDK does not call transient, e.g. 501) and CLIENT_ERROR: trying again cannot help.
  return undefined;
}

/**
 * The SDK retry strategy: the SDK classifies the error (throttling, transient, server, client) and sleeps the delay
 * returned here; the pacer decides the delay, and whether there is another attempt at all.
 */
export function pacedRetryStrategy(pacer: Pacer): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => retryToken(0, 0),
    refreshRetryTokenForRetry: async (token, info) => {
      const key = typeof info.error === 'object' && info.error !== null ? apiOfError.get(info.error) : undefined;
      const reason = reasonOf(info.errorType);
      if (key !== undefined) pacer.record(key, answerOf(info.errorType));
      const attempt = token.getRetryCount() + 1;
      const hint = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : undefined;
      const delay = reason === undefined ? undefined : pacer.retryDelay(key ?? 'unknown', reason, attempt, hint);
      // The SDK rethrows the call's own error when this throws; this message is never shown.
      if (delay === undefined) throw new Error('no further attempt');
      return retryToken(attempt, delay);
    },
    recordSuccess: () => undefined,
  };
}

type Next = (args: { request: unknown }) => Promise<unknown>;
interface MiddlewareHost {
  middlewareStack: {
    addRelativeTo(
      middleware: (next: Next, context: { commandName?: string }) => Next,
      options: { relation: 'after'; toMiddleware: string; name: string },
    ): void;
  };
}

/**
 * Puts `pacer` under an SDK client's retry loop: each attempt waits for its API's pace, and its answer feeds it.
 * Attempts after the first are retries, which the pacer lets go first.
 */
export function usePacer(client: unknown, service: string, pacer: Pacer): void {
  const attempted = new WeakSet<object>();
  (client as MiddlewareHost).middlewareStack.addRelativeTo(
    (next, context) => async (args) => {
      const key = apiKey(service, String(context.commandName).replace(/Command$/, ''));
      const request = args.request as object;
      const retry = attempted.has(request);
      attempted.add(request);
      const wait = pacer.acquire(key, retry);
      if (wait) await wait;
      try {
        const output = await next(args);
        pacer.record(key, 'accepted');
        return output;
      } catch (error) {
        if (typeof error === 'object' && error !== null) apiOfError.set(error, key);
        throw error;
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'runbookPacing' },
  );
}

/** How the engine's own clients classify an error: why it may be retried, or whether it is an answer at all. */
export interface Classified {
  /** Throttled or transient: worth another attempt. Undefined: final. */
  reason: RetryReason | undefined;
  /** A final error the server answered (not a network fault): it counts as accepted for the API's rate. */
  answered?: boolean;
  hintMs?: number;
}

/**
 * Runs `attempt` under the pacer for `key` until it succeeds, fails for good, or the pacer says stop: the loop of the
 * engine's own clients, equal to what the SDK strategy above does. `classify` says why an error may be retried.
 */
export async function paced<T>(
  pacer: Pacer,
  key: string,
  attempt: () => Promise<T>,
  classify: (error: unknown) => Classified,
): Promise<T> {
  for (let attempts = 1; ; attempts += 1) {
    const wait = pacer.acquire(key, attempts > 1);
    if (wait) await wait;
    try {
      const result = await attempt();
      pacer.record(key, 'accepted');
      return result;
    } catch (error) {
      const { reason, answered, hintMs } = classify(error);
      pacer.record(key, reason === 'throttled' ? 'throttled' : answered ? 'accepted' : 'failed');
      const delay = reason === undefined ? undefined : pacer.retryDelay(key, reason, attempts, hintMs);
      if (delay === undefined) throw error;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
