/** runbook doctor: is this organization and this caller ready for centralized root access? ✓/✗ with a fix each. */
import type { Command } from '../command';
import { JSON_OPTION } from '../options';
import { ExitCode } from '../../engine/errors';

export const command: Command = {
  name: 'doctor',
  summary: 'check the caller and the organization for centralized root access (✓/✗ with fixes)',
  usage: `Usage: runbook doctor [--account <member id>] [--json]

Checks, each with a fix when it fails:
  - the caller identity;
  - the caller is the management account or the IAM delegated administrator (which one, or neither; for a
    member account its registration for iam.amazonaws.com, not the management account's rights);
  - trusted access for iam.amazonaws.com;
  - the RootCredentialsManagement and RootSessions features;
  - no attached SCP denies the root user without exempting AssumeRoot sessions (aws:AssumedRoot);
  - a dry AssumeRoot with the audit task into a member account (--account, default: the first ACTIVE member
    other than the caller's own).
The first line (JSON: "caller") says what the caller is: management account, IAM delegated administrator,
neither, or unknown.
A root cause (AWS unreachable, an endpoint that is not AWS; no, expired or rejected credentials) is reported once, with its fix, and the
checks it makes impossible are marked "– … not checked" with the reason (JSON: status "not-checked").
Exit codes: 0 all checks pass, 1 a check failed or could not be made, 2 bad input.`,
  options: { ...JSON_OPTION, account: { type: 'string' } },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const [{ checkLines }, { diagnose, parseDoctorParams }, { describeCallerRole }] = await Promise.all([
      import('../../org/doctor'),
      import('../../org/doctor-run'),
      import('../../engine/caller-role'),
    ]);
    const report = await diagnose(parseDoctorParams(ctx.values), ctx.settings, ctx);
    const { arn, kind } = report.caller;
    ctx.stdout.write(
      ctx.settings.json
        ? `${JSON.stringify(report)}\n`
        : `caller ${arn ?? 'unknown'} is ${describeCallerRole(kind)}\n${checkLines(report.checks)}`,
    );
    return report.ok ? ExitCode.Ok : ExitCode.Failed;
  },
};
