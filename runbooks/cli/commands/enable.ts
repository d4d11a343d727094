/**
 * runbook enable: turns on trusted access for IAM and the centralized root access features through the API,
 * for organizations that do not use the modules. Only what is missing is changed; a second run is a no-op.
 */
import type { Command } from '../command';
import { CHANGE_OPTIONS, JSON_OPTION } from '../options';
import { toRunbookError } from '../../engine/aws-errors';
import { confirm } from '../../engine/confirm';
import { resolveCaller } from '../../engine/credentials';
import { ExitCode, RunbookError } from '../../engine/errors';
import { applySteps, missingSteps, readEnableState } from '../../org/enable';
import { orgAdminPorts } from '../../org/org-admin';

export const command: Command = {
  name: 'enable',
  summary: 'enable trusted access for IAM and the root access features (idempotent)',
  usage: `Usage: runbook enable [--root-sessions] [--dry-run] [--yes] [--json]

Enables, when missing and in this order: trusted access for iam.amazonaws.com in AWS Organizations,
RootCredentialsManagement, and with --root-sessions also RootSessions (needed for AssumeRoot).
Run from the management account. Asks for confirmation unless --yes; --dry-run only shows what is missing.

  --root-sessions          also enable RootSessions`,
  options: { ...CHANGE_OPTIONS, ...JSON_OPTION, 'root-sessions': { type: 'boolean' } },
  async run(ctx) {
    const rootSessions = ctx.values['root-sessions'] === true;
    const { settings } = ctx;
    const caller = await resolveCaller(settings, ctx.env, ctx.log);
    const ports = await orgAdminPorts(caller.session, settings.duration);
    const report = (status: string, steps: string[], summary: string) => {
      ctx.stdout.write(
        settings.json
          ? `${JSON.stringify({ runbook: 'enable', status, steps, summary })}\n`
          : `enable: ${status}: ${summary}\n`,
      );
    };
    try {
      const before = await readEnableState(ports.enable).catch((err: unknown) => {
        throw toRunbookError(err, {
          action: 'organizations:ListAWSServiceAccessForOrganization',
          target: 'the organization',
        });
      });
      const steps = missingSteps(before, { rootSessions });
      if (steps.length === 0) {
        report('unchanged', [], 'everything requested is already enabled');
        return ExitCode.Ok;
      }
      if (settings.dryRun) {
        report('dry-run', steps, `would enable ${steps.join(', ')}`);
        return ExitCode.Ok;
      }
      await confirm(`Enable ${steps.join(', ')} for the whole organization?`, {
        yes: settings.yes,
        stdin: ctx.stdin,
        stderr: ctx.stderr,
      });
      await applySteps(ports.enable, steps, ctx.log).catch((err: unknown) => {
        throw toRunbookError(err, { action: 'enable', target: 'the organization' });
      });
      const still = missingSteps(await readEnableState(ports.enable), { rootSessions });
      if (still.length > 0) {
        throw new RunbookError('VerifyFailed', `after enabling, still missing: ${still.join(', ')}`);
      }
      report('changed', steps, `enabled ${steps.join(', ')}`);
      return ExitCode.Ok;
    } finally {
      ports.close();
    }
  },
};
