/**
 * runbook delete-root-credentials: plan (an audit), confirmation, a durable record of what goes, then the
 * deletes with IAMDeleteRootUserCredentials and a verifying re-read per account. An account whose audit failed
 * is never reported clean; a re-run picks up whatever is still there.
 */
import type { Command } from '../command';
import { JSON_OPTION, CHANGE_OPTIONS, BACKUP_OPTION } from '../options';
import { appendAuditRecord, sha256 } from '../../engine/audit-log';
import { toRunbookError } from '../../engine/aws-errors';
import { confirm } from '../../engine/confirm';
import { resolveCaller } from '../../engine/credentials';
import { ExitCode, RunbookError } from '../../engine/errors';
import { TASKS, taskPolicyArn } from '../../engine/tasks';
import { selectAccounts } from '../../fleet/accounts';
import { runAudit } from '../../fleet/audit';
import { fleetPorts } from '../../fleet/aws';
import {
  deleteAccountCredentials,
  parseOnly,
  planFromAudit,
  withPendingMfa,
  type AccountDeletion,
  type AccountPlan,
} from '../../fleet/delete';
import { planLine, resultLine } from '../../fleet/delete-report';
import { pendingMfaSerials, writeMfaConfirmation } from '../../fleet/mfa-pending';
import { parseFleetOptions, SELECTION_OPTIONS, SELECTION_USAGE, str } from '../fleet-options';
import { runPool } from '../../lib/pool';
import { createProgress } from '../../lib/progress';
import { writeDeletionRecord } from '../../fleet/record';

export const command: Command = {
  name: 'delete-root-credentials',
  summary: 'delete root user credentials (login profile, keys, MFA, certificates) across member accounts',
  usage: `Usage: runbook delete-root-credentials (--accounts <id,id,…> | --ou <ou-id> | --all)
         [--only login-profile,access-keys,mfa,signing-certificates] [--dry-run] [--yes] [--json] [--backup-dir <dir>]

1. Plan: audits each account (IAMAuditRootUserCredentials) and shows what exists and what would go.
2. Asks for confirmation (--yes skips it; without a terminal and without --yes it refuses, exit 3).
3. Writes a record of every credential id about to be deleted to --backup-dir (fsync'd) before deleting.
4. Deletes with IAMDeleteRootUserCredentials: login profile, access keys, MFA (deactivate, then delete the
   virtual device), signing certificates; then re-reads each account to verify nothing (of --only) remains.
Keys and certificates cannot be restored. Re-running is safe: what is already gone counts as done, and a
re-run also deletes an MFA device that a killed run deactivated but did not delete (the audit cannot list it;
its serial is in the record in --backup-dir). --accounts naming the management account is refused (exit 2).

  --only <kinds>           only these kinds (default: all four)
  --dry-run                show the plan and change nothing
  --json                   print one JSON object with the plan and the results

${SELECTION_USAGE}
Exit codes: 0 every planned account verified clean, 1 any account failed (audit or delete) or not clean,
2 bad input, 3 not confirmed.`,
  options: {
    ...SELECTION_OPTIONS,
    ...JSON_OPTION,
    ...CHANGE_OPTIONS,
    ...BACKUP_OPTION,
    only: { type: 'string' },
  },
  async run(ctx) {
    const { selection, concurrency } = parseFleetOptions(ctx.values);
    const kinds = parseOnly(str(ctx.values.only));
    const { settings } = ctx;
    const caller = await resolveCaller(settings, ctx.env, ctx.log);
    const callerArn = await caller.callerArn();
    const ports = await fleetPorts(caller.session, settings.duration, concurrency);
    const text = (line: string) => {
      if (!settings.json) ctx.stdout.write(`${line}\n`);
    };
    const stderr = ctx.stderr as typeof ctx.stderr & { isTTY?: boolean };

    const plans: AccountPlan[] = [];
    // MFA devices a crashed run deactivated but did not delete: the audit cannot see them (see mfa-pending.ts).
    const pendingMfa = kinds.includes('mfa') ? pendingMfaSerials(settings.backupDir) : new Map<string, string[]>();
    const auditing = createProgress(stderr, { label: 'plan' });
    try {
      await runAudit({
        ...ports,
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
        ctx.stdout.write(
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
        { yes: settings.yes, stdin: ctx.stdin, stderr: ctx.stderr },
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
    ctx.log(`deletion record written to ${record}`);

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
            time: new Date().toISOString(),
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
      if (confirmation) ctx.log(`MFA deletion confirmation written to ${confirmation}`);
    } catch (err) {
      // The devices are gone either way; without the confirmation a later run repeats a harmless delete.
      ctx.stderr.write(`warning: ${(err as Error).message}\n`);
    }
    return finish('changed', results, record);
  },
};
