/**
 * Root sessions for exec and credentials: caller credentials, then AssumeRoot with the chosen task, both recorded
 * in the run's audit trail (the caller, and each session's access key id, never its secret) before the session is
 * handed to anything. exec --server takes a new session from the same caller as each one expires.
 */
import { assumeRootFrom, type RootSession } from '../engine/assume-root';
import type { CallerRole } from '../engine/caller-role';
import type { SessionCredentials } from '../engine/clients';
import { resolveCaller } from '../engine/credentials';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import type { TaskAlias } from '../engine/tasks';
import type { TrailRun } from '../engine/trail';

export interface RootSessionRequest {
  readonly account: string;
  readonly task: TaskAlias;
  readonly partition: string;
}

export interface OpenedRootSession {
  callerArn: string;
  callerRole: CallerRole;
  root: RootSession;
  credentials: SessionCredentials;
}

/** One caller, any number of root sessions: each `take()` is one AssumeRoot, recorded before it is returned. */
export interface RootSessionSource {
  readonly callerArn: string;
  readonly callerRole: CallerRole;
  take(): Promise<OpenedRootSession>;
}

export async function rootSessionSource(
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
  request: RootSessionRequest,
  run: TrailRun,
): Promise<RootSessionSource> {
  const caller = await resolveCaller(settings, io.env, io.log, { run });
  const callerArn = await caller.callerArn();
  const { role: callerRole } = await caller.callerRole();
  const take = async (): Promise<OpenedRootSession> => {
    const root = await assumeRootFrom(caller.session, { ...request, duration: settings.duration }, run);
    return { callerArn, callerRole, root, credentials: root.credentials as SessionCredentials };
  };
  return { callerArn, callerRole, take };
}

export async function openRootSession(
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
  request: RootSessionRequest,
  run: TrailRun,
): Promise<OpenedRootSession> {
  return (await rootSessionSource(settings, io, request, run)).take();
}
