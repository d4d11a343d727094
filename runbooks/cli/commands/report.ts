/** runbook report: the organization's centralized root access posture, pass/fail per control (see org/report-run.ts). */
import type { Command } from '../command';

export const command: Command = {
  name: 'report',
  summary: 'posture report: pass/fail per control with CIS and Prowler references (HTML, JSON or JUnit)',
  usage: `Usage: runbook report [--output html|json|junit] [--out <file>] [--alerts-stack-set <name>]

The organization's centralized root access in one view, a verdict per control, each naming the CIS AWS
Foundations Benchmark v7.0 recommendations and the Prowler checks it corresponds to:
  - the RootCredentialsManagement and RootSessions features (CIS 2.1.1);
  - trusted access for iam.amazonaws.com (CIS 2.1.1);
  - an IAM delegated administrator (CIS 2.1.1, 2.1.6);
  - the guardrail SCP (deny the root user, exempt AssumeRoot sessions) on every OU (CIS 2.1.2, 2.7);
  - no attached SCP that blocks AssumeRoot sessions (CIS 2.1.1);
  - no member account with root credentials: the fleet audit, one IAMAuditRootUserCredentials session per
    account (CIS 2.1.1, 2.4);
  - no bucket or queue policy that locks its owner out: the lock-out scan in the run's region (--region), two
    read-only sessions per account (see runbook lockout-scan);
  - root-activity alerts deployed: the root-activity-alerts module's service-managed StackSet exists with stack
    instances (cloudformation:DescribeStackSet, CallAs SELF then DELEGATED_ADMIN) (CIS 5.3, 2.7).
A control whose facts cannot be read fails. The HTML page is one self-contained file (inline CSS and SVG, no
script, no network) with a chart of member accounts by state; JUnit has one testcase per control.

  --output <format>          html (default), json or junit
  --out <file>               write the report to this file (written whole or not at all) instead of stdout
  --alerts-stack-set <name>  the alerts StackSet's name, the module's name variable (default root-activity-alerts)

Exit codes: 0 every control passes, 1 a control fails (or the report could not be made), 2 bad input.`,
  options: {
    output: { type: 'string' },
    out: { type: 'string' },
    'alerts-stack-set': { type: 'string' },
  },
  async run(ctx) {
    // Loaded on first use: `runbook --help` reads every command's usage and needs none of the behaviour.
    const { parseReportParams, postureReport } = await import('../../org/report-run');
    return postureReport(parseReportParams(ctx.values), ctx.settings, ctx);
  },
};
