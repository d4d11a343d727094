/** runbook doctor, the run: the checks of doctor.ts on the caller's own session. */
import type { CallerRole } from '../engine/caller-role';
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
  /** The caller: its ARN and account, and what it is to the organization (management, delegated-admin, neither). */
  readonly caller: { readonly arn: string | null; readonly account: string | null; readonly kind: CallerRole };
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
        const { checks, callerKind } = await runDoctor(ports.doctor, params);
        const arn = await caller.callerArn().catch(() => null);
        return {
          runbook: 'doctor' as const,
          ok: checks.every((c) => c.ok),
          caller: { arn, account: arn?.split(':')[4] ?? null, kind: callerKind },
          checks,
        };
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
