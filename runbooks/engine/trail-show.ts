/**
 * `runbook log show`, the core: the runs of the log, newest last, each with its caller, plan, changes, outcome and
 * sessions, and for every session the CloudTrail lookup that finds what it did: in the member account by the
 * session's AccessKeyId (those events carry userIdentity.assumedRoot = "true" for root sessions), and the
 * AssumeRoot call in the caller's account by the caller's own access key id.
 */
import { CALLER_ROLES, describeCallerRole, type CallerRole } from './caller-role';
import { badValue } from './validate';
import { eachRecord } from './trail-read';
import type { TrailRecord } from './trail-record';

export interface ShowFilter {
  readonly account?: string;
  /** ISO time; runs that started before it are left out. */
  readonly since?: string;
  readonly runbook?: string;
}

export interface SessionView {
  readonly kind: string;
  readonly account: string | null;
  readonly region: string | null;
  readonly accessKeyId: string;
  readonly task: string | null;
  readonly roleArn: string | null;
  readonly time: string;
  readonly expiration: string | null;
  /** The AWS CLI command that lists what the session did (run in the account that owns it). */
  readonly cloudTrail: string;
}

export interface RunView {
  readonly run: string;
  readonly runbook: string;
  readonly time: string;
  readonly plan: string | null;
  readonly callerArn: string | null;
  readonly callerAccount: string | null;
  /** Management account, IAM delegated administrator, neither, or unknown (not told, or a log from before). */
  readonly callerRole: CallerRole;
  readonly accounts: string[];
  readonly outcome: string | null;
  readonly errorCode: string | null;
  /** Fleet runs: how many accounts ended with each outcome. */
  readonly accountOutcomes: Record<string, number>;
  readonly changes: { account: string; resource: string; action: string; backup: string | null }[];
  readonly sessions: SessionView[];
  /** The lookup for the root sessions' AssumeRoot calls, in the caller's account. */
  readonly assumeRootLookup: string | null;
}

const DURATION = /^(\d+)([mhdw])$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** --since: an ISO 8601 date or time, or a duration back from now (30m, 12h, 7d, 2w). */
export function parseSince(value: string, now = Date.now()): string {
  const relative = DURATION.exec(value);
  if (relative !== null) return new Date(now - Number(relative[1]) * UNIT_MS[relative[2]]).toISOString();
  const time = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
    ? Date.parse(value)
    : NaN;
  if (Number.isNaN(time)) {
    throw badValue(
      '--since',
      value,
      'an ISO 8601 date or time (2026-11-22, 2026-11-22T05:00Z) or a duration such as 30m, 12h, 7d',
    );
  }
  return new Date(time).toISOString();
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function lookup(region: string | null, accessKeyId: string): string {
  return `aws cloudtrail lookup-events --region ${region ?? 'us-east-1'} --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${accessKeyId}`;
}

interface Building {
  view: { -readonly [K in keyof RunView]: RunView[K] };
  accounts: Set<string>;
  callerKey: { accessKeyId: string; region: string | null } | null;
}

export function showRuns(log: string, filter: ShowFilter = {}): RunView[] {
  const runs = new Map<string, Building>();
  eachRecord(log, (record) => {
    let building = runs.get(record.run);
    if (building === undefined) {
      if (record.type !== 'intent') return; // a run whose intent is not in this log (cut off, or not ours)
      building = {
        view: {
          run: record.run,
          runbook: record.runbook,
          time: record.time,
          plan: text(record.plan),
          callerArn: null,
          callerAccount: null,
          callerRole: 'unknown',
          accounts: [],
          outcome: null,
          errorCode: null,
          accountOutcomes: {},
          changes: [],
          sessions: [],
          assumeRootLookup: null,
        },
        accounts: new Set(),
        callerKey: null,
      };
      runs.set(record.run, building);
      selected(record).forEach((id) => building?.accounts.add(id));
    }
    add(building, record);
  });
  return [...runs.values()]
    .map(({ view, accounts, callerKey }) => {
      const rootSessions = view.sessions.some((s) => s.kind === 'root');
      return {
        ...view,
        accounts: [...accounts],
        assumeRootLookup:
          rootSessions && callerKey !== null
            ? `${lookup(callerKey.region, callerKey.accessKeyId)} (in the caller's account; the AssumeRoot events)`
            : null,
      };
    })
    .filter((run) => filter.runbook === undefined || run.runbook === filter.runbook)
    .filter((run) => filter.since === undefined || run.time >= filter.since)
    .filter((run) => filter.account === undefined || run.accounts.includes(filter.account))
    .map((run) => (filter.account === undefined ? run : onlyAccount(run, filter.account)));
}

/** The accounts an intent names explicitly (a fleet run's --accounts, or a single-account run's account). */
function selected(intent: TrailRecord): string[] {
  const accounts = (intent.accounts as { accounts?: unknown } | null)?.accounts;
  const ids = Array.isArray(accounts) ? accounts.filter((a): a is string => typeof a === 'string') : [];
  return typeof intent.account === 'string' ? [intent.account, ...ids] : ids;
}

function add(building: Building, record: TrailRecord): void {
  const { view, accounts } = building;
  const account = text(record.account);
  if (account !== null) accounts.add(account);
  if (record.callerArn !== undefined && record.callerArn !== null) view.callerArn ??= text(record.callerArn);
  view.callerAccount ??= text(record.callerAccount);
  // The first records of a run may precede the lookup (an operator session is recorded before its first use).
  const role = CALLER_ROLES.find((r) => r === record.callerRole);
  if (role !== undefined && role !== 'unknown') view.callerRole = role;
  if (record.type === 'session') {
    const session: SessionView = {
      kind: String(record.kind),
      account,
      region: text(record.region),
      accessKeyId: String(record.accessKeyId),
      task: text(record.task),
      roleArn: text(record.roleArn),
      time: record.time,
      expiration: text(record.expiration),
      cloudTrail: lookup(text(record.region), String(record.accessKeyId)),
    };
    view.sessions.push(session);
    if (record.kind === 'caller' || record.kind === 'operator') {
      building.callerKey = { accessKeyId: session.accessKeyId, region: session.region };
    }
  } else if (record.type === 'change') {
    view.changes.push({
      account: String(record.account),
      resource: String(record.resource),
      action: String(record.action),
      backup: text(record.backup),
    });
  } else if (record.type === 'outcome') {
    if (account === null) {
      view.outcome = text(record.outcome);
      view.errorCode = text(record.errorCode);
    } else {
      const outcome = String(record.outcome);
      view.accountOutcomes[outcome] = (view.accountOutcomes[outcome] ?? 0) + 1;
    }
  }
}

function onlyAccount(run: RunView, account: string): RunView {
  return {
    ...run,
    sessions: run.sessions.filter(
      (s) => s.account === account || s.kind === 'caller' || s.kind === 'operator' || s.kind === 'hub',
    ),
    changes: run.changes.filter((c) => c.account === account),
  };
}

export function showLines(runs: RunView[]): string {
  if (runs.length === 0) return 'no runs\n';
  const out: string[] = [];
  for (const run of runs) {
    const fleet = Object.entries(run.accountOutcomes)
      .map(([outcome, n]) => `${n} ${outcome}`)
      .join(', ');
    out.push(
      `${run.time}  ${run.runbook}  ${run.outcome ?? 'NO OUTCOME (interrupted or running)'}${run.errorCode ? ` (${run.errorCode})` : ''}  run ${run.run}`,
    );
    if (run.callerArn) {
      const account = run.callerAccount ? `account ${run.callerAccount}, ` : '';
      const role = run.callerRole === 'unknown' ? 'role unknown' : describeCallerRole(run.callerRole);
      out.push(`  caller   ${run.callerArn} (${account}${role})`);
    }
    if (run.plan) out.push(`  plan     ${run.plan}`);
    if (fleet) out.push(`  accounts ${fleet}`);
    for (const change of run.changes) {
      out.push(
        `  change   ${change.action} on ${change.resource} in ${change.account}${change.backup ? ` (backup ${change.backup})` : ''}`,
      );
    }
    for (const s of run.sessions) {
      const what = s.task ?? s.roleArn ?? '';
      out.push(
        `  session  ${s.kind} ${s.accessKeyId}${s.account ? ` in ${s.account}` : ''}${what ? ` (${what})` : ''}`,
      );
      if (s.kind === 'root') {
        out.push(`    what it did, in ${s.account}: ${s.cloudTrail}  (events with userIdentity.assumedRoot = "true")`);
      } else {
        out.push(`    what it did: ${s.cloudTrail}`);
      }
    }
    if (run.assumeRootLookup) out.push(`  AssumeRoot calls: ${run.assumeRootLookup}`);
  }
  return `${out.join('\n')}\n`;
}
