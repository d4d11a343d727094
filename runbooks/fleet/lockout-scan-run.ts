/**
 * runbook lockout-scan, the run: every bucket and queue policy of the selected member accounts judged by the
 * lock-out rule, rows streamed to stdout as table, JSON or CSV while progress goes to stderr. Exit 1 when anything
 * could not be scanned (unknown is not clean), and with --fail-on-findings when a lock-out was found.
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
import { fleetConnections, fleetPorts } from './aws';
import { lockoutRenderer } from './lockout-report';
import { accountOutcome, runLockoutScan, type ScanTotals } from './lockout-scan';
import { parseRegionChoice, resolveRegions, type RegionChoice } from './regions';
import { AUDIT_FORMATS, rowsProgress, streamWrite, type AuditFormat } from './report';

export interface LockoutScanParams extends FleetScope {
  readonly regions: RegionChoice;
  readonly output: AuditFormat;
  readonly failOnFindings: boolean;
}

export function parseLockoutScanParams(
  values: Record<string, unknown>,
  scope: FleetScope,
  settings: Pick<RunSettings, 'region'>,
  env: NodeJS.ProcessEnv,
): LockoutScanParams {
  const output = optionalString(values, 'output') ?? 'table';
  if (!(AUDIT_FORMATS as readonly string[]).includes(output)) {
    throw badValue('--output', output, AUDIT_FORMATS.join(', '));
  }
  const regions = parseRegionChoice({
    regions: optionalString(values, 'regions'),
    allRegions: values['all-regions'] === true,
  });
  // The partition check, before any AWS call when the region is already known (a profile's region is read later).
  const own = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (own) resolveRegions(regions, own);
  return { ...scope, regions, output: output as AuditFormat, failOnFindings: values['fail-on-findings'] === true };
}

export function scanSummary(totals: ScanTotals, regions: readonly string[]): string {
  return (
    `${totals.accounts} accounts (${regions.length} region${regions.length === 1 ? '' : 's'} for queues): ` +
    `${totals.lockouts} lock-outs in ${totals.accountsWithLockouts} accounts, ` +
    `${totals.buckets} buckets and ${totals.queues} queues read, ${totals.skipped} skipped, ${totals.failed} failed`
  );
}

/**
 * Scans the fleet, streaming rows as accounts finish; ends with the counts on stderr and returns the exit code.
 * The trail gets the run's intent first, every root session before it is used (fleetPorts records them), one
 * outcome per account scanned (or failed) with its lock-outs, and the run's outcome with the counts.
 */
export async function lockoutScanFleet(params: LockoutScanParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { selection, concurrency } = params;
  const { totals, regions } = await withRun(
    settings.auditLog,
    {
      runbook: 'lockout-scan',
      parameters: {
        regions: params.regions,
        output: params.output,
        failOnFindings: params.failOnFindings,
        concurrency,
      },
      accounts: selection,
      region: settings.region ?? null,
      task: [taskPolicyArn(TASKS['s3-unlock']), taskPolicyArn(TASKS['sqs-unlock'])],
      plan: `read the bucket and queue policies of ${describeSelection(selection)} and judge them by the lock-out rule`,
    },
    async (run) => {
      const caller = await resolveCaller(settings, io.env, io.log, { run, connections: fleetConnections(concurrency) });
      const callerRegion = caller.session.settings.region;
      const regions = resolveRegions(params.regions, callerRegion);
      await caller.callerArn();
      const ports = await fleetPorts(caller, settings.duration, concurrency, run);
      const renderer = lockoutRenderer(params.output, streamWrite(io.stdout));
      const progress = rowsProgress(io, 'lockout-scan');
      let totals: ScanTotals;
      try {
        const organization = await ports.org.organization();
        totals = await runLockoutScan({
          ...ports,
          accounts: selectAccounts(ports.org, selection, { concurrency }),
          scope: {
            regions,
            callerRegion,
            organizationId: organization.id ?? undefined,
            allRegions: 'all' in params.regions,
          },
          concurrency,
          sink: async (scan) => {
            progress.tick(scan.status === 'failed');
            // Not awaited: the run's outcome waits for it, and rows keep streaming meanwhile.
            if (scan.status !== 'skipped') void run.outcome(accountOutcome(scan));
            for (const row of scan.rows) await renderer.row(row);
          },
        });
      } catch (err) {
        throw toRunbookError(err, { action: 'organizations:ListAccounts', target: 'the organization' });
      } finally {
        progress.done();
        ports.close();
      }
      await renderer.end();
      return { totals, regions };
    },
    ({ totals, regions }) => ({
      outcome: totals.failed > 0 ? 'failed' : 'unchanged',
      errorCode: totals.failed > 0 ? 'AccountsFailed' : null,
      summary: scanSummary(totals, regions),
      details: { ...totals, regions },
    }),
  );
  io.stderr.write(`lockout-scan: ${scanSummary(totals, regions)}\n`);
  const findings = params.failOnFindings && totals.lockouts > 0;
  return totals.failed > 0 || findings ? ExitCode.Failed : ExitCode.Ok;
}
