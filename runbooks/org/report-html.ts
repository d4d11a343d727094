/**
 * The posture report as one self-contained HTML page: inline CSS and an inline SVG chart, no script, no font, no
 * request of any kind (a Content-Security-Policy of default-src 'none' makes the browser refuse one if it ever
 * slipped in). Every value from AWS is escaped, so a hostile account name or bucket name stays text.
 */
import type { AccountPosture, AccountState, ControlResult } from './posture-controls';
import type { PostureReport } from './posture';
import type { LockoutRow } from '../fleet/lockout-scan';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const e = escapeHtml;

/** The chart's states, in order, with how a person reads them. */
export const STATES: readonly { state: AccountState; label: string; color: string }[] = [
  { state: 'clean', label: 'Clean', color: '#1a7f37' },
  { state: 'root-credentials', label: 'Root credentials present', color: '#cf222e' },
  { state: 'failed', label: 'Audit failed', color: '#bc4c00' },
  { state: 'skipped', label: 'Skipped', color: '#6e7781' },
];

/** Evidence lists are cut here in the page; the JSON report has them all. */
const EVIDENCE_SHOWN = 50;

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 10px; }
.meta { color: #57606a; margin: 0 0 16px; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px; }
.summary { display: flex; gap: 16px; align-items: center; }
.score { font-size: 34px; font-weight: 700; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid #d0d7de; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #eaeef2; }
td.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; word-break: break-all; }
.badge { display: inline-block; min-width: 44px; text-align: center; font-weight: 700; border-radius: 12px; padding: 1px 8px; color: #fff; }
.pass { background: #1a7f37; }
.fail { background: #cf222e; }
ul { margin: 4px 0 0; padding-left: 18px; }
.fix { color: #57606a; }
.legend { width: auto; min-width: 320px; margin-top: 12px; }
.legend td:first-child { width: 18px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; }
`;

function chart(byState: Record<AccountState, number>): string {
  const max = Math.max(1, ...STATES.map((s) => byState[s.state]));
  const total = STATES.reduce((n, s) => n + byState[s.state], 0);
  const rowHeight = 34;
  const labelWidth = 210;
  const barSpace = 420;
  const bars = STATES.map((s, i) => {
    const count = byState[s.state];
    const width = Math.round((count / max) * barSpace);
    const y = i * rowHeight + 6;
    return (
      `<g data-state="${s.state}"><text x="0" y="${y + 17}" font-size="14" fill="#1f2328">${e(s.label)}</text>` +
      `<rect class="bar" data-count="${count}" x="${labelWidth}" y="${y}" width="${width}" height="22" rx="3" fill="${s.color}"/>` +
      `<text x="${labelWidth + width + 8}" y="${y + 17}" font-size="14" font-weight="700" fill="#1f2328">${count}</text></g>`
    );
  }).join('');
  const height = STATES.length * rowHeight + 8;
  return (
    `<svg id="accounts-chart" role="img" width="${labelWidth + barSpace + 60}" height="${height}" ` +
    `viewBox="0 0 ${labelWidth + barSpace + 60} ${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>Member accounts by state: ${STATES.map((s) => `${s.label} ${byState[s.state]}`).join(', ')} (${total} in all)</title>` +
    `${bars}</svg>`
  );
}

function legend(byState: Record<AccountState, number>): string {
  const rows = STATES.map(
    (s) =>
      `<tr data-state="${s.state}"><td><span class="swatch" style="background:${s.color}"></span></td>` +
      `<td>${e(s.label)}</td><td>${byState[s.state]}</td></tr>`,
  ).join('');
  return `<table class="legend" id="accounts-legend"><thead><tr><th></th><th>State</th><th>Accounts</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function evidence(items: readonly string[]): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, EVIDENCE_SHOWN).map((item) => `<li>${e(item)}</li>`);
  if (items.length > EVIDENCE_SHOWN)
    shown.push(`<li>… and ${items.length - EVIDENCE_SHOWN} more (see the JSON report)</li>`);
  return `<ul>${shown.join('')}</ul>`;
}

function controlRow(c: ControlResult): string {
  return (
    `<tr id="control-${e(c.id)}" data-verdict="${c.verdict}">` +
    `<td><strong>${e(c.title)}</strong></td>` +
    `<td><span class="badge ${c.verdict}">${c.verdict === 'pass' ? 'PASS' : 'FAIL'}</span></td>` +
    `<td>${c.cis.length > 0 ? c.cis.map((id) => `CIS ${e(id)}`).join('<br>') : '—'}</td>` +
    `<td class="mono">${c.prowler.length > 0 ? c.prowler.map(e).join('<br>') : '—'}</td>` +
    `<td>${e(c.detail)}${evidence(c.evidence)}${c.fix ? `<div class="fix">Fix: <code>${e(c.fix)}</code></div>` : ''}</td></tr>`
  );
}

function accountRows(accounts: readonly AccountPosture[]): string {
  if (accounts.length === 0) return '<p>Every member account is clean.</p>';
  const label = new Map(STATES.map((s) => [s.state, s.label]));
  const rows = accounts
    .map(
      (a) =>
        `<tr data-state="${a.state}"><td class="mono">${e(a.account)}</td><td>${e(a.name ?? '')}</td>` +
        `<td>${e(label.get(a.state) ?? a.state)}</td><td>${e(a.detail)}</td></tr>`,
    )
    .join('');
  return `<table id="accounts"><thead><tr><th>Account</th><th>Name</th><th>State</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function lockoutRows(rows: readonly LockoutRow[]): string {
  if (rows.length === 0) return '<p>No bucket or queue policy locks its owner out.</p>';
  const body = rows
    .map(
      (r) =>
        `<tr data-status="${r.status}"><td class="mono">${e(r.account)}</td><td>${e(r.region ?? '—')}</td>` +
        `<td>${e(r.resourceType ?? '—')}</td><td class="mono">${e(r.resource ?? '—')}</td>` +
        `<td>${r.status === 'lockout' ? e(r.lockingStatements.join(', ')) : `failed: ${e(`${r.error?.code}: ${r.error?.message}`)}`}</td>` +
        `<td>${e(r.allowedPrincipals.length > 0 ? r.allowedPrincipals.join('; ') : r.status === 'lockout' ? 'only the root user' : '')}</td>` +
        `<td class="mono">${e(r.fix ?? '')}</td></tr>`,
    )
    .join('');
  return (
    `<table id="lockouts"><thead><tr><th>Account</th><th>Region</th><th>Type</th><th>Resource</th>` +
    `<th>Locking statements</th><th>Still allowed</th><th>Fix</th></tr></thead><tbody>${body}</tbody></table>`
  );
}

export function renderHtml(report: PostureReport): string {
  const { organization: org, caller, summary } = report;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Centralized root access posture — ${e(org.id)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Centralized root access posture</h1>
<p class="meta">Organization <strong>${e(org.id)}</strong> · management account ${e(org.managementAccountId)} · read by ${e(caller.arn)} (${e(caller.role)}) · ${e(report.generatedAt)}</p>
<section class="card summary" id="summary">
<div class="score">${summary.passed} of ${summary.controls} controls pass</div>
<div>${summary.failed === 0 ? '<span class="badge pass">PASS</span>' : `<span class="badge fail">FAIL</span> ${summary.failed} control${summary.failed === 1 ? '' : 's'} fail`}</div>
</section>
<h2>Member accounts by state</h2>
<section class="card" id="chart">${chart(report.accounts.byState)}${legend(report.accounts.byState)}</section>
<h2>Controls</h2>
<table id="controls"><thead><tr><th>Control</th><th>Verdict</th><th>CIS AWS Foundations v7.0</th><th>Prowler</th><th>Finding</th></tr></thead>
<tbody>${report.controls.map(controlRow).join('')}</tbody></table>
<h2>Accounts that need attention</h2>
${accountRows(report.accounts.attention)}
<h2>Lock-outs</h2>
${lockoutRows(report.lockouts)}
</main>
</body>
</html>
`;
}
