/**
 * runbook enable: turns on trusted access for IAM and the centralized root access features through the API,
 * for organizations that do not use the modules (see org/enable-run.ts).
 */
import type { Command } from '../command';
import { CHANGE_OPTIONS, JSON_OPTION } from '../options';
import { ExitCode } from '../../engine/errors';

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
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { enableOrganization, parseEnableParams } = await import('../../org/enable-run');
    const report = await enableOrganization(parseEnableParams(ctx.values), ctx.settings, ctx);
    ctx.stdout.write(
      ctx.settings.json ? `${JSON.stringify(report)}\n` : `enable: ${report.status}: ${report.summary}\n`,
    );
    return ExitCode.Ok;
  },
};
