/**
 * runbook lockout-scan, the run: every bucket and queue policy of the selected member accounts judged by the
 * lock-out rule, rows streamed to stdout as table, JSON or CSV while progress goes to stderr. Exit 1 when anything
 * could not be scanned (unknown is not clean), and with --fail-on-findings when a lock-out was found.
 */
import { appendAuditRecord } from '../engine/audit-log';
import { toRunbookError } from '../engine/aws-errors';
import { resolveCaller } from '../engine/credentials';
import { ExitCode } from '../engine/errors';
import type { RunIo, Writer } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn } from '../engine/tasks';
import { badValue, optionalString } from '../engine/validate';
import { createProgress, type ProgressStream } from '../lib/progress';
import { selectAccounts, type FleetScope } from './accounts';
import { fleetPorts } from './aws';
import { lockoutRenderer } from './lockout-report';
import { runLockoutScan, type AccountScan, type ScanTotals } from './lockout-scan';
import { parseRegionChoice, partitionOf, resolveRegions, type RegionChoice } from './regions';
import { AUDIT_FORMATS, streamWrite, type AuditFormat } from './report';

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

/**
 * Today's audit log: one record per root session (and per refused AssumeRoot), written when its account is done.
 * The one place the scan records itself, so that the write-ahead trail can take it over.
 */
function recordScanSessions(
  settings: RunSettings,
  scan: AccountScan,
  facts: { callerArn: string | null; region: string; regions: readonly string[] },
): void {
  for (const session of scan.sessions) {
    const type = session.task === 's3-unlock' ? 's3-bucket' : 'sqs-queue';
    const failed = scan.rows.find((r) => r.status === 'failed' && r.resourceType === type);
    const error = session.error ?? failed?.error ?? null;
    appendAuditRecord(settings.auditLog, {
      runbook: 'lockout-scan',
      callerArn: facts.callerArn,
      account: scan.account,
      region: facts.region,
      taskPolicy: taskPolicyArn(TASKS[session.task], partitionOf(facts.region)),
      rootAccessKeyId: session.accessKeyId,
      parameters: {
        resourceType: type,
        regions: type === 'sqs-queue' ? facts.regions : null,
        lockouts: scan.rows.filter((r) => r.status === 'lockout' && r.resourceType === type).length,
      },
      outcome: error === null ? 'unchanged' : 'failed',
      errorCode: error?.code ?? null,
    });
  }
}

export function scanSummary(totals: ScanTotals, regions: readonly string[]): string {
  return (
    `${totals.accounts} accounts (${regions.length} region${regions.length === 1 ? '' : 's'} for queues): ` +
    `${totals.lockouts} lock-outs in ${totals.accountsWithLockouts} accounts, ` +
    `${totals.buckets} buckets and ${totals.queues} queues read, ${totals.skipped} skipped, ${totals.failed} failed`
  );
}

/** Scans the fleet, streaming rows as accounts finish; ends with the counts on stderr and returns the exit code. */
export async function lockoutScanFleet(params: LockoutScanParams, settings: RunSettings, io: RunIo): Promise<number> {
  const { selection, concurrency } = params;
  const caller = await resolveCaller(settings, io.env, io.log);
  const callerRegion = caller.session.settings.region;
  const regions = resolveRegions(params.regions, callerRegion);
  const callerArn = await caller.callerArn();
  const ports = await fleetPorts(caller.session, settings.duration, concurrency);
  const renderer = lockoutRenderer(params.output, streamWrite(io.stdout));
  const rowsOnTerminal = (io.stdout as Writer & { isTTY?: boolean }).isTTY === true;
  const progress = createProgress(rowsOnTerminal ? { write: () => undefined } : (io.stderr as ProgressStream), {
    label: 'lockout-scan',
  });
  let totals: ScanTotals;
  try {
    const organization = await ports.org.describeOrganization({});
    totals = await runLockoutScan({
      ...ports,
      accounts: selectAccounts(ports.org, selection, { concurrency }),
      scope: {
        regions,
        callerRegion,
        organizationId: organization.Organization?.Id,
        allRegions: 'all' in params.regions,
      },
      concurrency,
      sink: async (scan) => {
        progress.tick(scan.status === 'failed');
        recordScanSessions(settings, scan, { callerArn, region: callerRegion, regions });
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
  io.stderr.write(`lockout-scan: ${scanSummary(totals, regions)}\n`);
  const findings = params.failOnFindings && totals.lockouts > 0;
  return totals.failed > 0 || findings ? ExitCode.Failed : ExitCode.Ok;
}
