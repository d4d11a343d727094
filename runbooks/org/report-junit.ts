/**
 * The posture report as JUnit XML for CI: one testsuite, one testcase per control (named with its CIS and Prowler
 * references), a failing control as <failure> with what was found and the fix. Characters XML cannot carry are
 * dropped, the rest escaped.
 */
import type { ControlResult } from './posture-controls';
import type { PostureReport } from './posture';

export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c)
  );
}

const x = escapeXml;

function references(c: ControlResult): string {
  const parts = [
    c.cis.length > 0 ? `CIS ${c.cis.join(', ')}` : '',
    c.prowler.length > 0 ? `Prowler ${c.prowler.join(', ')}` : '',
  ];
  const text = parts.filter((p) => p !== '').join('; ');
  return text === '' ? '' : ` [${text}]`;
}

function testcase(c: ControlResult): string {
  const name = `${c.title}${references(c)}`;
  const body = [c.detail, ...c.evidence, ...(c.fix ? [`fix: ${c.fix}`] : [])].join('\n');
  const properties =
    `<properties>${c.cis.map((id) => `<property name="cis" value="${x(id)}"/>`).join('')}` +
    `${c.prowler.map((id) => `<property name="prowler" value="${x(id)}"/>`).join('')}</properties>`;
  const verdict =
    c.verdict === 'fail'
      ? `<failure message="${x(c.detail)}" type="${x(c.id)}">${x(body)}</failure>`
      : `<system-out>${x(body)}</system-out>`;
  return `    <testcase classname="centralized-root.${x(c.id)}" name="${x(name)}" time="0">${properties}${verdict}</testcase>`;
}

export function renderJunit(report: PostureReport): string {
  const { summary } = report;
  const suite = `centralized-root posture ${report.organization.id}`;
  const counts = `tests="${summary.controls}" failures="${summary.failed}" errors="0" skipped="0"`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="centralized-root posture" ${counts} time="0">\n` +
    `  <testsuite name="${x(suite)}" ${counts} time="0" timestamp="${x(report.generatedAt)}">\n` +
    `    <properties><property name="organization" value="${x(report.organization.id)}"/>` +
    `<property name="caller" value="${x(report.caller.arn)}"/></properties>\n` +
    `${report.controls.map(testcase).join('\n')}\n` +
    `  </testsuite>\n</testsuites>\n`
  );
}
