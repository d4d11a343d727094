/**
 * Root sessions last at most 900 s, and a long fleet run outlives them. With 1 s sessions and 250 ms per
 * request at the proxy, a delete-root-credentials run over three accounts lasts several sessions: it must
 * assume fresh sessions as it goes and finish, not fail with ExpiredToken on a session taken at the start.
 * (Each account's own work fits in one session here; a session expiring in the middle of one account is
 * covered by the fleet's unit tests, since its timing cannot be forced deterministically through latency.)
 */
import { startFaultProxy, type FaultProxy } from '../../emulator/proxy';
import { startSandbox, type Sandbox } from '../../emulator/sandbox';
import { readRootCredentials, seedOrganization, seedRootCredentials } from '../../emulator/seed';
import { auditLines, runCli, scratchDir } from './harness';
import { describeWithSandbox } from '../../test-support/sandbox';

let sandbox: Sandbox;
let proxy: FaultProxy;

describeWithSandbox('reliability: session expiry', () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    proxy = await startFaultProxy({ target: sandbox.endpoint, latencyMs: 250 });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await sandbox?.stop();
  });

  describe('session expiry', () => {
    it('a delete-root-credentials run longer than its 1 s sessions re-assumes and completes', async () => {
      const org = await seedOrganization(sandbox.endpoint, { accounts: 3 });
      const accounts = org.accounts.map((account) => account.id);
      for (const account of accounts) {
        await seedRootCredentials(sandbox.endpoint, account, {
          loginProfile: true,
          accessKeys: 2,
          mfaDevices: 1,
          signingCertificates: 2,
        });
      }
      const scratch = scratchDir('expiry-');
      const started = Date.now();
      const result = await runCli(
        [
          'delete-root-credentials',
          '--accounts',
          accounts.join(','),
          '--duration',
          '1',
          '--yes',
          '--json',
          '--concurrency',
          '1',
        ],
        { endpoint: proxy.endpoint, scratch },
      );
      const elapsedMs = Date.now() - started;

      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      for (const account of accounts) {
        expect(await readRootCredentials(sandbox.endpoint, account)).toEqual({
          loginProfile: false,
          accessKeys: 0,
          mfaDevices: 0,
          signingCertificates: 0,
        });
      }
      // The run really outlived its first sessions several times over, and took new ones as it went.
      const assumes = proxy.log().filter((entry) => entry.action === 'AssumeRoot' && entry.status === 200).length;
      expect(elapsedMs).toBeGreaterThan(3_000);
      expect(assumes).toBeGreaterThanOrEqual(2 * accounts.length);
      expect(() => auditLines(scratch)).not.toThrow();
    }, 120_000);
  });
});
