/** runbook doctor, the run: the checks of doctor.ts on the caller's own session. */
import { resolveCaller } from '../engine/credentials';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn } from '../engine/tasks';
import { withRun } from '../engine/trail';
import { optionalString, parseAccountId } from '../engine/validate';
import { runDoctor, type Check } from './doctor';
import { orgAdminPorts } from './org-admin';

export interface DoctorParams {
  /** The member account for the dry AssumeRoot; default: the first ACTIVE member. */
  readonly account?: string;
}

export function parseDoctorParams(values: Record<string, unknown>): DoctorParams {
  const account = optionalString(values, 'account');
  return { account: account === undefined ? undefined : parseAccountId(account) };
}

export interface DoctorReport {
  readonly runbook: 'doctor';
  /** Every check passed. */
  readonly ok: boolean;
  readonly checks: Check[];
}

/** Runs the checks; the trail records the caller, the dry AssumeRoot session and whether every check passed. */
export async function diagnose(
  params: DoctorParams,
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
): Promise<DoctorReport> {
  return withRun(
    settings.auditLog,
    {
      runbook: 'doctor',
      parameters: { account: params.account ?? null },
      account: params.account ?? null,
      region: settings.region ?? null,
      task: taskPolicyArn(TASKS.audit),
      plan: `check the caller and the organization, with a dry AssumeRoot (audit task) into ${params.account ?? 'the first ACTIVE member account'}`,
    },
    async (run) => {
      const caller = await resolveCaller(settings, io.env, io.log, { run });
      const ports = await orgAdminPorts(caller, settings.duration, run);
      try {
        const checks = await runDoctor(ports.doctor, params);
        return { runbook: 'doctor' as const, ok: checks.every((c) => c.ok), checks };
      } finally {
        ports.close();
      }
    },
    (report) => ({
      outcome: report.ok ? 'unchanged' : 'failed',
      errorCode: report.ok ? null : 'ChecksFailed',
      summary:
        report.checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join('; ') || 'every check passed',
    }),
  );
}
