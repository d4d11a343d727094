/**
 * runbook enable, the run: reads what is enabled, then (confirmed) enables only what is missing, in the order
 * AWS requires, and reads again to verify. A second run changes nothing.
 */
import { toRunbookError } from '../engine/aws-errors';
import { describeCallerRole, type CallerOrganization } from '../engine/caller-role';
import { confirm } from '../engine/confirm';
import { resolveCaller } from '../engine/credentials';
import { RunbookError } from '../engine/errors';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { withRun } from '../engine/trail';
import { sha256 } from '../engine/trail-record';
import { applySteps, missingSteps, readEnableState, type EnableState, type EnableStep } from './enable';
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

const digest = (state: EnableState): string => sha256(JSON.stringify(state));

/**
 * Trusted access and both features are the management account's to change: AWS answers anyone else
 * CallerIsNotManagementAccountException (the IAM delegated administrator) or refuses outright. Refused here,
 * before the first read, when the caller is known to be another account; a caller whose role could not be told
 * goes on, and AWS decides.
 */
function refuseUnlessManagement(callerArn: string, { role, managementAccountId }: CallerOrganization): void {
  if (role !== 'delegated-admin' && role !== 'neither') return;
  const management = managementAccountId ?? 'of the organization';
  throw new RunbookError(
    'CallerIsNotManagementAccount',
    `enable changes the organization's trusted access and features, which only the management account ${management} can do; the caller ${callerArn} is ${describeCallerRole(role)}`,
    {
      hint: `run "runbook enable" with credentials of the management account ${management} (AWS answers CallerIsNotManagementAccountException to anyone else); nothing was changed. "runbook doctor" shows from here what is enabled`,
    },
  );
}

/**
 * The trail has the intent and the caller before the first read, a change record (the steps, the digest of what
 * was enabled before) right before the first switch, and the outcome with the digest of what is enabled after.
 */
export async function enableOrganization(
  params: EnableParams,
  settings: RunSettings,
  io: RunIo,
): Promise<EnableReport> {
  const report = (status: EnableReport['status'], steps: EnableStep[], summary: string): EnableReport => ({
    runbook: 'enable',
    status,
    steps,
    summary,
  });
  let before: EnableState | undefined;
  let after: EnableState | undefined;
  const wanted = `trusted access for IAM and RootCredentialsManagement${params.rootSessions ? ' and RootSessions' : ''}`;
  return withRun(
    settings.auditLog,
    {
      runbook: 'enable',
      parameters: { rootSessions: params.rootSessions },
      account: null,
      region: settings.region ?? null,
      task: null,
      plan: `${settings.dryRun ? 'dry run: show' : 'enable'} what is missing of ${wanted}, for the whole organization`,
      dryRun: settings.dryRun,
    },
    async (run) => {
      const caller = await resolveCaller(settings, io.env, io.log, { run });
      const callerArn = await caller.callerArn();
      refuseUnlessManagement(callerArn, await caller.callerRole());
      const ports = await orgAdminPorts(caller, settings.duration, run);
      try {
        before = await readEnableState(ports.enable).catch((err: unknown) => {
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
        await run.change({
          account: callerArn.split(':')[4] ?? 'unknown',
          resource: 'organization',
          action: steps.join(', '),
          beforeSha256: digest(before),
          backup: null,
          details: { before, steps },
        });
        await applySteps(ports.enable, steps, io.log).catch((err: unknown) => {
          throw toRunbookError(err, { action: 'enable', target: 'the organization' });
        });
        after = await readEnableState(ports.enable);
        const still = missingSteps(after, params);
        if (still.length > 0) {
          throw new RunbookError('VerifyFailed', `after enabling, still missing: ${still.join(', ')}`);
        }
        return report('changed', steps, `enabled ${steps.join(', ')}`);
      } finally {
        ports.close();
      }
    },
    (r) => ({
      outcome: r.status,
      resource: 'organization',
      beforeSha256: before === undefined ? null : digest(before),
      afterSha256: after === undefined ? null : digest(after),
      summary: r.summary,
    }),
    () => ({
      resource: 'organization',
      beforeSha256: before === undefined ? null : digest(before),
      afterSha256: after === undefined ? null : digest(after),
    }),
  );
}
