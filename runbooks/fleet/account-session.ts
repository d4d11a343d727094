/**
 * Per-account root sessions for fleet runs. A session lives at most 900 s, and a fleet run may last far longer,
 * so each account gets its own session just before its calls (no session outlives its account), and an
 * ExpiredToken in the middle of an account triggers exactly one re-assume and retry.
 */
import { isExpiredSession } from '../engine/aws-errors';
import type { SessionCredentials } from '../engine/clients';
import type { TaskAlias } from '../engine/tasks';

/** AssumeRoot into `account` with `task`; the engine's assumeRoot fits after binding its caller credentials. */
export type AssumeRootFn = (account: string, task: TaskAlias) => Promise<SessionCredentials>;

/**
 * Runs `use` with a client for `credentials`. The engine's factory builds it on the run's shared keep-alive pool,
 * so a client per account costs no connections of its own and needs no closing.
 */
export async function withClient<T, R>(
  clientFor: (credentials: SessionCredentials) => T | Promise<T>,
  credentials: SessionCredentials,
  use: (client: T) => Promise<R>,
): Promise<R> {
  return use(await clientFor(credentials));
}

/**
 * Runs `work` with a fresh root session for `account`. When the session expires during `work`, it assumes a new
 * one and runs `work` again, once; `work` must therefore be safe to repeat (reads, or deletes that treat
 * NoSuchEntity as done).
 */
export async function withRootSession<T>(
  assumeRoot: AssumeRootFn,
  account: string,
  task: TaskAlias,
  work: (credentials: SessionCredentials) => Promise<T>,
): Promise<T> {
  let credentials = await assumeRoot(account, task);
  try {
    return await work(credentials);
  } catch (error) {
    if (!isExpiredSession(error)) throw error;
    credentials = await assumeRoot(account, task);
    return work(credentials);
  }
}
