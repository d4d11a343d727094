/**
 * runbook delete-root-credentials, the run: plan (an audit), confirmation, a durable record of what goes, then the
 * deletes with IAMDeleteRootUserCredentials and a verifying re-read per account. An account whose audit failed is
 * never reported clean; a re-run picks up whatever is still there.
 *
 * The audit trail has the run's intent before the first AWS request, every session before its use, per account
 * a change record right before its first delete (after a re-read proved the credentials are still the planned
 * ones) and an outcome, dry-run and not-confirmed runs included, and the run's outcome.
 */
import { toRunbookError } from '../engine/aws-errors';
import { confirm } from '../engine/confirm';
import { resolveCaller } from '../engine/credentials';
import { ExitCode, RunbookError } from '../engine/errors';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn } from '../engine/tasks';
import { withRun, type Outcome, type TrailRun } from '../engine/trail';
import { sha256 } from '../engine/trail-record';
import { optionalString } from '../engine/validate';
import { runPool } from '../lib/pool';
import { createProgress, type ProgressStream } from '../lib/progress';
import { describeSelection, selectAccounts, type FleetScope } from './accounts';
import { runAudit } from './audit';
import { fleetConnections, fleetPorts } from './aws';
import {
  deleteAccountCredentials,
  parseOnly,
  planFromAudit,
  withPendingMfa,
  type AccountDeletion,
  type AccountPlan,
  type CredentialKind,
  type CredentialSet,
} from './delete';
import { planLine, resultLine } from './delete-report';
import { pendingMfaSerials, writeMfaConfirmation } from './mfa-pending';
import { writeDeletionRecord } from './record';

export interface DeleteParams extends FleetScope {
  /** The kinds of credentials that go (--only; default all four). */
  readonly kinds: CredentialKind[];
}

export function parseDeleteParams(values: Record<string, unknown>, scope: FleetScope): DeleteParams {
  return { ...scope, kinds: parseOnly(optionalString(values, 'only')) };
}

const digest = (set: CredentialSet | null): string | null => (set === null ? null : sha256(JSON.stringify(set)));

type Planned = AccountPlan & { delete: CredentialSet; exists: CredentialSet };

/** Plans, confirms, records, deletes and verifies; prints the plan and the results and returns the exit code. */
export async function deleteRootCredentials(params: DeleteParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { selection, kinds } = params;
  const what = `the root credentials (${kinds.join(', ')}) of ${describeSelection(selection)}`;
  const ended = await withRun(
    settings.auditLog,
    {
      runbook: 'delete-root-credentials',
      parameters: { only: kinds, concurrency: params.concurrency },
      accounts: selection,
      region: settings.region ?? null,
      task: taskPolicyArn(TASKS['delete-credentials']),
      plan: settings.dryRun ? `dry run: plan deleting ${what}` : `delete ${what}`,
      dryRun: settings.dryRun,
    },
    (run) => deleteInRun(params, settings, io, run),
    (end) => ({ outcome: end.outcome, errorCode: end.failed > 0 ? 'AccountsFailed' : null, summary: end.summary }),
  );
  return ended.failed > 0 ? ExitCode.Failed : ExitCode.Ok;
}

interface RunEnd {
  outcome: Outcome;
  failed: number;
  summary: string;
}

async function deleteInRun(params: DeleteParams, settings: RunSettings, io: RunIo, run: TrailRun): Promise<RunEnd> {
  const { selection, concurrency, kinds } = params;
  const caller = await resolveCaller(settings, io.env, io.log, { run, connections: fleetConnections(concurrency) });
  const callerArn = await caller.callerArn();
  const ports = await fleetPorts(caller.session, settings.duration, concurrency, run);
  const text = (line: string) => {
    if (!settings.json) io.stdout.write(`${line}\n`);
  };
  const stderr = io.stderr as ProgressStream;

  const plans: AccountPlan[] = [];
  // MFA devices a crashed run deactivated but did not delete: the audit cannot see them (see mfa-pending.ts).
  const pendingMfa = kinds.includes('mfa') ? pendingMfaSerials(settings.backupDir) : new Map<string, string[]>();
  const auditing = createProgress(stderr, { label: 'plan' });
  try {
    await runAudit({
      ...ports,
      // The plan and the record need credential ids only: no GetAccessKeyLastUsed.
      keyLastUsed: false,
      accounts: selectAccounts(ports.org, selection, { concurrency, refuseManagementAccount: true }),
      concurrency,
      sink: (audit) => {
        auditing.tick(audit.status === 'failed');
        plans.push(withPendingMfa(planFromAudit(audit, kinds), pendingMfa.get(audit.account) ?? []));
      },
    });
  } catch (err) {
    throw toRunbookError(err, { action: 'organizations:ListAccounts', target: 'the organization' });
  } finally {
    auditing.done();
    ports.close();
  }
  const planned = plans.filter((p): p is Planned => p.status === 'delete');
  const auditFailed = plans.filter((p) => p.status === 'failed').length;
  text(`plan (${kinds.join(', ')}):`);
  plans.forEach((plan) => text(`  ${planLine(plan)}`));

  /** One outcome per account that was not skipped: the run's outcome for it, or its deletion's. */
  const recordAccounts = (outcome: Outcome, results: AccountDeletion[] = []): void => {
    const byAccount = new Map(results.map((r) => [r.account, r]));
    for (const plan of plans) {
      if (plan.status === 'skipped') continue;
      const result = byAccount.get(plan.account);
      const each: Outcome =
        plan.status === 'failed'
          ? 'failed'
          : plan.status === 'nothing'
            ? 'unchanged'
            : result
              ? resultOutcome(result)
              : outcome;
      void run.outcome({
        account: plan.account,
        outcome: each,
        resource: 'root user',
        beforeSha256: digest(plan.exists),
        afterSha256: digest(result?.remaining ?? null),
        errorCode: plan.error?.code ?? result?.error?.code ?? (result?.status === 'remaining' ? 'VerifyFailed' : null),
      });
    }
  };

  const finish = (
    status: Outcome,
    results: AccountDeletion[],
    record: string | null,
    error?: { code: string; message: string },
  ): RunEnd => {
    const failed = auditFailed + results.filter((r) => r.status !== 'clean').length;
    const summary =
      status === 'dry-run' || status === 'not-confirmed'
        ? `${planned.length} accounts would change`
        : `${results.filter((r) => r.status === 'clean').length} of ${planned.length} accounts verified clean`;
    const shown: Outcome = failed > 0 && status !== 'dry-run' && status !== 'not-confirmed' ? 'failed' : status;
    if (settings.json) {
      const byAccount = new Map(results.map((r) => [r.account, r]));
      io.stdout.write(
        `${JSON.stringify({
          runbook: 'delete-root-credentials',
          status: shown,
          summary: `${summary}; ${auditFailed} audits failed`,
          only: kinds,
          record,
          accounts: plans.map((plan) => ({ ...plan, result: byAccount.get(plan.account) ?? null })),
          ...(error === undefined ? {} : { error }),
        })}\n`,
      );
    } else {
      results.forEach((result) => text(`  ${resultLine(result)}`));
      text(
        `delete-root-credentials: ${status}: ${summary}; ${auditFailed} audits failed${record ? `; record ${record}` : ''}`,
      );
    }
    return { outcome: shown, failed, summary: `${summary}; ${auditFailed} audits failed` };
  };

  if (settings.dryRun) {
    recordAccounts('dry-run');
    return finish('dry-run', [], null);
  }
  if (planned.length === 0) {
    recordAccounts('unchanged');
    return finish('unchanged', [], null);
  }

  const keys = planned.reduce((n, p) => n + p.delete.accessKeys.length + p.delete.signingCertificates.length, 0);
  try {
    await confirm(
      `Delete root credentials in ${planned.length} account(s), including ${keys} access key(s)/certificate(s) that cannot be restored?`,
      { yes: settings.yes, stdin: io.stdin, stderr: io.stderr },
    );
  } catch (err) {
    recordAccounts('not-confirmed');
    // --json promises one object on stdout whatever happens, as the single-account runbooks print; exit stays 3.
    if (settings.json && err instanceof RunbookError && err.code === 'NotConfirmed') {
      finish('not-confirmed', [], null, { code: err.code, message: err.message });
    }
    throw err;
  }
  const takenAt = new Date().toISOString();
  const record = writeDeletionRecord(settings.backupDir, {
    runbook: 'delete-root-credentials',
    takenAt,
    callerArn,
    only: kinds,
    accounts: planned.map((p) => ({ account: p.account, name: p.name, exists: p.exists, delete: p.delete })),
  });
  io.log(`deletion record written to ${record.path}`);

  const deleting = createProgress(stderr, { label: 'delete', total: planned.length });
  const results: AccountDeletion[] = [];
  const planOf = new Map(planned.map((p) => [p.account, p]));
  const deletePorts = await fleetPorts(caller.session, settings.duration, concurrency, run);
  const beforeDeletes = (account: string): Promise<void> => {
    const plan = planOf.get(account) as Planned;
    return run.change({
      account,
      resource: 'root user',
      action:
        'iam:DeleteLoginProfile, iam:DeleteAccessKey, iam:DeactivateMFADevice, iam:DeleteVirtualMFADevice, iam:DeleteSigningCertificate',
      beforeSha256: digest(plan.exists),
      backup: record.path,
      backupSha256: record.sha256,
      details: { delete: plan.delete },
    });
  };
  try {
    await runPool(planned, (plan) => deleteAccountCredentials({ ...deletePorts, beforeDeletes }, plan, kinds), {
      concurrency,
      order: 'input',
      emit: (result) => {
        deleting.tick(result.status !== 'clean');
        results.push(result);
      },
    });
  } finally {
    deleting.done();
    deletePorts.close();
    recordAccounts('failed', results);
  }
  try {
    const confirmation = writeMfaConfirmation(settings.backupDir, takenAt, results);
    if (confirmation) io.log(`MFA deletion confirmation written to ${confirmation}`);
  } catch (err) {
    // The devices are gone either way; without the confirmation a later run repeats a harmless delete.
    io.stderr.write(`warning: ${(err as Error).message}\n`);
  }
  return finish('changed', results, record.path);
}

function resultOutcome(result: AccountDeletion): Outcome {
  if (result.status === 'clean') return 'changed';
  return result.status === 'changed-since-plan' ? 'changed-since-plan' : 'failed';
}
