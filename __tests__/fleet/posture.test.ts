/**
 * The report's controls as compliant / noncompliant cases on crafted facts (pure functions, no AWS), the gathering
 * that turns a failing read into a failing control, the JUnit and HTML renderers, and what a browser shows of a
 * report whose account and bucket names are hostile.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LockoutRow, ScanTotals } from '../../runbooks/fleet/lockout-scan';
import { buildReport, gatherPosture, type PosturePort } from '../../runbooks/org/posture';
import { CONTROLS, evaluateControls, type PostureFacts } from '../../runbooks/org/posture-controls';
import { escapeHtml, renderHtml } from '../../runbooks/org/report-html';
import { escapeXml, renderJunit } from '../../runbooks/org/report-junit';
import { parseReportParams } from '../../runbooks/org/report-run';
import { describeWithBrowser, useBrowser } from '../../test-support/browser';

const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (error: string) => ({ ok: false as const, error });
const GUARDRAIL = JSON.stringify({
  Statement: [
    {
      Sid: 'DenyRootExceptAssumeRoot',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' }, Null: { 'aws:AssumedRoot': 'true' } },
    },
  ],
});
const BLOCKING = JSON.stringify({
  Statement: [
    {
      Sid: 'DenyRoot',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
    },
  ],
});
const TOTALS: ScanTotals = {
  accounts: 3,
  scanned: 3,
  skipped: 0,
  failed: 0,
  lockouts: 0,
  accountsWithLockouts: 0,
  buckets: 4,
  queues: 2,
};
const LOCKED: LockoutRow = {
  account: '222222222222',
  region: 'us-east-1',
  resourceType: 's3-bucket',
  resource: 'locked',
  status: 'lockout',
  lockingStatements: ['DenyAllExceptPipeline'],
  allowedPrincipals: ['arn:aws:iam::222222222222:role/pipeline'],
  fix: 'runbook s3-unlock --account 222222222222 --bucket locked',
  error: null,
  skipped: null,
};

/** An organization where everything is as it should be. */
const COMPLIANT: PostureFacts = {
  organization: { id: 'o-abc123def4', managementAccountId: '111111111111' },
  caller: { arn: 'arn:aws:iam::333333333333:role/RootOperator', account: '333333333333' },
  features: ok(['RootCredentialsManagement', 'RootSessions']),
  trustedAccess: ok(['iam.amazonaws.com', 'member.org.stacksets.cloudformation.amazonaws.com']),
  delegatedAdministrators: ok(['333333333333']),
  scps: ok([{ id: 'p-guard', name: 'guardrails', content: GUARDRAIL, targets: ['r-root'] }]),
  tree: ok({
    rootId: 'r-root',
    ous: [
      { id: 'ou-prod', name: 'Prod', parentId: 'r-root' },
      { id: 'ou-prod-eu', name: 'Prod EU', parentId: 'ou-prod' },
      { id: 'ou-dev', name: 'Dev', parentId: 'r-root' },
    ],
    rootAccounts: ['444444444444'],
  }),
  accounts: ok([
    { account: '222222222222', name: 'prod', state: 'clean', detail: 'no root credentials' },
    { account: '333333333333', name: 'security', state: 'clean', detail: 'no root credentials' },
    { account: '111111111111', name: 'management', state: 'skipped', detail: 'management account' },
  ]),
  lockouts: ok({ regions: ['us-east-1'], totals: TOTALS, rows: [] }),
  alerts: ok({
    name: 'root-activity-alerts',
    stackSet: {
      name: 'root-activity-alerts',
      callAs: 'DELEGATED_ADMIN',
      status: 'ACTIVE',
      permissionModel: 'SERVICE_MANAGED',
      instances: 3,
      currentInstances: 3,
    },
  }),
};

const verdictOf = (facts: PostureFacts, id: string) => evaluateControls(facts).find((c) => c.id === id)!;

describe('controls', () => {
  it('every control passes on a compliant organization, and each names its references', () => {
    expect(evaluateControls(COMPLIANT).filter((c) => c.verdict === 'fail')).toEqual([]);
    expect(Object.fromEntries(CONTROLS.map((c) => [c.id, [c.cis, c.prowler]]))).toEqual({
      'organization-features': [['2.1.1'], ['iam_root_credentials_management_enabled']],
      'trusted-access': [['2.1.1'], []],
      'delegated-administrator': [['2.1.1', '2.1.6'], ['organizations_delegated_administrators']],
      'guardrail-scp': [['2.1.2', '2.7'], []],
      'no-blocking-scp': [['2.1.1'], []],
      'root-credentials': [['2.1.1', '2.4'], ['iam_no_root_access_key']],
      lockouts: [[], []],
      'root-activity-alerts': [
        ['5.3', '2.7'],
        ['cloudwatch_log_metric_filter_root_usage', 'iam_avoid_root_usage'],
      ],
    });
  });

  const NONCOMPLIANT: [string, string, Partial<PostureFacts>, RegExp][] = [
    [
      'organization-features',
      'RootSessions missing',
      { features: ok(['RootCredentialsManagement']) },
      /missing: RootSessions/,
    ],
    [
      'organization-features',
      'features unreadable',
      { features: bad('AccessDenied: no') },
      /could not be read: AccessDenied/,
    ],
    ['trusted-access', 'IAM not trusted', { trustedAccess: ok(['sso.amazonaws.com']) }, /not enabled \(trusted: sso/],
    [
      'delegated-administrator',
      'none registered',
      { delegatedAdministrators: ok([]) },
      /no IAM delegated administrator/,
    ],
    [
      'guardrail-scp',
      'no guardrail at all',
      { scps: ok([{ id: 'p-b', name: 'b', content: BLOCKING, targets: ['r-root'] }]) },
      /no SCP denies the root user while exempting/,
    ],
    [
      'guardrail-scp',
      'guardrail on one OU only',
      { scps: ok([{ id: 'p-g', name: 'g', content: GUARDRAIL, targets: ['ou-prod'] }]) },
      /2 not covered: OU ou-dev \(Dev\), account 444444444444/,
    ],
    [
      'guardrail-scp',
      'guardrail on OUs but an account sits under the root',
      { scps: ok([{ id: 'p-g', name: 'g', content: GUARDRAIL, targets: ['ou-prod', 'ou-dev'] }]) },
      /1 not covered: account 444444444444/,
    ],
    [
      'guardrail-scp',
      'guardrail not attached',
      { scps: ok([{ id: 'p-g', name: 'g', content: GUARDRAIL, targets: [] }]) },
      /not covered/,
    ],
    ['guardrail-scp', 'tree unreadable', { tree: bad('AccessDenied: x') }, /the OU tree could not be read/],
    [
      'no-blocking-scp',
      'a deny-root SCP without the exemption',
      { scps: ok([{ id: 'p-b', name: 'deny-root', content: BLOCKING, targets: ['ou-dev'] }]) },
      /1 statement\(s\) block root sessions/,
    ],
    [
      'no-blocking-scp',
      'an SCP that is not JSON',
      { scps: ok([{ id: 'p-x', name: 'x', content: '{', targets: ['ou-dev'] }]) },
      /block root sessions/,
    ],
    [
      'root-credentials',
      'an account with keys',
      { accounts: ok([{ account: '2', name: null, state: 'root-credentials', detail: '1 access key(s)' }]) },
      /1 with root credentials/,
    ],
    [
      'root-credentials',
      'an account that could not be audited',
      { accounts: ok([{ account: '2', name: null, state: 'failed', detail: 'AccessDenied: x' }]) },
      /1 could not be audited/,
    ],
    [
      'root-credentials',
      'the audit failed as a whole',
      { accounts: bad('Throttled: x') },
      /the root credentials audit could not be read/,
    ],
    [
      'lockouts',
      'a locked bucket',
      { lockouts: ok({ regions: ['us-east-1'], totals: TOTALS, rows: [LOCKED] }) },
      /1 lock-outs/,
    ],
    [
      'lockouts',
      'a region that could not be scanned',
      {
        lockouts: ok({
          regions: ['us-east-1'],
          totals: TOTALS,
          rows: [{ ...LOCKED, status: 'failed', resource: null, error: { code: 'AccessDenied', message: 'x' } }],
        }),
      },
      /1 could not be scanned/,
    ],
    [
      'root-activity-alerts',
      'no StackSet',
      { alerts: ok({ name: 'root-activity-alerts', stackSet: null }) },
      /no CloudFormation StackSet named root-activity-alerts/,
    ],
    [
      'root-activity-alerts',
      'a StackSet without instances',
      {
        alerts: ok({
          name: 'a',
          stackSet: {
            ...(COMPLIANT.alerts.ok ? COMPLIANT.alerts.value.stackSet! : ({} as never)),
            instances: 0,
            currentInstances: 0,
          },
        }),
      },
      /0 stack instances/,
    ],
    [
      'root-activity-alerts',
      'a self-managed StackSet',
      {
        alerts: ok({
          name: 'a',
          stackSet: {
            ...(COMPLIANT.alerts.ok ? COMPLIANT.alerts.value.stackSet! : ({} as never)),
            permissionModel: 'SELF_MANAGED',
          },
        }),
      },
      /SELF_MANAGED/,
    ],
    ['root-activity-alerts', 'CloudFormation unreadable', { alerts: bad('AccessDenied: x') }, /could not be read/],
  ];

  it.each(NONCOMPLIANT)('%s fails: %s', (id, _label, change, detail) => {
    const result = verdictOf({ ...COMPLIANT, ...change }, id);
    expect(result).toMatchObject({ verdict: 'fail', fix: expect.any(String) });
    expect(result.detail).toMatch(detail);
    // Only this control moved (an SCP change may move both SCP controls).
    const scpControls = ['guardrail-scp', 'no-blocking-scp'];
    const allowed = scpControls.includes(id) ? scpControls : [id];
    const failing = evaluateControls({ ...COMPLIANT, ...change }).filter((c) => c.verdict === 'fail');
    expect(failing.map((c) => c.id).filter((c) => !allowed.includes(c))).toEqual([]);
  });

  it('an OU inherits the guardrail from any ancestor', () => {
    const facts = {
      ...COMPLIANT,
      scps: ok([{ id: 'p-g', name: 'g', content: GUARDRAIL, targets: ['ou-prod', 'ou-dev', '444444444444'] }]),
    };
    expect(verdictOf(facts, 'guardrail-scp')).toMatchObject({ verdict: 'pass', detail: 'every OU (3) inherits it' });
  });
});

describe('gathering', () => {
  const port = (overrides: Partial<PosturePort> = {}): PosturePort => ({
    callerIdentity: async () => COMPLIANT.caller,
    organization: async () => ({ ...COMPLIANT.organization, featureSet: 'ALL' }),
    organizationsFeatures: async () => ['RootCredentialsManagement', 'RootSessions'],
    serviceAccessPrincipals: async () => ['iam.amazonaws.com'],
    delegatedAdministrators: async () => ['333333333333'],
    serviceControlPolicies: async () => [
      { id: 'p-guard', name: 'g', content: GUARDRAIL, targets: async () => ['r-root'] },
    ],
    organizationTree: async () => (COMPLIANT.tree.ok ? COMPLIANT.tree.value : ({} as never)),
    stackSet: async () => (COMPLIANT.alerts.ok ? COMPLIANT.alerts.value.stackSet : null),
    ...overrides,
  });
  const fleet = {
    audit: async () => (COMPLIANT.accounts.ok ? [...COMPLIANT.accounts.value] : []),
    lockouts: async () => ({ regions: ['us-east-1'], totals: TOTALS, rows: [] }),
  };

  it('a read that fails fails its controls only, naming the error', async () => {
    const failing = port({
      organizationsFeatures: async () =>
        Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })),
    });
    const report = buildReport(await gatherPosture(failing, fleet, { alertsStackSet: 'root-activity-alerts' }));
    expect(report.controls.filter((c) => c.verdict === 'fail').map((c) => [c.id, c.detail])).toEqual([
      ['organization-features', 'iam:ListOrganizationsFeatures could not be read: AccessDeniedException: denied'],
    ]);
    expect(report.caller.role).toBe('delegated-admin');
    expect(report.summary).toEqual({ controls: 8, passed: 7, failed: 1 });
  });

  it('a fleet pass that throws fails its control, and the report is still made', async () => {
    const report = buildReport(
      await gatherPosture(
        port(),
        { ...fleet, lockouts: async () => Promise.reject(new Error('boom')) },
        { alertsStackSet: 'x' },
      ),
    );
    expect(report.controls.find((c) => c.id === 'lockouts')).toMatchObject({
      verdict: 'fail',
      detail: 'the lock-out scan could not be read: Error: boom',
    });
  });
});

describe('renderers', () => {
  it('escape what they are given', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    expect(escapeXml('a<b>&"\'\u0001\u0008c')).toBe('a&lt;b&gt;&amp;&quot;&apos;c');
  });

  it('JUnit: one testcase per control, failures with detail and fix', () => {
    const facts = { ...COMPLIANT, delegatedAdministrators: ok([]) as PostureFacts['delegatedAdministrators'] };
    const xml = renderJunit(buildReport(facts, new Date('2026-01-01T00:00:00Z')));
    expect(xml.match(/<testcase /g)).toHaveLength(8);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toContain(
      '<testsuites name="centralized-root posture" tests="8" failures="1" errors="0" skipped="0" time="0">',
    );
    expect(xml).toMatch(
      /<testcase classname="centralized-root.delegated-administrator" name="[^"]+\[CIS 2.1.1, 2.1.6; Prowler organizations_delegated_administrators\]" time="0">.*<failure message="no IAM delegated administrator is registered[^"]*" type="delegated-administrator">[^<]*fix: aws organizations register-delegated-administrator/s,
    );
    expect(xml).toContain('name="No bucket or queue policy locks its owner out" time="0">');
  });

  it('HTML: no script, no external reference, and a policy that forbids loading anything', () => {
    const html = renderHtml(buildReport(COMPLIANT));
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
  });
});

describe('parameters', () => {
  it.each([
    [{ output: 'pdf' }, /--output "pdf"/],
    [{ out: '' }, /--out ""/],
    [{ out: tmpdir() }, /not a directory/],
    [{ 'alerts-stack-set': '1bad' }, /--alerts-stack-set "1bad"/],
  ])('refuses %j', (values, message) => {
    expect(() => parseReportParams(values)).toThrow(message);
  });

  it("defaults to HTML on stdout and the module's StackSet name", () => {
    expect(parseReportParams({})).toEqual({ output: 'html', out: undefined, alertsStackSet: 'root-activity-alerts' });
  });
});

describeWithBrowser('a hostile report in a real browser', () => {
  const browser = useBrowser();
  const hostile = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';

  it('shows hostile names as text and runs or loads nothing', async () => {
    const facts: PostureFacts = {
      ...COMPLIANT,
      accounts: ok([{ account: '222222222222', name: hostile, state: 'root-credentials', detail: hostile }]),
      lockouts: ok({
        regions: ['us-east-1'],
        totals: TOTALS,
        rows: [{ ...LOCKED, resource: hostile, fix: `runbook s3-unlock --bucket '${hostile}'` }],
      }),
    };
    const file = join(mkdtempSync(join(tmpdir(), 'hostile-')), 'report.html');
    writeFileSync(file, renderHtml(buildReport(facts)));
    const { page, requests } = await browser.open(pathToFileURL(file).href);
    expect(await page.title()).toBe('Centralized root access posture — o-abc123def4');
    expect(await page.locator('img, script, iframe').count()).toBe(0);
    expect(await page.locator('#accounts').innerText()).toContain(hostile);
    expect(await page.locator('#lockouts').innerText()).toContain(hostile);
    expect(requests).toEqual([pathToFileURL(file).href]);
    await page.close();
  });
});
