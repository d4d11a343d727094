/**
 * runbook report, the run: the organization's reads, the root credentials audit and the lock-out scan of every
 * member account, the controls judged, and the report written as HTML, JSON or JUnit to stdout or --out. Exit 1
 * when a control fails (a report is a check, as doctor is), 0 when every one passes.
 */
import { statSync } from 'node:fs';
import { resolveCaller } from '../engine/credentials';
import { badValue, optionalString } from '../engine/validate';
import { ExitCode, RunbookError } from '../engine/errors';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn } from '../engine/tasks';
import { withRun, type TrailRun } from '../engine/trail';
import { writeFileDurably } from '../lib/durable-file';
import { createProgress, type ProgressStream } from '../lib/progress';
import { selectAccounts } from '../fleet/accounts';
import { auditOutcome, DEFAULT_CONCURRENCY, runAudit } from '../fleet/audit';
import { fleetConnections, fleetPorts } from '../fleet/aws';
import { accountOutcome, runLockoutScan, type LockoutRow } from '../fleet/lockout-scan';
import { orgAdminPorts } from './org-admin';
import { accountPosture, buildReport, gatherPosture, type PostureReport } from './posture';
import type { AccountPosture } from './posture-controls';
import { renderHtml } from './report-html';
import { renderJunit } from './report-junit';

export const REPORT_FORMATS = ['html', 'json', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportParams {
  readonly output: ReportFormat;
  /** Where the report goes; undefined: stdout. */
  readonly out?: string;
  /** The root-activity-alerts module's StackSet (its `name` variable). */
  readonly alertsStackSet: string;
}

export function parseReportParams(values: Record<string, unknown>): ReportParams {
  const output = optionalString(values, 'output') ?? 'html';
  if (!(REPORT_FORMATS as readonly string[]).includes(output)) {
    throw badValue('--output', output, REPORT_FORMATS.join(', '));
  }
  const out = optionalString(values, 'out');
  if (out !== undefined) {
    let directory = false;
    try {
      directory = statSync(out).isDirectory();
    } catch {
      // not there yet: it is created
    }
    if (out === '' || directory) throw badValue('--out', out, 'a file path (not a directory)');
  }
  const alertsStackSet = optionalString(values, 'alerts-stack-set') ?? 'root-activity-alerts';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(alertsStackSet)) {
    throw badValue(
      '--alerts-stack-set',
      alertsStackSet,
      'a StackSet name: a letter, then up to 127 letters, digits or hyphens',
    );
  }
  return { output: output as ReportFormat, out, alertsStackSet };
}

export function renderReport(format: ReportFormat, report: PostureReport): string {
  if (format === 'html') return renderHtml(report);
  if (format === 'junit') return renderJunit(report);
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Gathers the facts, judges the controls and writes the report. The trail gets the run's intent first, every root
 * session (the audit's and the scan's) before it is used, one outcome per account and pass (`details.pass`:
 * audit or lockout-scan), and the run's outcome: failed (ControlsFailed) when a control fails, as doctor records
 * failed checks.
 */
export async function postureReport(params: ReportParams, settings: RunSettings, io: RunIo): Promise<number> {
  const report = await withRun(
    settings.auditLog,
    {
      runbook: 'report',
      parameters: { output: params.output, out: params.out ?? null, alertsStackSet: params.alertsStackSet },
      accounts: { all: true },
      region: settings.region ?? null,
      task: [TASKS.audit, TASKS['s3-unlock'], TASKS['sqs-unlock']].map((t) => taskPolicyArn(t)),
      plan:
        'read the organization, audit the root credentials of every member account and scan their bucket and ' +
        'queue policies for lock-outs, then judge the posture controls',
    },
    async (run) => {
      const built = await gatherReport(params, settings, io, run);
      writeReport(params, renderReport(params.output, built), io);
      return built;
    },
    (built) => ({
      outcome: built.summary.failed > 0 ? 'failed' : 'unchanged',
      errorCode: built.summary.failed > 0 ? 'ControlsFailed' : null,
      summary: `${built.summary.passed} of ${built.summary.controls} controls pass`,
      details: { ...built.summary, failing: built.controls.filter((c) => c.verdict !== 'pass').map((c) => c.id) },
    }),
  );
  io.stderr.write(`report: ${report.summary.passed} of ${report.summary.controls} controls pass\n`);
  return report.summary.failed > 0 ? ExitCode.Failed : ExitCode.Ok;
}

async function gatherReport(params: ReportParams, settings: RunSettings, io: RunIo, run: TrailRun) {
  const concurrency = DEFAULT_CONCURRENCY;
  const caller = await resolveCaller(settings, io.env, io.log, { run, connections: fleetConnections(concurrency) });
  const region = caller.session.settings.region;
  const [org, fleet] = await Promise.all([
    orgAdminPorts(caller, settings.duration, run),
    fleetPorts(caller, settings.duration, concurrency, run),
  ]);
  const stderr = io.stderr as ProgressStream;
  try {
    const facts = await gatherPosture(
      org.posture,
      {
        audit: async () => {
          const found: AccountPosture[] = [];
          const progress = createProgress(stderr, { label: 'report: audit' });
          try {
            await runAudit({
              ...fleet,
              accounts: selectAccounts(fleet.org, { all: true }, { concurrency }),
              concurrency,
              sink: (audit) => {
                progress.tick(audit.status === 'failed');
                if (audit.status !== 'skipped')
                  void run.outcome({ ...auditOutcome(audit), details: { pass: 'audit' } });
                found.push(accountPosture(audit));
              },
            });
          } finally {
            progress.done();
          }
          return found;
        },
        lockouts: async () => {
          const rows: LockoutRow[] = [];
          const progress = createProgress(stderr, { label: 'report: lockout-scan' });
          const organization = await fleet.org.organization();
          try {
            const totals = await runLockoutScan({
              ...fleet,
              accounts: selectAccounts(fleet.org, { all: true }, { concurrency }),
              scope: { regions: [region], callerRegion: region, organizationId: organization.id ?? undefined },
              concurrency,
              sink: (scan) => {
                progress.tick(scan.status === 'failed');
                if (scan.status !== 'skipped') {
                  const outcome = accountOutcome(scan);
                  void run.outcome({ ...outcome, details: { pass: 'lockout-scan', ...outcome.details } });
                }
                rows.push(...scan.rows);
              },
            });
            return { regions: [region], totals, rows };
          } finally {
            progress.done();
          }
        },
      },
      { alertsStackSet: params.alertsStackSet },
    );
    return buildReport(facts);
  } catch (err) {
    if (err instanceof RunbookError) throw err;
    const e = err as { name?: string; message?: string };
    throw new RunbookError(
      'Failed',
      `the organization could not be read: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`,
      {
        hint: 'run "runbook doctor" to check the caller and the organization',
        cause: err,
      },
    );
  } finally {
    org.close();
    fleet.close();
  }
}

/** To stdout, or to --out whole or not at all. */
function writeReport(params: ReportParams, text: string, io: RunIo): void {
  if (params.out === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    writeFileDurably(params.out, text);
  } catch (err) {
    throw new RunbookError('Failed', `the report could not be written to ${params.out}: ${(err as Error).message}`, {
      hint: 'check that the folder is writable and that no stale .tmp file of the same name is left',
    });
  }
  io.stderr.write(`report written to ${params.out}\n`);
}
