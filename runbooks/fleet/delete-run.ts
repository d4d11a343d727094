/**
 * runbook delete-root-credentials, the run: plan (an audit), confirmation, a durable record of what goes, then the
 * deletes with IAMDeleteRootUserCredentials and a verifying re-read per account, each account's outcome in the
 * audit log. An account whose audit failed is never reported clean; a re-run picks up whatever is still there.
 */
import { appendAuditRecord, sha256 } from '../engine/audit-log';
import { toRunbookError } from '../engine/aws-errors';
import { confirm } from '../engine/confirm';
import { resolveCaller } from '../engine/credentials';
import { ExitCode, RunbookError } from '../engine/errors';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn } from '../engine/tasks';
import { optionalString } from '../engine/validate';
import { runPool } from '../lib/pool';
import { createProgress, type ProgressStream } from '../lib/progress';
import { selectAccounts, type FleetScope } from './accounts';
import { runAudit } from './audit';
import { fleetPorts } from './aws';
import {
  deleteAccountCredentials,
  parseOnly,
  planFromAudit,
  withPendingMfa,
  type AccountDeletion,
  type AccountPlan,
  type CredentialKind,
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

/** Plans, confirms, records, deletes and verifies; prints the plan and the results and returns the exit code. */
export async function deleteRootCredentials(params: DeleteParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { selection, concurrency, kinds } = params;
  const caller = await resolveCaller(settings, io.env, io.log);
  const callerArn = await caller.callerArn();
  const ports = await fleetPorts(caller.session, settings.duration, concurrency);
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
  const planned = plans.filter(
    (p): p is AccountPlan & { delete: NonNullable<AccountPlan['delete']> } => p.status === 'delete',
  );
  const auditFailed = plans.filter((p) => p.status === 'failed').length;
  text(`plan (${kinds.join(', ')}):`);
  plans.forEach((plan) => text(`  ${planLine(plan)}`));

  const finish = (
    status: string,
    results: AccountDeletion[],
    record: string | null,
    error?: { code: string; message: string },
  ): number => {
    const failed = auditFailed + results.filter((r) => r.status !== 'clean').length;
    const summary =
      status === 'dry-run' || status === 'not-confirmed'
        ? `${planned.length} accounts would change`
        : `${results.filter((r) => r.status === 'clean').length} of ${planned.length} accounts verified clean`;
    if (settings.json) {
      const byAccount = new Map(results.map((r) => [r.account, r]));
      io.stdout.write(
        `${JSON.stringify({
          runbook: 'delete-root-credentials',
          status: failed > 0 && status !== 'dry-run' && status !== 'not-confirmed' ? 'failed' : status,
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
    return failed > 0 ? ExitCode.Failed : ExitCode.Ok;
  };

  if (settings.dryRun) return finish('dry-run', [], null);
  if (planned.length === 0) return finish('unchanged', [], null);

  const keys = planned.reduce((n, p) => n + p.delete.accessKeys.length + p.delete.signingCertificates.length, 0);
  try {
    await confirm(
      `Delete root credentials in ${planned.length} account(s), including ${keys} access key(s)/certificate(s) that cannot be restored?`,
      { yes: settings.yes, stdin: io.stdin, stderr: io.stderr },
    );
  } catch (err) {
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
  io.log(`deletion record written to ${record}`);

  const deleting = createProgress(stderr, { label: 'delete', total: planned.length });
  const results: AccountDeletion[] = [];
  const planOf = new Map(planned.map((p) => [p.account, p]));
  const deletePorts = await fleetPorts(caller.session, settings.duration, concurrency);
  try {
    await runPool(planned, (plan) => deleteAccountCredentials(deletePorts, plan, kinds), {
      concurrency,
      order: 'input',
      emit: (result) => {
        deleting.tick(result.status !== 'clean');
        results.push(result);
        appendAuditRecord(settings.auditLog, {
          runbook: 'delete-root-credentials',
          callerArn,
          account: result.account,
          region: caller.session.settings.region,
          taskPolicy: taskPolicyArn(TASKS['delete-credentials']),
          rootAccessKeyId: result.rootAccessKeyId,
          parameters: { only: kinds, delete: planOf.get(result.account)?.delete },
          beforeSha256: sha256(JSON.stringify(planOf.get(result.account)?.exists ?? null)),
          afterSha256: result.remaining ? sha256(JSON.stringify(result.remaining)) : null,
          backup: record,
          outcome: result.status === 'clean' ? 'changed' : 'failed',
          errorCode: result.error?.code ?? (result.status === 'remaining' ? 'VerifyFailed' : null),
        });
      },
    });
  } finally {
    deleting.done();
    deletePorts.close();
  }
  try {
    const confirmation = writeMfaConfirmation(settings.backupDir, takenAt, results);
    if (confirmation) io.log(`MFA deletion confirmation written to ${confirmation}`);
  } catch (err) {
    // The devices are gone either way; without the confirmation a later run repeats a harmless delete.
    io.stderr.write(`warning: ${(err as Error).message}\n`);
  }
  return finish('changed', results, record);
}
