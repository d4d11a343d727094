/**
 * runbook spoke exec, the core: hub role, then spoke role, then the command with the spoke role's credentials in
 * its environment. The exit code of the command is passed on.
 */
import { resolveCaller } from '../engine/credentials';
import { badInput } from '../engine/errors';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { withRun } from '../engine/trail';
import { optionalString, partitionOf, runRegion } from '../engine/validate';
import { childEnv, commandOutcome, passOn, refuseNesting, requireCommand, runCommand } from './child';
import { assumeHubThenSpoke, parseSpokeTarget, roleAssumer, type SpokeTarget } from './spoke';

export interface SpokeExecParams {
  readonly target: SpokeTarget;
  /** The command and its arguments (everything after `--`). */
  readonly command: string[];
}

/**
 * Checked in this order, all before any AWS call: the `exec` subcommand, not nested, no --role-arn, the target
 * (flags, then ASSUME_ROLE_* variables), a command to run. --external-id arrives in the settings.
 */
export function parseSpokeExecParams(
  argv: { values: Record<string, unknown>; positionals: string[]; command: string[] },
  settings: Pick<RunSettings, 'roleArn' | 'externalId' | 'region' | 'defaultRegion'>,
  env: NodeJS.ProcessEnv,
): SpokeExecParams {
  const { values, positionals, command } = argv;
  if (positionals.length !== 1 || positionals[0] !== 'exec') {
    throw badInput(
      `unknown spoke subcommand ${JSON.stringify(positionals.join(' '))}: expected "exec"`,
      'usage: runbook spoke exec --hub-account … -- <command>',
    );
  }
  refuseNesting(env);
  if (settings.roleArn !== undefined) {
    throw badInput(
      'spoke exec does not take --role-arn',
      "the hub role is assumed with the caller's own credentials: choose them with --profile",
    );
  }
  const target = parseSpokeTarget(
    {
      hubAccount: optionalString(values, 'hub-account'),
      hubRole: optionalString(values, 'hub-role'),
      spokeAccount: optionalString(values, 'spoke-account'),
      spokeRole: optionalString(values, 'spoke-role'),
      externalId: settings.externalId,
      sessionString: optionalString(values, 'session-name'),
    },
    env,
    partitionOf(runRegion(settings)),
  );
  requireCommand(command);
  return { target, command };
}

/** Intent, the caller, the hub and the spoke session are all on disk before the command starts. */
export async function spokeExec(params: SpokeExecParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { target, command } = params;
  const exit = await withRun(
    settings.auditLog,
    {
      runbook: 'spoke exec',
      parameters: {
        hubAccount: target.hubAccount,
        hubRole: target.hubRole,
        spokeAccount: target.spokeAccount,
        spokeRole: target.spokeRole,
        sessionName: target.sessionName,
        command: command[0],
      },
      account: target.spokeAccount,
      region: settings.region ?? null,
      task: null,
      plan: `run ${command[0]} as ${target.spokeRole} in ${target.spokeAccount} through ${target.hubRole} in ${target.hubAccount}`,
    },
    async (run) => {
      const caller = await resolveCaller(settings, io.env, io.log, { run });
      await caller.callerArn();
      run.assertWritable();
      const { spoke } = await assumeHubThenSpoke(
        await roleAssumer(caller.session),
        target,
        settings.duration,
        (kind, input, session) =>
          run.session(
            {
              kind,
              account: kind === 'hub' ? target.hubAccount : target.spokeAccount,
              region: caller.session.settings.region,
              accessKeyId: session.accessKeyId,
              expiration: session.expiration ?? null,
              roleArn: input.RoleArn,
              sessionName: input.RoleSessionName,
            },
            [session.secretAccessKey, session.sessionToken],
          ),
      );
      const env = childEnv(io.env, spoke, {
        region: caller.session.settings.region,
        marker: `spoke:${target.spokeAccount}:${target.spokeRole}`,
      });
      return runCommand(command, env);
    },
    commandOutcome,
  );
  return passOn(exit);
}
