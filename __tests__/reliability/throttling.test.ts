/**
 * The fleet commands at AWS's limits, through the fault proxy: random throttling with no cap on how often one request
 * is throttled in a row, and rate quotas (a token bucket per action), alone and together. Whatever the proxy does,
 * no account may fail and the results must be exactly those of a clean run. Correctness only: how fast this goes is
 * measured by `npm run bench -- fleet-throttling`, never here.
 */
import { startFaultProxy, type FaultProxy, type ProxyOptions } from '../../emulator/proxy';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import { readRootCredentials, seedOrganization, seedRootCredentials } from '../../emulator/seed';
import { describeWithSandbox } from '../../test-support/sandbox';
import { runCli, scratchDir } from './harness';

interface Row {
  account: string;
  status: string;
}

let sandbox: Sandbox;
let accounts: string[];
const seeded: string[] = [];
const proxies: FaultProxy[] = [];

async function proxy(options: Omit<ProxyOptions, 'target'>): Promise<FaultProxy> {
  const started = await startFaultProxy({ target: sandbox.endpoint, ...options });
  proxies.push(started);
  return started;
}

async function audit(endpoint: string): Promise<{ code: number | null; rows: Row[]; stderr: string }> {
  const result = await runCli(['audit', '--all', '--output', 'json'], {
    endpoint,
    scratch: scratchDir('throttling-'),
    timeoutMs: 280_000,
  });
  const rows = (JSON.parse(result.stdout || '[]') as Row[]).sort((a, b) => a.account.localeCompare(b.account));
  return { code: result.code, rows, stderr: result.stderr };
}

const outcomes = (p: FaultProxy) =>
  new Set(p.log().map((entry) => `${entry.service}:${entry.action}:${entry.outcome}`));

describeWithSandbox('reliability: throttling and quotas', () => {
  let clean: Row[];

  beforeAll(async () => {
    sandbox = await startSandbox();
    const org = await seedOrganization(sandbox.endpoint, { accounts: 150 });
    accounts = org.accounts.map((account) => account.id);
    for (const [index, account] of accounts.entries()) {
      if (index % 15 !== 0) continue;
      seeded.push(account);
      await seedRootCredentials(sandbox.endpoint, account, {
        loginProfile: index % 30 === 0,
        accessKeys: 1 + (index % 2),
        mfaDevices: index % 45 === 0 ? 1 : 0,
        signingCertificates: index % 60 === 0 ? 1 : 0,
      });
    }
    const run = await audit((await proxy({})).endpoint);
    expect(run.code).toBe(0);
    clean = run.rows;
    expect(clean).toHaveLength(accounts.length + 1);
  }, 120_000);

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('random throttling of 20% of every call, however often in a row: no account fails, the same result', async () => {
    const p = await proxy({ seed: 14, faults: { throttle: 0.2 } });
    const run = await audit(p.endpoint);
    expect({ code: run.code, failed: run.rows.filter((row) => row.status === 'failed') }).toEqual({
      code: 0,
      failed: [],
    });
    expect(run.rows).toEqual(clean);
    for (const kind of [
      'sts:AssumeRoot:throttled',
      'iam:GetAccountSummary:throttled',
      'iam:GetLoginProfile:throttled',
    ]) {
      expect(outcomes(p)).toContain(kind);
    }
  }, 300_000);

  it('an AssumeRoot quota and a GetAccountSummary quota, with random throttling on top: the same result', async () => {
    const p = await proxy({
      seed: 15,
      faults: { throttle: 0.2 },
      quotas: { 'sts:AssumeRoot': { rate: 25, burst: 5 }, GetAccountSummary: { rate: 40, burst: 1 } },
    });
    const run = await audit(p.endpoint);
    expect({ code: run.code, failed: run.rows.filter((row) => row.status === 'failed') }).toEqual({
      code: 0,
      failed: [],
    });
    expect(run.rows).toEqual(clean);
    expect(outcomes(p)).toContain('sts:AssumeRoot:over-quota');
    expect(outcomes(p)).toContain('iam:GetAccountSummary:over-quota');
  }, 300_000);

  it('delete-root-credentials under a quota on every action: every seeded credential goes, none fails', async () => {
    const p = await proxy({ seed: 16, faults: { throttle: 0.1 }, quotas: { '*': { rate: 10, burst: 2 } } });
    const scratch = scratchDir('throttling-delete-');
    const result = await runCli(['delete-root-credentials', '--accounts', seeded.join(','), '--yes', '--json'], {
      endpoint: p.endpoint,
      scratch,
      timeoutMs: 280_000,
    });
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    const out = JSON.parse(result.stdout) as { accounts: { account: string; result: { status: string } | null }[] };
    expect(out.accounts.map((a) => [a.account, a.result?.status])).toEqual(seeded.map((id) => [id, 'clean']));
    for (const account of seeded) {
      expect(await readRootCredentials(sandbox.endpoint, account)).toEqual({
        loginProfile: false,
        accessKeys: 0,
        mfaDevices: 0,
        signingCertificates: 0,
      });
    }
    expect(p.log().filter((entry) => entry.outcome === 'over-quota').length).toBeGreaterThan(10);
  }, 300_000);
});
