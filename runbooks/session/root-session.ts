/**
 * One root session for exec and credentials: caller credentials, then AssumeRoot with the chosen task, and one
 * audit-log line saying who took which session into which account (its access key id, never its secret).
 */
import { assumeRootFrom, type RootSession } from '../engine/assume-root';
import { appendAuditRecord, type Outcome } from '../engine/audit-log';
import type { SessionCredentials } from '../engine/clients';
import { resolveCaller } from '../engine/credentials';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn, type TaskAlias } from '../engine/tasks';

export interface OpenedRootSession {
  callerArn: string;
  root: RootSession;
  credentials: SessionCredentials;
  /** Appends the run to the audit log. */
  record(outcome: Outcome, parameters: Record<string, unknown>, errorCode?: string | null): void;
}

export async function openRootSession(
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
  runbook: string,
  request: { account: string; task: TaskAlias; partition: string },
): Promise<OpenedRootSession> {
  const caller = await resolveCaller(settings, io.env, io.log);
  const callerArn = await caller.callerArn();
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
}
