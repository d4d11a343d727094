/**
 * runbook enable, the run: reads what is enabled, then (confirmed) enables only what is missing, in the order
 * AWS requires, and reads again to verify. A second run changes nothing.
 */
import { toRunbookError } from '../engine/aws-errors';
import { confirm } from '../engine/confirm';
import { resolveCaller } from '../engine/credentials';
import { RunbookError } from '../engine/errors';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { applySteps, missingSteps, readEnableState, type EnableStep } from './enable';
import { orgAdminPorts } from './org-admin';

export interface EnableParams {
  /** Also enable RootSessions (needed for AssumeRoot). */
  readonly rootSessions: boolean;
}

export function parseEnableParams(values: Record<string, unknown>): EnableParams {
  return { rootSessions: values['root-sessions'] === true };
}

export interface EnableReport {
  readonly runbook: 'enable';
  readonly status: 'unchanged' | 'dry-run' | 'changed';
  readonly steps: EnableStep[];
  readonly summary: string;
}

export async function enableOrganization(
  params: EnableParams,
  settings: RunSettings,
  io: RunIo,
): Promise<EnableReport> {
  const caller = await resolveCaller(settings, io.env, io.log);
  const ports = await orgAdminPorts(caller.session, settings.duration);
  const report = (status: EnableReport['status'], steps: EnableStep[], summary: string): EnableReport => ({
    runbook: 'enable',
    status,
    steps,
    summary,
  });
  try {
    const before = await readEnableState(ports.enable).catch((err: unknown) => {
      throw toRunbookError(err, {
        action: 'organizations:ListAWSServiceAccessForOrganization',
        target: 'the organization',
      });
    });
    const steps = missingSteps(before, params);
    if (steps.length === 0) return report('unchanged', [], 'everything requested is already enabled');
    if (settings.dryRun) return report('dry-run', steps, `would enable ${steps.join(', ')}`);
    await confirm(`Enable ${steps.join(', ')} for the whole organization?`, {
      yes: settings.yes,
      stdin: io.stdin,
      stderr: io.stderr,
    });
    await applySteps(ports.enable, steps, io.log).catch((err: unknown) => {
      throw toRunbookError(err, { action: 'enable', target: 'the organization' });
    });
    const still = missingSteps(await readEnableState(ports.enable), params);
    if (still.length > 0) {
      throw new RunbookError('VerifyFailed', `after enabling, still missing: ${still.join(', ')}`);
    }
    return report('changed', steps, `enabled ${steps.join(', ')}`);
  } finally {
    ports.close();
  }
}
