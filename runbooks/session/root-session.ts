/**
 * Root sessions for exec and credentials: caller credentials, then AssumeRoot with the chosen task, and an
 * audit-log line for every session, saying who took which session into which account (its access key id, never
 * its secret). This file is the one place these commands record a session: a new one (`record`) and a cached one
 * handed out again (`recordReusedSession`).
 */
import { assumeRootFrom, type RootSession } from '../engine/assume-root';
import { appendAuditRecord, type Outcome } from '../engine/audit-log';
import type { SessionCredentials } from '../engine/clients';
import { resolveCaller } from '../engine/credentials';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn, type TaskAlias } from '../engine/tasks';

export interface RootSessionRequest {
  readonly account: string;
  readonly task: TaskAlias;
  readonly partition: string;
}

export interface OpenedRootSession {
  callerArn: string;
  root: RootSession;
  credentials: SessionCredentials;
  /** Appends the run to the audit log. */
  record(outcome: Outcome, parameters: Record<string, unknown>, errorCode?: string | null): void;
}

/** One caller, any number of root sessions: exec --server takes a new one as each expires. */
export interface RootSessionSource {
  readonly callerArn: string;
  /** AssumeRoot once more with the caller resolved at the start. */
  take(): Promise<OpenedRootSession>;
}

export async function rootSessionSource(
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
  runbook: string,
  request: RootSessionRequest,
): Promise<RootSessionSource> {
  const caller = await resolveCaller(settings, io.env, io.log);
  const callerArn = await caller.callerArn();
  const take = async (): Promise<OpenedRootSession> => {
    const root = await assumeRootFrom(caller.session, { ...request, duration: settings.duration });
    const credentials = root.credentials as SessionCredentials;
    const started = Date.now();
    return {
      callerArn,
      root,
      credentials,
      record: (outcome, parameters, errorCode = null) =>
        appendAuditRecord(
          settings.auditLog,
          {
            runbook,
            callerArn,
            account: request.account,
            region: root.settings.region,
            taskPolicy: taskPolicyArn(TASKS[request.task], request.partition),
            rootAccessKeyId: root.accessKeyId,
            parameters,
            outcome,
            errorCode,
            durationMs: Date.now() - started,
          },
          [credentials.secretAccessKey, credentials.sessionToken ?? ''],
        ),
    };
  };
  return { callerArn, take };
}

export async function openRootSession(
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
  runbook: string,
  request: RootSessionRequest,
): Promise<OpenedRootSession> {
  return (await rootSessionSource(settings, io, runbook, request)).take();
}

/** The audit line of a session taken earlier and handed out again (credential cache): same key, no new session. */
export function recordReusedSession(
  settings: RunSettings,
  runbook: string,
  session: { callerArn: string; account: string; region: string; taskPolicyArn: string; accessKeyId: string },
  parameters: Record<string, unknown>,
  secrets: readonly string[],
): void {
  appendAuditRecord(
    settings.auditLog,
    {
      runbook,
      callerArn: session.callerArn,
      account: session.account,
      region: session.region,
      taskPolicy: session.taskPolicyArn,
      rootAccessKeyId: session.accessKeyId,
      parameters: { ...parameters, reused: true },
      outcome: 'unchanged',
    },
    secrets,
  );
}
