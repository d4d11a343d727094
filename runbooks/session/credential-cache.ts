/**
 * The per-user cache behind `runbook credentials --format credential-process`. A profile whose credential_process
 * is runbook runs it on every credential refresh, and botocore refreshes before every request while a session is
 * inside its 15-minute window, which a root session (at most 900 s) always is: without a cache each request took
 * a new root session. The cache hands the current session out again until it nears its end.
 *
 * - Where: `$XDG_RUNTIME_DIR/runbook` (the per-user runtime folder, a tmpfs emptied at logout) when that folder is
 *   this user's and private, else `<tmpdir>/runbook-<uid>`. The folder is 0700 and each file 0600, both checked
 *   on every use (lib/private-files): a folder or file someone else prepared is refused, and nothing is cached.
 * - Keyed by the sha256 of everything that decides which session a call gets: account, task, partition, region,
 *   endpoint, profile, operator role, external id, duration and the caller's own access key id, so another
 *   caller never gets this caller's session.
 * - Each file is removed when its session expires (lib/expire-file), and every run also removes expired ones.
 * - A lock per key (lib/file-lock) makes concurrent calls wait for one AssumeRoot instead of taking one each.
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CALLER_ROLES, type CallerRole } from '../engine/caller-role';
import { removeAtExpiry } from '../lib/expire-file';
import { lockSync, LockTimeout } from '../lib/file-lock';
import { ensurePrivateDir, NotPrivate, readPrivateFile, writePrivateFile } from '../lib/private-files';

export interface CachedSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** When the session was taken: its lifetime decides how close to the end it is still handed out. */
  readonly issued: Date;
  readonly callerArn: string;
  /** The caller's role when the session was taken (an entry written before roles were recorded: unknown). */
  readonly callerRole: CallerRole;
  readonly account: string;
  readonly region: string;
  readonly taskPolicyArn: string;
}

/** The folder of the cache (see above); `env` is the run's environment. */
export function credentialCacheDir(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && isAbsolute(runtime) && isPrivateFolder(runtime)) return join(runtime, 'runbook');
  const tmp = env.TMPDIR !== undefined && isAbsolute(env.TMPDIR) ? env.TMPDIR : tmpdir();
  return join(tmp, `runbook-${process.getuid?.() ?? 'user'}`);
}

/** The XDG spec's own rule for the runtime folder: owned by the user, and only the user has access. */
function isPrivateFolder(dir: string): boolean {
  try {
    const stat = statSync(dir);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The file name stem of a cache entry: the sha256 of the parts, in a fixed order. */
export function cacheKey(parts: readonly (string | undefined)[]): string {
  return createHash('sha256')
    .update(JSON.stringify(['runbook-credential-cache-v1', ...parts.map((p) => p ?? '')]))
    .digest('hex');
}

/** A session is handed out again while it has more than this left: a minute, or a quarter of a short session. */
function reuseMarginMs(session: CachedSession): number {
  return Math.min(60_000, (session.expiration.getTime() - session.issued.getTime()) / 4);
}

function isUsable(session: CachedSession, now: number): boolean {
  return session.expiration.getTime() - now > reuseMarginMs(session);
}

export interface CacheOptions {
  readonly dir: string;
  readonly key: string;
  /** Verbose log (-v). */
  readonly log: (message: string) => void;
  /** Always shown: why the cache was not used. */
  readonly warn: (message: string) => void;
}

/**
 * The cached session for the key when it is still usable (`reused`), else the one `take` returns, stored for the
 * next call. When the cache cannot be used safely, it says why and takes a session without storing it.
 */
export async function throughCache(
  options: CacheOptions,
  take: () => Promise<CachedSession>,
): Promise<{ session: CachedSession; reused: boolean }> {
  const { dir, key, log, warn } = options;
  const file = join(dir, `${key}.json`);
  let release: () => void;
  try {
    ensurePrivateDir(dir);
    removeExpired(dir);
    // Held while AssumeRoot runs (with its retries), so a waiter gets the new session rather than its own.
    release = lockSync(join(dir, `${key}.lock`), { timeoutMs: 60_000, staleMs: 120_000 });
  } catch (error) {
    if (!(error instanceof NotPrivate || error instanceof LockTimeout || isFsError(error))) throw error;
    warn(`not caching the root session: ${(error as Error).message}`);
    return { session: await take(), reused: false };
  }
  try {
    const cached = readEntry(file, warn);
    if (cached !== undefined && isUsable(cached, Date.now())) {
      log(`credential cache: handing out root session ${cached.accessKeyId} again (expires ${iso(cached.expiration)})`);
      return { session: cached, reused: true };
    }
    const session = await take();
    try {
      writePrivateFile(file, serialize(session));
      removeAtExpiry(file, session.expiration);
      log(`credential cache: stored root session ${session.accessKeyId} in ${dir} until ${iso(session.expiration)}`);
    } catch (error) {
      if (!isFsError(error)) throw error;
      warn(`not caching the root session: cannot write ${file}: ${(error as NodeJS.ErrnoException).code}`);
    }
    return { session, reused: false };
  } finally {
    release();
  }
}

const iso = (date: Date) => date.toISOString();

function isFsError(error: unknown): boolean {
  return typeof (error as NodeJS.ErrnoException | null)?.code === 'string';
}

function serialize(s: CachedSession): string {
  return `${JSON.stringify({
    v: 1,
    accessKeyId: s.accessKeyId,
    secretAccessKey: s.secretAccessKey,
    sessionToken: s.sessionToken,
    expiration: iso(s.expiration),
    issued: iso(s.issued),
    callerArn: s.callerArn,
    callerRole: s.callerRole,
    account: s.account,
    region: s.region,
    taskPolicyArn: s.taskPolicyArn,
  })}\n`;
}

const STRING_FIELDS = [
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'callerArn',
  'account',
  'region',
  'taskPolicyArn',
] as const;

/** The entry in `file`, or undefined when there is none or it is unreadable (it is then replaced). */
function readEntry(file: string, warn: (message: string) => void): CachedSession | undefined {
  let text: string | undefined;
  try {
    text = readPrivateFile(file);
  } catch (error) {
    if (!(error instanceof NotPrivate || isFsError(error))) throw error;
    warn(`ignoring the cached session: ${(error as Error).message}`);
    rmSync(file, { force: true });
    return undefined;
  }
  return text === undefined ? undefined : parseEntry(text);
}

function parseEntry(text: string): CachedSession | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || value.v !== 1) return undefined;
  if (!STRING_FIELDS.every((field) => typeof value[field] === 'string' && value[field] !== '')) return undefined;
  const expiration = new Date(String(value.expiration));
  const issued = new Date(String(value.issued));
  if (Number.isNaN(expiration.getTime()) || Number.isNaN(issued.getTime())) return undefined;
  const fields = Object.fromEntries(STRING_FIELDS.map((field) => [field, value[field] as string]));
  const callerRole = CALLER_ROLES.find((role) => role === value.callerRole) ?? 'unknown';
  return { ...(fields as Record<(typeof STRING_FIELDS)[number], string>), callerRole, expiration, issued };
}

function statOrUndefined(path: string): { mtimeMs: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined; // removed meanwhile
  }
}

/** Removes the entries whose session has ended, and temporary files a crashed writer left behind. */
function removeExpired(dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name.endsWith('.tmp')) {
      if (now - (statOrUndefined(path)?.mtimeMs ?? now) > 60_000) rmSync(path, { force: true });
      continue;
    }
    if (!name.endsWith('.json')) continue;
    let entry: CachedSession | undefined;
    try {
      const text = readPrivateFile(path);
      entry = text === undefined ? undefined : parseEntry(text);
    } catch {
      continue; // not ours to judge; readEntry refuses it if it is ever asked for
    }
    if (entry === undefined || entry.expiration.getTime() <= now) rmSync(path, { force: true });
  }
}
