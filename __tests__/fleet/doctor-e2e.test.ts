/**
 * doctor and enable end to end on an organization that starts with nothing enabled: doctor finds each gap,
 * enable closes them idempotently, and doctor flags an attached deny-root SCP that lacks the AssumeRoot exemption.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { describeOrganization, seedOrganization, type SeededOrg } from '../../emulator/seed';
import { describeWithSandbox, MANAGEMENT_CREDENTIALS, sandboxEnv, useSandbox } from '../../test-support/sandbox';
import { denyRootScp } from '../../test-support/scp';
import { runCli, type CliResult as Run } from '../../test-support/cli';

const denyRoot = (exempt: boolean) => denyRootScp(exempt, 'DenyRootUser');

describeWithSandbox('doctor and enable end to end', () => {
  const sandbox = useSandbox();
  const work = mkdtempSync(join(tmpdir(), 'fleet-doctor-'));
  let org: SeededOrg;
  const runbook = (...args: string[]): Promise<Run> =>
    runCli(args, {
      cwd: work,
      env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: join(work, 'audit.jsonl') },
      timeoutMs: 20_000,
    });
  const checks = (run: Run) =>
    (JSON.parse(run.stdout) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }).checks;

  beforeAll(async () => {
    org = await seedOrganization(sandbox.endpoint, { accounts: 3, trustedAccessForIam: false, features: [] });
  });

  it('doctor reports the missing trusted access and features with fixes, exit 1', async () => {
    const run = await runbook('doctor', '--json');
    expect(run.code).toBe(1);
    const byName = Object.fromEntries(checks(run).map((c) => [c.name, c]));
    expect(byName['caller identity'].ok).toBe(true);
    expect(byName['management account or IAM delegated administrator'].ok).toBe(true);
    expect(byName['trusted access for iam.amazonaws.com']).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/runbook enable/),
    });
    expect(byName['organization features RootCredentialsManagement and RootSessions'].ok).toBe(false);
    expect(byName['dry AssumeRoot (audit task) into a member account'].ok).toBe(false);
    const text = await runbook('doctor');
    expect(text.stdout).toMatch(/^✗ trusted access for iam\.amazonaws\.com: not enabled\n {4}fix: /m);
  });

  it('enable: dry-run and a refusal without --yes change nothing; --yes enables; a second run is unchanged', async () => {
    const dry = await runbook('enable', '--root-sessions', '--dry-run', '--json');
    expect(JSON.parse(dry.stdout)).toMatchObject({
      status: 'dry-run',
      steps: ['trusted-access', 'RootCredentialsManagement', 'RootSessions'],
    });
    expect((await runbook('enable', '--root-sessions')).code).toBe(3);
    expect(await describeOrganization(sandbox.endpoint)).toMatchObject({ trustedAccessForIam: false, features: [] });

    const first = await runbook('enable', '--yes', '--json');
    expect(JSON.parse(first.stdout)).toMatchObject({
      status: 'changed',
      steps: ['trusted-access', 'RootCredentialsManagement'],
    });
    const second = await runbook('enable', '--yes', '--root-sessions', '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'changed', steps: ['RootSessions'] });
    const third = await runbook('enable', '--yes', '--root-sessions', '--json');
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ status: 'unchanged', steps: [] });
    expect(await describeOrganization(sandbox.endpoint)).toMatchObject({ trustedAccessForIam: true });

    const doctor = await runbook('doctor', '--json');
    expect(checks(doctor).filter((c) => !c.ok)).toEqual([]);
    expect(doctor.code).toBe(0);
  });

  it('doctor flags an attached deny-root SCP without the aws:AssumedRoot exemption, and passes once it has it', async () => {
    const organizations = new OrganizationsClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: MANAGEMENT_CREDENTIALS,
    });
    const { Policy } = await organizations.send(
      new CreatePolicyCommand({
        Name: 'deny-root',
        Description: 'x',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: denyRoot(false),
      }),
    );
    const policyId = Policy?.PolicySummary?.Id as string;
    await organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: org.ous[0].id }));

    const flagged = await runbook('doctor', '--json');
    expect(flagged.code).toBe(1);
    const scp = checks(flagged).find((c) => c.name.startsWith('SCPs'));
    expect(scp).toMatchObject({ ok: false, fix: expect.stringMatching(/aws:AssumedRoot/) });
    expect(scp?.detail).toMatch(
      new RegExp(`deny-root \\(${policyId}, attached to ${org.ous[0].id}\\): statement DenyRootUser`),
    );

    await organizations.send(new UpdatePolicyCommand({ PolicyId: policyId, Content: denyRoot(true) }));
    const fixed = await runbook('doctor', '--json');
    expect(checks(fixed).find((c) => c.name.startsWith('SCPs'))?.ok).toBe(true);
    organizations.destroy();
  });
});
