/** runbook doctor, the run: the checks of doctor.ts on the caller's own session. */
import { resolveCaller } from '../engine/credentials';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
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

export async function diagnose(
  params: DoctorParams,
  settings: RunSettings,
  io: Pick<RunIo, 'env' | 'log'>,
): Promise<DoctorReport> {
  const caller = await resolveCaller(settings, io.env, io.log);
  const ports = await orgAdminPorts(caller.session, settings.duration);
  try {
    const checks = await runDoctor(ports.doctor, params);
    return { runbook: 'doctor', ok: checks.every((c) => c.ok), checks };
  } finally {
    ports.close();
  }
}
