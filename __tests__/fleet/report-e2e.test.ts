/**
 * runbook report end to end through the built CLI against the sandbox, twice: an organization set up the way the
 * project's modules leave it (every control passes, exit 0), then the same organization with root credentials
 * back in two accounts, a locked bucket, a blocking SCP, the guardrail on one OU only and no alerts StackSet by
 * the name asked for (those controls fail, exit 1). The HTML page is opened in a real headless Chromium and read
 * as a person sees it; the JUnit file is parsed by the browser's XML parser.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { issuedSessions, seedBucket, seedOrganization, seedRootCredentials, type SeededOrg } from '../../emulator/seed';
import type { PostureReport } from '../../runbooks/org/posture';
import { describeWithBrowser, useBrowser } from '../../test-support/browser';
import { denyRootScp } from '../../test-support/scp';
import { runCli, type CliResult } from '../../test-support/cli';
import { lastRun, ofType, trailRecords } from '../../test-support/trail';
import { describeWithSandbox, MANAGEMENT_CREDENTIALS, sandboxEnv, useSandbox } from '../../test-support/sandbox';

const denyRoot = (exempt: boolean) => denyRootScp(exempt);

const TEMPLATE = JSON.stringify({
  Resources: {
    Alerts: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'RootActivityAlertsForwarder',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
      },
    },
  },
});

/** What the page's window offers (the tests' TypeScript has no DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

const CONTROL_IDS = [
  'organization-features',
  'trusted-access',
  'delegated-administrator',
  'guardrail-scp',
  'no-blocking-scp',
  'root-credentials',
  'lockouts',
  'root-activity-alerts',
];

describeWithSandbox('runbook report end to end', () => {
  describeWithBrowser('in a real browser', () => {
    const sandbox = useSandbox();
    const browser = useBrowser();
    const work = mkdtempSync(join(tmpdir(), 'report-e2e-'));
    const auditLog = join(work, 'audit.jsonl');
    let org: SeededOrg;
    let active: string[];
    let organizations: OrganizationsClient;
    let guardrailId: string;
    let emptyOu: string;

    const runbook = (args: string[]): Promise<CliResult> =>
      runCli(args, {
        cwd: work,
        endpoint: sandbox.endpoint,
        env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: auditLog },
      });
    const json = (run: CliResult) => JSON.parse(run.stdout) as PostureReport;
    const verdicts = (report: PostureReport) => Object.fromEntries(report.controls.map((c) => [c.id, c.verdict]));

    beforeAll(async () => {
      org = await seedOrganization(sandbox.endpoint, { accounts: 6, ous: ['Prod', 'Dev'], suspendedAccounts: 1 });
      active = org.accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.id);
      const config = { endpoint: sandbox.endpoint, region: 'us-east-1', credentials: MANAGEMENT_CREDENTIALS };
      organizations = new OrganizationsClient(config);
      await organizations.send(
        new RegisterDelegatedAdministratorCommand({ AccountId: active[0], ServicePrincipal: 'iam.amazonaws.com' }),
      );
      const empty = await organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: 'Empty' }),
      );
      emptyOu = empty.OrganizationalUnit?.Id as string;
      const guardrail = await organizations.send(
        new CreatePolicyCommand({
          Name: 'deny-root-except-centralized-root',
          Description: 'guardrail',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: denyRoot(true),
        }),
      );
      guardrailId = guardrail.Policy?.PolicySummary?.Id as string;
      await organizations.send(new AttachPolicyCommand({ PolicyId: guardrailId, TargetId: org.rootId }));
      const cfn = new CloudFormationClient(config);
      await cfn.send(
        new CreateStackSetCommand({
          StackSetName: 'root-activity-alerts',
          TemplateBody: TEMPLATE,
          PermissionModel: 'SERVICE_MANAGED',
          AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      await cfn.send(
        new CreateStackInstancesCommand({
          StackSetName: 'root-activity-alerts',
          Regions: ['us-east-1'],
          DeploymentTargets: { OrganizationalUnitIds: org.ous.map((ou) => ou.id) },
        }),
      );
      cfn.destroy();
      // Strict-looking but harmless: a bucket that denies insecure transport.
      await seedBucket(sandbox.endpoint, active[1], {
        bucket: `tls-${active[1]}`,
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: '*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      });
    });
    afterAll(() => organizations?.destroy());

    it('a compliant organization: every control passes, exit 0, in JSON, JUnit and HTML', async () => {
      const run = await runbook(['report', '--output', 'json']);
      expect(run.code).toBe(0);
      const report = json(run);
      expect(report.controls.map((c) => c.id)).toEqual(CONTROL_IDS);
      expect(report.controls.filter((c) => c.verdict === 'fail')).toEqual([]);
      expect(report.accounts.byState).toEqual({ clean: active.length, 'root-credentials': 0, failed: 0, skipped: 2 });
      expect(report.caller.role).toBe('management');
      const alerts = report.controls.find((c) => c.id === 'root-activity-alerts');
      expect(alerts?.detail).toMatch(
        /StackSet root-activity-alerts \(cloudformation:DescribeStackSet, CallAs SELF\): ACTIVE, SERVICE_MANAGED, [1-9]\d* stack instances/,
      );

      const file = join(work, 'compliant.html');
      expect((await runbook(['report', '--out', file])).code).toBe(0);
      const { page, requests, errors } = await browser.open(pathToFileURL(file).href);
      expect(await page.locator('#summary').innerText()).toMatch(/8 of 8 controls pass\s+PASS/);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('a broken organization: the right controls fail with their evidence, exit 1', async () => {
      await seedRootCredentials(sandbox.endpoint, active[1], { loginProfile: true, mfaDevices: 1 });
      await seedRootCredentials(sandbox.endpoint, active[2], { accessKeys: 1 });
      await seedBucket(sandbox.endpoint, active[3], {
        bucket: `locked-${active[3]}`,
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyAllExceptPipeline',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: '*',
              Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${active[3]}:role/pipeline` } },
            },
          ],
        },
      });
      // The guardrail now only on the first OU; a blocking SCP on an OU without accounts (no session hits it).
      await organizations.send(new DetachPolicyCommand({ PolicyId: guardrailId, TargetId: org.rootId }));
      await organizations.send(new AttachPolicyCommand({ PolicyId: guardrailId, TargetId: org.ous[0].id }));
      const blocking = await organizations.send(
        new CreatePolicyCommand({
          Name: 'deny-root',
          Description: 'blocks',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: denyRoot(false),
        }),
      );
      await organizations.send(
        new AttachPolicyCommand({ PolicyId: blocking.Policy?.PolicySummary?.Id as string, TargetId: emptyOu }),
      );
      const issuedBefore = (await issuedSessions(sandbox.endpoint)).length;

      const run = await runbook(['report', '--output', 'json', '--alerts-stack-set', 'root-alerts-elsewhere']);
      expect(run.code).toBe(1);
      const report = json(run);
      expect(verdicts(report)).toEqual({
        'organization-features': 'pass',
        'trusted-access': 'pass',
        'delegated-administrator': 'pass',
        'guardrail-scp': 'fail',
        'no-blocking-scp': 'fail',
        'root-credentials': 'fail',
        lockouts: 'fail',
        'root-activity-alerts': 'fail',
      });
      const control = (id: string) => report.controls.find((c) => c.id === id)!;
      expect(control('guardrail-scp').evidence).toEqual(
        expect.arrayContaining([`not covered: OU ${org.ous[1].id} (Dev)`, `not covered: OU ${emptyOu} (Empty)`]),
      );
      expect(control('no-blocking-scp').evidence).toEqual([
        expect.stringMatching(new RegExp(`deny-root .*statement DenyRootUser, attached to ${emptyOu}`)),
      ]);
      const credentials = control('root-credentials').evidence;
      expect(credentials).toHaveLength(2);
      expect(credentials).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^${active[1]} .*: a console password, 1 MFA device`)),
          expect.stringMatching(new RegExp(`^${active[2]} .*: 1 access key`)),
        ]),
      );
      expect(control('lockouts').evidence).toEqual([
        `${active[3]} s3-bucket locked-${active[3]} (us-east-1): runbook s3-unlock --account ${active[3]} --bucket locked-${active[3]}`,
      ]);
      expect(control('root-activity-alerts').detail).toBe(
        'no CloudFormation StackSet named root-alerts-elsewhere was found',
      );
      expect(control('root-activity-alerts')).toMatchObject({
        cis: ['5.3', '2.7'],
        fix: expect.stringMatching(/root-activity-alerts module/),
      });
      expect(report.accounts.byState).toEqual({
        clean: active.length - 2,
        'root-credentials': 2,
        failed: 0,
        skipped: 2,
      });

      // The trail: the intent names the three tasks; one session record per root session (the audit's and the
      // scan's two, for every active member), each before the outcome of its account's pass; the run's outcome
      // says a control failed.
      const records = lastRun(trailRecords(auditLog), 'report');
      expect(records[0]).toMatchObject({
        type: 'intent',
        accounts: { all: true },
        task: ['IAMAuditRootUserCredentials', 'S3UnlockBucketPolicy', 'SQSUnlockQueuePolicy'].map(
          (name) => `arn:aws:iam::aws:policy/root-task/${name}`,
        ),
      });
      const sessions = ofType(records, 'session').filter((r) => r.kind === 'root');
      expect(sessions).toHaveLength(active.length * 3);
      const outcomes = ofType(records, 'outcome').filter((r) => r.account !== null);
      for (const account of active) {
        const mine = sessions.filter((r) => r.account === account);
        expect(mine.map((r) => String(r.task).split('/').pop()).sort()).toEqual([
          'IAMAuditRootUserCredentials',
          'S3UnlockBucketPolicy',
          'SQSUnlockQueuePolicy',
        ]);
        const passes = outcomes.filter((r) => r.account === account);
        expect(passes.map((r) => (r.details as { pass: string }).pass).sort()).toEqual(['audit', 'lockout-scan']);
        const auditOutcome = passes.find((r) => (r.details as { pass: string }).pass === 'audit')!;
        const scanOutcome = passes.find((r) => (r.details as { pass: string }).pass === 'lockout-scan')!;
        expect(mine.find((r) => String(r.task).endsWith('IAMAuditRootUserCredentials'))!.seq).toBeLessThan(
          auditOutcome.seq,
        );
        expect(
          mine
            .filter((r) => !String(r.task).endsWith('IAMAuditRootUserCredentials'))
            .every((r) => r.seq < scanOutcome.seq),
        ).toBe(true);
      }
      expect(records[records.length - 1]).toMatchObject({
        type: 'outcome',
        account: null,
        outcome: 'failed',
        errorCode: 'ControlsFailed',
      });
      const issued = (await issuedSessions(sandbox.endpoint)).slice(issuedBefore);
      expect(issued.map((i) => i.accessKeyId).sort()).toEqual(sessions.map((r) => r.accessKeyId).sort());
    });

    it('the HTML page shows a person the verdicts, the references, the chart and the lock-out, with no network', async () => {
      const file = join(work, 'report.html');
      const run = await runbook(['report', '--out', file, '--alerts-stack-set', 'root-alerts-elsewhere']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      const report = json(await runbook(['report', '--output', 'json', '--alerts-stack-set', 'root-alerts-elsewhere']));
      const { page, requests, errors } = await browser.open(pathToFileURL(file).href);

      expect(await page.title()).toBe(`Centralized root access posture — ${report.organization.id}`);
      expect(await page.locator('#summary').innerText()).toMatch(/3 of 8 controls pass\s+FAIL 5 controls fail/);
      for (const control of report.controls) {
        const row = page.locator(`#control-${control.id}`);
        await expect(row.isVisible()).resolves.toBe(true);
        const text = await row.innerText();
        expect(text).toContain(control.title);
        expect(text).toContain(control.verdict === 'pass' ? 'PASS' : 'FAIL');
        for (const id of control.cis) expect(text).toContain(`CIS ${id}`);
        for (const check of control.prowler) expect(text).toContain(check);
        // The badge a person sees is green for a pass and red for a fail.
        const color = await row
          .locator('.badge')
          .evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).backgroundColor);
        expect(color).toBe(control.verdict === 'pass' ? 'rgb(26, 127, 55)' : 'rgb(207, 34, 46)');
      }
      expect(await page.locator('#control-root-credentials').innerText()).toContain(
        'Fix: runbook delete-root-credentials',
      );

      // The chart: one bar per state, as long as its count says, with the count written beside it.
      const bars = await page.locator('#accounts-chart rect.bar').evaluateAll((rects) =>
        rects.map((r) => ({
          state: r.parentElement?.getAttribute('data-state'),
          width: r.getBoundingClientRect().width,
        })),
      );
      const counts = report.accounts.byState;
      const max = Math.max(...Object.values(counts));
      expect(bars.map((b) => b.state)).toEqual(['clean', 'root-credentials', 'failed', 'skipped']);
      for (const bar of bars) {
        expect(Math.abs(bar.width - (counts[bar.state as keyof typeof counts] / max) * 420)).toBeLessThanOrEqual(1);
      }
      const labels = await page.locator('#accounts-chart g').evaluateAll((groups) => groups.map((g) => g.textContent));
      expect(labels).toEqual([
        `Clean${counts.clean}`,
        `Root credentials present${counts['root-credentials']}`,
        `Audit failed${counts.failed}`,
        `Skipped${counts.skipped}`,
      ]);
      expect(await page.locator('#accounts-legend').innerText()).toMatch(
        new RegExp(`Root credentials present\\s+${counts['root-credentials']}`),
      );
      expect(await page.locator('#accounts-chart').isVisible()).toBe(true);

      // The tables a person acts on.
      expect(await page.locator('#lockouts').innerText()).toContain(
        `runbook s3-unlock --account ${active[3]} --bucket locked-${active[3]}`,
      );
      expect(await page.locator('#accounts tr[data-state="root-credentials"]').count()).toBe(2);

      // Self-contained: nothing but the file itself was requested, no script, nothing failed to load.
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(errors).toEqual([]);
      expect(await page.locator('script').count()).toBe(0);
      const screenshot = await page.screenshot({ fullPage: true });
      expect(screenshot.length).toBeGreaterThan(10_000);
      await page.close();
    });

    it('JUnit: one testcase per control, failures for the failing ones, well-formed XML', async () => {
      const run = await runbook(['report', '--output', 'junit', '--alerts-stack-set', 'root-alerts-elsewhere']);
      expect(run.code).toBe(1);
      const file = join(work, 'report.xml');
      expect(
        (await runbook(['report', '--output', 'junit', '--out', file, '--alerts-stack-set', 'root-alerts-elsewhere']))
          .code,
      ).toBe(1);
      const untimed = (xml: string) => xml.replace(/timestamp="[^"]*"/, '');
      expect(untimed(readFileSync(file, 'utf8'))).toBe(untimed(run.stdout));
      const { page } = await browser.open('about:blank');
      // In the browser: the document is parsed by Chromium's own XML parser.
      const parsed = (await page.evaluate(`(() => {
        const doc = new DOMParser().parseFromString(${JSON.stringify(run.stdout)}, 'application/xml');
        return {
          errors: doc.querySelectorAll('parsererror').length,
          suite: doc.querySelector('testsuite')?.getAttribute('failures'),
          cases: [...doc.querySelectorAll('testcase')].map((c) => ({
            id: c.getAttribute('classname'),
            name: c.getAttribute('name'),
            failed: c.querySelector('failure') !== null,
          })),
        };
      })()`)) as { errors: number; suite: string; cases: { id: string; name: string; failed: boolean }[] };
      expect(parsed.errors).toBe(0);
      expect(parsed.suite).toBe('5');
      expect(parsed.cases.map((c) => c.id)).toEqual(CONTROL_IDS.map((id) => `centralized-root.${id}`));
      expect(parsed.cases.filter((c) => c.failed).map((c) => c.id)).toEqual(
        ['guardrail-scp', 'no-blocking-scp', 'root-credentials', 'lockouts', 'root-activity-alerts'].map(
          (id) => `centralized-root.${id}`,
        ),
      );
      expect(parsed.cases[0].name).toContain('[CIS 2.1.1; Prowler iam_root_credentials_management_enabled]');
      await page.close();
    });

    it('bad input is refused before any AWS call', async () => {
      for (const args of [
        ['--output', 'pdf'],
        ['--out', work],
        ['--alerts-stack-set', 'bad name'],
        ['--regions', 'us-east-1'],
      ]) {
        const run = await runCli(['report', ...args, '--endpoint-url', 'http://127.0.0.1:9'], {
          cwd: work,
          env: { ...sandboxEnv('http://127.0.0.1:9'), RUNBOOK_AUDIT_LOG: auditLog },
        });
        expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      }
    });
  });
});
