/**
 * One root session for exec and credentials: caller credentials, then AssumeRoot with the chosen task, both
 * recorded in the run's audit trail (the caller, and the session's access key id, never its secret) before the
 * session is handed to anything.
 */
import { assumeRootFrom, type RootSession } from '../engine/assume-root';
import type { SessionCredentials } from '../engine/clients';
import { resolveCaller } from '../engine/credentials';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import type { TaskAlias } from '../engine/tasks';
import type { TrailRun } from '../engine/trail';

export interface OpenedRootSession {
  callerArn: string;
  root: RootSession;
  credentials: SessionCredentials;
}

export async function openRootSession(
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
  request: { account: string; task: TaskAlias; partition: string },
  run: TrailRun,
): Promise<OpenedRootSession> {
  const caller = await resolveCaller(settings, io.env, io.log, { run });
  const callerArn = await caller.callerArn();
  const root = await assumeRootFrom(caller.session, { ...request, duration: settings.duration }, run);
  return { callerArn, root, credentials: root.credentials as SessionCredentials };
}
