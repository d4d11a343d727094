/**
 * runbook exec, the core: a root session of one member account in a command's environment (the
 * `atmos auth exec` / aws-vault pattern). The command's exit code is passed on, and so is a signal.
 */
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import type { TaskAlias } from '../engine/tasks';
import { optionalString, parseAccountId } from '../engine/validate';
import { childEnv, refuseNesting, requireCommand, runCommand } from './child';
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
  runPartition?: string,
): ExecParams {
  refuseNesting(env);
  const account = parseAccountId(optionalString(values, 'account') ?? '');
  const { task, partition } = parseTask(optionalString(values, 'task'), runPartition);
  requireCommand(command);
  return { account, task, partition, command };
}

export async function execWithRootSession(params: ExecParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { account, task, partition, command } = params;
  const session = await openRootSession(settings, io, 'exec', { account, task, partition });
  const env = childEnv(io.env, session.credentials, {
    region: session.root.settings.region,
    marker: `exec:${account}:${task}`,
  });
  io.log(`running ${command[0]} with root session ${session.root.accessKeyId}`);
  // Recorded before the command runs: a command that never returns still leaves its trace.
  session.record('changed', { task, command: command[0] });
  return runCommand(command, env);
}
