/**
 * runbook report, the run: the organization's reads, the root credentials audit and the lock-out scan of every
 * member account, the controls judged, and the report written as HTML, JSON or JUnit to stdout or --out. Exit 1
 * when a control fails (a report is a check, as doctor is), 0 when every one passes.
 */
import { statSync } from 'node:fs';
import { appendAuditRecord } from '../engine/audit-log';
import { resolveCaller } from '../engine/credentials';
import { badValue, optionalString } from '../engine/validate';
import { ExitCode, RunbookError } from '../engine/errors';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn, type TaskAlias } from '../engine/tasks';
import { writeFileDurably } from '../lib/durable-file';
import { createProgress, type ProgressStream } from '../lib/progress';
import { selectAccounts } from '../fleet/accounts';
import type { AssumeRootFn } from '../fleet/account-session';
import { DEFAULT_CONCURRENCY, runAudit } from '../fleet/audit';
import { fleetPorts } from '../fleet/aws';
import { runLockoutScan, type LockoutRow } from '../fleet/lockout-scan';
import { partitionOf } from '../fleet/regions';
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

interface SessionTaken {
  task: TaskAlias;
  accessKeyId: string | null;
  errorCode: string | null;
}

/**
 * Today's audit log: one record per root session of the report (audit and scan), written when its account is
 * done. The one place the report records itself, so that the write-ahead trail can take it over.
 */
function recordSession(
  settings: RunSettings,
  facts: { callerArn: string; region: string; account: string; part: 'audit' | 'lockout-scan' },
  session: SessionTaken,
  failed: { code: string } | null,
): void {
  const errorCode = session.errorCode ?? failed?.code ?? null;
  appendAuditRecord(settings.auditLog, {
    runbook: 'report',
    callerArn: facts.callerArn,
    account: facts.account,
    region: facts.region,
    taskPolicy: taskPolicyArn(TASKS[session.task], partitionOf(facts.region)),
    rootAccessKeyId: session.accessKeyId,
    parameters: { part: facts.part },
    outcome: errorCode === null ? 'unchanged' : 'failed',
    errorCode,
  });
}

/** Wraps AssumeRoot so the sessions of each account are known when its result is emitted. */
function sessionsByAccount(assumeRoot: AssumeRootFn) {
  const taken = new Map<string, SessionTaken[]>();
  const note = (account: string, session: SessionTaken) => taken.set(account, [...(taken.get(account) ?? []), session]);
  const wrapped: AssumeRootFn = async (account, task) => {
    try {
      const credentials = await assumeRoot(account, task);
      note(account, { task, accessKeyId: credentials.accessKeyId, errorCode: null });
      return credentials;
    } catch (error) {
      note(account, { task, accessKeyId: null, errorCode: (error as { code?: string }).code ?? 'Failed' });
      throw error;
    }
  };
  const take = (account: string) => {
    const sessions = taken.get(account) ?? [];
    taken.delete(account);
    return sessions;
  };
  return { assumeRoot: wrapped, take };
}

export async function postureReport(params: ReportParams, settings: RunSettings, io: RunIo): Promise<number> {
  const caller = await resolveCaller(settings, io.env, io.log);
  const region = caller.session.settings.region;
  const callerArn = await caller.callerArn();
  const concurrency = DEFAULT_CONCURRENCY;
  const [org, fleet] = await Promise.all([
    orgAdminPorts(caller.session, settings.duration),
    fleetPorts(caller.session, settings.duration, concurrency),
  ]);
  const stderr = io.stderr as ProgressStream;
  let report: PostureReport;
  try {
    const facts = await gatherPosture(
      org.posture,
      {
        audit: async () => {
          const sessions = sessionsByAccount(fleet.assumeRoot);
          const found: AccountPosture[] = [];
          const progress = createProgress(stderr, { label: 'report: audit' });
          try {
            await runAudit({
              ...fleet,
              assumeRoot: sessions.assumeRoot,
              accounts: selectAccounts(fleet.org, { all: true }, { concurrency }),
              concurrency,
              sink: (audit) => {
                progress.tick(audit.status === 'failed');
                for (const s of sessions.take(audit.account)) {
                  recordSession(settings, { callerArn, region, account: audit.account, part: 'audit' }, s, audit.error);
                }
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
          const organization = await fleet.org.describeOrganization({});
          try {
            const totals = await runLockoutScan({
              ...fleet,
              accounts: selectAccounts(fleet.org, { all: true }, { concurrency }),
              scope: { regions: [region], callerRegion: region, organizationId: organization.Organization?.Id },
              concurrency,
              sink: (scan) => {
                progress.tick(scan.status === 'failed');
                for (const s of scan.sessions) {
                  const failed = scan.rows.find((r) => r.status === 'failed')?.error ?? null;
                  const session = { task: s.task, accessKeyId: s.accessKeyId, errorCode: s.error?.code ?? null };
                  recordSession(
                    settings,
                    { callerArn, region, account: scan.account, part: 'lockout-scan' },
                    session,
                    failed,
                  );
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
    report = buildReport(facts);
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
  const text = renderReport(params.output, report);
  if (params.out === undefined) {
    io.stdout.write(text);
  } else {
    try {
      writeFileDurably(params.out, text);
    } catch (err) {
      throw new RunbookError('Failed', `the report could not be written to ${params.out}: ${(err as Error).message}`, {
        hint: 'check that the folder is writable and that no stale .tmp file of the same name is left',
      });
    }
    io.stderr.write(`report written to ${params.out}\n`);
  }
  io.stderr.write(`report: ${report.summary.passed} of ${report.summary.controls} controls pass\n`);
  return report.summary.failed > 0 ? ExitCode.Failed : ExitCode.Ok;
}
