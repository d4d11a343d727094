/**
 * runbook credentials, the core: a root session's credentials, for eval, for tools that read JSON, or as a
 * credential_process. Printing them is the command's whole purpose, so stdout is the one place they go;
 * nothing about them reaches stderr, -v or the audit log beyond the access key id.
 */
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn, type TaskAlias } from '../engine/tasks';
import { withRun } from '../engine/trail';
import { badValue, optionalString, parseAccountId } from '../engine/validate';
import { CREDENTIAL_FORMATS, formatCredentials, type CredentialFormat } from './credential-format';
import { openRootSession } from './root-session';
import { parseTask } from './task';

export interface CredentialsParams {
  readonly account: string;
  readonly task: TaskAlias;
  readonly partition: string;
  readonly format: CredentialFormat;
}

export function parseCredentialsParams(values: Record<string, unknown>): CredentialsParams {
  const account = parseAccountId(optionalString(values, 'account') ?? '');
  const { task, partition } = parseTask(optionalString(values, 'task'));
  const format = optionalString(values, 'format') ?? 'env';
  if (!(CREDENTIAL_FORMATS as readonly string[]).includes(format)) {
    throw badValue('--format', format, CREDENTIAL_FORMATS.join(', '));
  }
  return { account, task, partition, format: format as CredentialFormat };
}

/** Takes the session (recorded before it is handed out) and returns the text to print. */
export async function issueCredentials(
  params: CredentialsParams,
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
): Promise<string> {
  const { account, task, partition, format } = params;
  return withRun(
    settings.auditLog,
    {
      runbook: 'credentials',
      parameters: { task, format },
      account,
      region: settings.region ?? null,
      task: taskPolicyArn(TASKS[task], partition),
      plan: `hand out root session credentials (${task}) of ${account} as ${format}`,
    },
    async (run) => {
      const session = await openRootSession(settings, io, { account, task, partition }, run);
      return formatCredentials(format, session.credentials, {
        account,
        region: session.root.settings.region,
        taskPolicyArn: session.root.taskPolicyArn,
      });
    },
    () => ({ outcome: 'unchanged' }),
  );
}
