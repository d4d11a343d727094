/** runbook log verify | show: the audit trail checked for tampering, or listed run by run (see engine/trail-*.ts). */
import type { Command } from '../command';
import { JSON_OPTION } from '../options';
import { badInput, ExitCode } from '../../engine/errors';
import { badValue, optionalString, parseAccountId } from '../../engine/validate';

export const command: Command = {
  name: 'log',
  summary: 'verify the audit log (hash chain) or show its runs with their CloudTrail lookups',
  usage: `Usage: runbook log verify [--audit-log <file>] [--json]
       runbook log show [--account <id>] [--since <time>] [--runbook <name>] [--audit-log <file>] [--json]

verify  checks that every line is a record, numbered in order and chained to the one before it by SHA-256, and
        that the log ends where <log>.head says. Exit 0 when intact; exit 1 naming the first line that was edited,
        deleted, reordered or truncated. Lists the runs that have an intent but no outcome (killed or crashed;
        one that recorded a change may have changed something).
show    lists the runs (time, runbook, outcome, caller, plan, changes, sessions). For each session it prints the
        CloudTrail lookup that finds what the session did: by its AccessKeyId, in the account it belongs to
        (root sessions' events carry userIdentity.assumedRoot = "true").

  --account <id>           only runs that touched this account (and only its sessions)
  --since <time>           only runs started at or after this ISO 8601 date/time, or this long ago (30m, 12h, 7d)
  --runbook <name>         only runs of this runbook (s3-unlock, audit, exec, …)
  --json                   print one JSON object`,
  options: { ...JSON_OPTION, account: { type: 'string' }, since: { type: 'string' }, runbook: { type: 'string' } },
  allowPositionals: true,
  async run(ctx) {
    const [sub, ...extra] = ctx.positionals;
    if ((sub !== 'verify' && sub !== 'show') || extra.length > 0) {
      throw badInput(
        `unknown log subcommand ${JSON.stringify(ctx.positionals.join(' '))}: expected "verify" or "show"`,
        'run "runbook log --help"',
      );
    }
    const log = ctx.settings.auditLog;
    if (sub === 'verify') {
      for (const name of ['account', 'since', 'runbook']) {
        if (ctx.values[name] !== undefined)
          throw badInput(`log verify does not take --${name}`, 'it checks the whole log');
      }
      const { verifyLines, verifyTrail } = await import('../../engine/trail-verify');
      const report = verifyTrail(log);
      ctx.stdout.write(ctx.settings.json ? `${JSON.stringify(report)}\n` : verifyLines(report));
      return report.ok ? ExitCode.Ok : ExitCode.Failed;
    }
    const { parseSince, showLines, showRuns } = await import('../../engine/trail-show');
    const account = optionalString(ctx.values, 'account');
    const since = optionalString(ctx.values, 'since');
    const filter = {
      account: account === undefined ? undefined : parseAccountId(account),
      since: since === undefined ? undefined : parseSince(since),
      runbook: runbookName(optionalString(ctx.values, 'runbook')),
    };
    const runs = showRuns(log, filter);
    ctx.stdout.write(ctx.settings.json ? `${JSON.stringify({ log, runs })}\n` : showLines(runs));
    return ExitCode.Ok;
  },
};

/** A runbook as the records name it: a command, or `spoke exec`. */
function runbookName(value: string | undefined): string | undefined {
  if (value === undefined || /^[a-z][a-z0-9]*(-[a-z0-9]+)*( exec)?$/.test(value)) return value;
  throw badValue('--runbook', value, 'a runbook name as the records carry it, such as s3-unlock or "spoke exec"');
}
