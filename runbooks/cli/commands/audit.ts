/**
 * runbook audit: the root credentials of every selected member account, streamed as a table, JSON or CSV.
 * CIS 2.1.1-style evidence: with --fail-on-findings the exit code is 1 while any account still has root
 * credentials. A failed account is reported in its row and also makes the exit code 1: unknown is not clean.
 */
import type { Command } from '../command';
import { toRunbookError } from '../../engine/aws-errors';
import { resolveCaller } from '../../engine/credentials';
import { ExitCode } from '../../engine/errors';
import { badValue } from '../../engine/validate';
import { selectAccounts } from '../../fleet/accounts';
import { runAudit } from '../../fleet/audit';
import { fleetPorts } from '../../fleet/aws';
import { parseFleetOptions, SELECTION_OPTIONS, SELECTION_USAGE, str } from '../fleet-options';
import { createProgress } from '../../lib/progress';
import { AUDIT_FORMATS, auditRenderer, streamWrite, type AuditFormat } from '../../fleet/report';

export const command: Command = {
  name: 'audit',
  summary: 'audit the root credentials of member accounts (table, JSON or CSV)',
  usage: `Usage: runbook audit (--accounts <id,id,…> | --ou <ou-id> | --all) [--concurrency <n>]
                     [--output table|json|csv] [--fail-on-findings]

Per account: one AssumeRoot with the IAMAuditRootUserCredentials task, then the login profile, access keys (with
last use), MFA devices, signing certificates and account summary, read at once. Results stream to stdout as they
come (JSON: one array of objects with account, loginProfile, accessKeys, mfaDevices, signingCertificates, error);
progress goes to stderr.

  --output <format>        table (default), json or csv
  --fail-on-findings       exit 1 when any account still has root credentials

${SELECTION_USAGE}
Exit codes: 0 no failures (and no findings with --fail-on-findings), 1 an account failed or has findings, 2 bad input.`,
  options: {
    ...SELECTION_OPTIONS,
    output: { type: 'string' },
    'fail-on-findings': { type: 'boolean' },
  },
  async run(ctx) {
    const { selection, concurrency } = parseFleetOptions(ctx.values);
    const output = str(ctx.values.output) ?? 'table';
    if (!(AUDIT_FORMATS as readonly string[]).includes(output)) {
      throw badValue('--output', output, AUDIT_FORMATS.join(', '));
    }
    const caller = await resolveCaller(ctx.settings, ctx.env, ctx.log);
    const ports = await fleetPorts(caller.session, ctx.settings.duration, concurrency);
    const renderer = auditRenderer(output as AuditFormat, streamWrite(ctx.stdout));
    // Rows streaming to a terminal are progress enough; a bar redrawn on the same terminal would tear them.
    const rowsOnTerminal = (ctx.stdout as { isTTY?: boolean }).isTTY === true;
    const progress = createProgress(
      rowsOnTerminal ? { write: () => undefined } : (ctx.stderr as typeof ctx.stderr & { isTTY?: boolean }),
      { label: 'audit' },
    );
    let totals;
    try {
      totals = await runAudit({
        ...ports,
        accounts: selectAccounts(ports.org, selection, { concurrency }),
        concurrency,
        sink: (audit) => {
          progress.tick(audit.status === 'failed');
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
    ctx.stderr.write(
      `audit: ${totals.accounts} accounts: ${totals.withRootCredentials} with root credentials, ` +
        `${totals.audited - totals.withRootCredentials} clean, ${totals.skipped} skipped, ${totals.failed} failed\n`,
    );
    const findings = ctx.values['fail-on-findings'] === true && totals.withRootCredentials > 0;
    return totals.failed > 0 || findings ? ExitCode.Failed : ExitCode.Ok;
  },
};
