/**
 * runbook exec, the core: a root session of one member account in a command's environment (the
 * `atmos auth exec` / aws-vault pattern). The command's exit code is passed on, and so is a signal.
 */
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn, type TaskAlias } from '../engine/tasks';
import { withRun } from '../engine/trail';
import { optionalString, parseAccountId } from '../engine/validate';
import { childEnv, commandOutcome, passOn, refuseNesting, requireCommand, runCommand } from './child';
import { openRootSession } from './root-session';
import { parseTask } from './task';

export interface ExecParams {
  readonly account: string;
  readonly task: TaskAlias;
  readonly partition: string;
  /** The command and its arguments (everything after `--`). */
  readonly command: string[];
}

/** Checked in this order, all before any AWS call: not nested, --account, --task, a command to run. */
export function parseExecParams(
  values: Record<string, unknown>,
  command: string[],
  env: NodeJS.ProcessEnv,
): ExecParams {
  refuseNesting(env);
  const account = parseAccountId(optionalString(values, 'account') ?? '');
  const { task, partition } = parseTask(optionalString(values, 'task'));
  requireCommand(command);
  return { account, task, partition, command };
}

/**
 * The run's intent and the root session are on disk before the command starts, so a command that never returns
 * still leaves its trace; the outcome (the command's exit) follows when it ends.
 */
export async function execWithRootSession(params: ExecParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { account, task, partition, command } = params;
  const exit = await withRun(
    settings.auditLog,
    {
      runbook: 'exec',
      parameters: { task, command: command[0] },
      account,
      region: settings.region ?? null,
      task: taskPolicyArn(TASKS[task], partition),
      plan: `run ${command[0]} with a root session (${task}) of ${account}`,
    },
    async (run) => {
      const session = await openRootSession(settings, io, { account, task, partition }, run);
      const env = childEnv(io.env, session.credentials, {
        region: session.root.settings.region,
        marker: `exec:${account}:${task}`,
      });
      io.log(`running ${command[0]} with root session ${session.root.accessKeyId}`);
      return runCommand(command, env);
    },
    commandOutcome,
  );
  return passOn(exit);
}
