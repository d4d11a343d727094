/**
 * runbook exec, the core: a root session of one member account in a command's environment (the
 * `atmos auth exec` / aws-vault pattern). The command's exit code is passed on, and so is a signal.
 *
 * With --server the command gets no keys in its environment but a local container credentials endpoint
 * (credential-server.ts), and a new root session is taken before each one ends, so the command can run for
 * longer than the 15 minutes one root session lasts.
 */
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn, type TaskAlias } from '../engine/tasks';
import { withRun, type TrailRun } from '../engine/trail';
import { optionalString, parseAccountId } from '../engine/validate';
import { Renewing } from '../lib/renewing';
import type { ChildExit } from '../lib/child-process';
import { childEnv, commandOutcome, passOn, refuseNesting, requireCommand, runCommand, serverChildEnv } from './child';
import { serveCredentials } from './credential-server';
import { openRootSession, rootSessionSource, type OpenedRootSession, type RootSessionRequest } from './root-session';
import { parseTask } from './task';

export interface ExecParams {
  readonly account: string;
  readonly task: TaskAlias;
  readonly partition: string;
  /** The command and its arguments (everything after `--`). */
  readonly command: string[];
  /** Serve the credentials from a local endpoint and renew the root session as it ends. */
  readonly server: boolean;
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
  return { account, task, partition, command, server: values.server === true };
}

/**
 * The run's intent and the root session are on disk before the command starts, so a command that never returns
 * still leaves its trace; the outcome (the command's exit) follows when it ends.
 */
export async function execWithRootSession(params: ExecParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { account, task, partition, command, server } = params;
  const exit = await withRun(
    settings.auditLog,
    {
      runbook: 'exec',
      parameters: { task, command: command[0], server },
      account,
      region: settings.region ?? null,
      task: taskPolicyArn(TASKS[task], partition),
      plan: `run ${command[0]} with ${server ? 'renewed root sessions' : 'a root session'} (${task}) of ${account}`,
    },
    async (run) => {
      if (server) return execWithServer(params, settings, io, run);
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

async function execWithServer(params: ExecParams, settings: RunSettings, io: RunIo, run: TrailRun): Promise<ChildExit> {
  const { account, task, partition, command } = params;
  const request: RootSessionRequest = { account, task, partition };
  const source = await rootSessionSource(settings, io, request, run);
  let taken = 0;
  // Every session is in the trail as soon as it is taken (assumeRoot records it), before the endpoint hands it out.
  const take = async (): Promise<OpenedRootSession> => {
    const session = await source.take();
    taken += 1;
    io.log(`root session ${taken}: ${session.root.accessKeyId}, until ${session.root.expiration?.toISOString()}`);
    return session;
  };
  const first = await take();
  const sessions = new Renewing(asExpiring(first, settings), {
    renew: async () => asExpiring(await take(), settings),
    onError: (error) =>
      io.stderr.write(`warning: could not renew the root session: ${(error as Error).message}; retrying\n`),
  });
  try {
    const server = await serveCredentials(async () => (await sessions.current()).credentials, io.log);
    try {
      const env = serverChildEnv(io.env, server, {
        region: first.root.settings.region,
        marker: `exec:${account}:${task}`,
      });
      io.log(`running ${command[0]} with root sessions served at ${server.url}`);
      return await runCommand(command, env);
    } finally {
      await server.close();
    }
  } finally {
    sessions.stop();
  }
}

/** The session with the expiration Renewing plans by (AssumeRoot always answers with one). */
function asExpiring(session: OpenedRootSession, settings: RunSettings) {
  const expiration = session.credentials.expiration ?? new Date(Date.now() + settings.duration * 1000);
  return { expiration, credentials: { ...session.credentials, expiration } };
}
