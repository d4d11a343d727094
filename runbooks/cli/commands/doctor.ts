/** runbook doctor: is this organization and this caller ready for centralized root access? ✓/✗ with a fix each. */
import type { Command } from '../command';
import { JSON_OPTION } from '../options';
import { resolveCaller } from '../../engine/credentials';
import { ExitCode } from '../../engine/errors';
import { parseAccountId } from '../../engine/validate';
import { checkLines, runDoctor } from '../../org/doctor';
import { str } from '../fleet-options';
import { orgAdminPorts } from '../../org/org-admin';

export const command: Command = {
  name: 'doctor',
  summary: 'check the caller and the organization for centralized root access (✓/✗ with fixes)',
  usage: `Usage: runbook doctor [--account <member id>] [--json]

Checks, each with a fix when it fails:
  - the caller identity;
  - the caller is the management account or the IAM delegated administrator;
  - trusted access for iam.amazonaws.com;
  - the RootCredentialsManagement and RootSessions features;
  - no attached SCP denies the root user without exempting AssumeRoot sessions (aws:AssumedRoot);
  - a dry AssumeRoot with the audit task into a member account (--account, default: the first ACTIVE member).
Exit codes: 0 all checks pass, 1 a check failed, 2 bad input.`,
  options: { ...JSON_OPTION, account: { type: 'string' } },
  async run(ctx) {
    const account = str(ctx.values.account);
    if (account !== undefined) parseAccountId(account);
    const caller = await resolveCaller(ctx.settings, ctx.env, ctx.log);
    const ports = await orgAdminPorts(caller.session, ctx.settings.duration);
    try {
      const checks = await runDoctor(ports.doctor, { account });
      const ok = checks.every((c) => c.ok);
      ctx.stdout.write(
        ctx.settings.json ? `${JSON.stringify({ runbook: 'doctor', ok, checks })}\n` : checkLines(checks),
      );
      return ok ? ExitCode.Ok : ExitCode.Failed;
    } finally {
      ports.close();
    }
  },
};
