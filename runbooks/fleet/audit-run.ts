/**
 * runbook audit, the run: the root credentials of every selected member account, streamed to stdout as a table,
 * JSON or CSV while progress goes to stderr. CIS 2.1.1-style evidence: with failOnFindings the exit code is 1
 * while any account still has root credentials. A failed account is reported in its row and also makes the exit
 * code 1: unknown is not clean.
 */
import { toRunbookError } from '../engine/aws-errors';
import { resolveCaller } from '../engine/credentials';
import { ExitCode } from '../engine/errors';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn } from '../engine/tasks';
import { withRun } from '../engine/trail';
import { badValue, optionalString } from '../engine/validate';
import { describeSelection, selectAccounts, type FleetScope } from './accounts';
import { auditOutcome, runAudit, type AuditTotals } from './audit';
import { fleetConnections, fleetPorts } from './aws';
import { AUDIT_FORMATS, auditRenderer, rowsProgress, streamWrite, type AuditFormat } from './report';

export interface AuditParams extends FleetScope {
  readonly output: AuditFormat;
  readonly failOnFindings: boolean;
}

export function parseAuditParams(values: Record<string, unknown>, scope: FleetScope): AuditParams {
  const output = optionalString(values, 'output') ?? 'table';
  if (!(AUDIT_FORMATS as readonly string[]).includes(output)) {
    throw badValue('--output', output, AUDIT_FORMATS.join(', '));
  }
  return { ...scope, output: output as AuditFormat, failOnFindings: values['fail-on-findings'] === true };
}

/**
 * Audits the fleet, streaming each row as it is done; ends with the counts on stderr and returns the exit code.
 * The trail gets the run's intent first, every root session before it is used, one outcome per account audited
 * (or failed) and the run's outcome with the counts.
 */
export async function auditFleet(params: AuditParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { selection, concurrency } = params;
  const totals = await withRun(
    settings.auditLog,
    {
      runbook: 'audit',
      parameters: { output: params.output, failOnFindings: params.failOnFindings, concurrency },
      accounts: selection,
      region: settings.region ?? null,
      task: taskPolicyArn(TASKS.audit),
      plan: `audit the root credentials of ${describeSelection(selection)}`,
    },
    async (run) => {
      const caller = await resolveCaller(settings, io.env, io.log, { run, connections: fleetConnections(concurrency) });
      await caller.callerArn();
      const ports = await fleetPorts(caller, settings.duration, concurrency, run);
      const renderer = auditRenderer(params.output, streamWrite(io.stdout));
      const progress = rowsProgress(io, 'audit');
      let counted: AuditTotals;
      try {
        counted = await runAudit({
          ...ports,
          accounts: selectAccounts(ports.org, selection, { concurrency }),
          concurrency,
          sink: (audit) => {
            progress.tick(audit.status === 'failed');
            // Not awaited: the run's outcome waits for it, and rows keep streaming meanwhile.
            if (audit.status !== 'skipped') void run.outcome(auditOutcome(audit));
            return renderer.row(audit);
          },
        });
      } catch (err) {
        throw toRunbookError(err, { action: 'organizations:ListAccounts', target: 'the organization' });
      } finally {
        progress.done();
        ports.close();
      }
      await renderer.end();
      return counted;
    },
    (counted) => ({
      outcome: counted.failed > 0 ? 'failed' : 'unchanged',
      errorCode: counted.failed > 0 ? 'AccountsFailed' : null,
      summary: summaryLine(counted),
      details: { ...counted },
    }),
  );
  io.stderr.write(`audit: ${summaryLine(totals)}\n`);
  const findings = params.failOnFindings && totals.withRootCredentials > 0;
  return totals.failed > 0 || findings ? ExitCode.Failed : ExitCode.Ok;
}

function summaryLine(totals: AuditTotals): string {
  return (
    `${totals.accounts} accounts: ${totals.withRootCredentials} with root credentials, ` +
    `${totals.audited - totals.withRootCredentials} clean, ${totals.skipped} skipped, ${totals.failed} failed`
  );
}
