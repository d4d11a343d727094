/**
 * The client factory's per-process sharing (SDK modules loaded once, one keep-alive pool for every client) and its
 * retries (the process's pacer instead of the SDK's retry modes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClient, sdk, type Session } from '../../runbooks/engine/clients';
import { pacingReport } from '../../runbooks/engine/retry';
import { Pacer } from '../../runbooks/lib/pacer';

const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/x</Arn><UserId>AIDX</UserId><Account>123456789012</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

describe('client factory', () => {
  let server: Server;
  let connections = 0;
  let endpointUrl: string;
  /** Throttles the first `throttleFirst` attempts of every call (one SDK invocation id per call). */
  let throttleFirst = 0;
  const attemptsOf = new Map<string, number>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const call = String(req.headers['amz-sdk-invocation-id']);
      const attempt = (attemptsOf.get(call) ?? 0) + 1;
      attemptsOf.set(call, attempt);
      req.resume();
      if (attempt <= throttleFirst) {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>',
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(IDENTITY);
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const session = (connections?: number, pacer?: Pacer): Session => ({
    settings: { region: 'us-east-1', endpointUrl, env: {}, log: () => undefined, connections, pacer },
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    label: 'root',
  });

  it('loads each SDK package once (the same module object every time)', async () => {
    expect(await sdk('iam')).toBe(await sdk('iam'));
    expect(await sdk('sts')).toBe(await sdk('sts'));
  });

  it('shares one keep-alive connection across clients, and destroying a client does not close it', async () => {
    const { GetCallerIdentityCommand } = await sdk('sts');
    const before = connections;
    for (let i = 0; i < 3; i += 1) {
      // A new client per "account", destroyed when done, as the fleet commands do.
      const sts = await createClient('sts', session(7));
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
      sts.destroy();
    }
    expect(connections - before).toBe(1);
    const [a, b, other] = await Promise.all([
      createClient('iam', session(7)),
      createClient('sts', session(7)),
      createClient('sts', session(8)),
    ]);
    expect(a.config.requestHandler).toBe(b.config.requestHandler);
    expect(other.config.requestHandler).not.toBe(a.config.requestHandler);
  });

  describe('retries', () => {
    afterEach(() => {
      throttleFirst = 0;
    });

    /** `calls` calls, 20 at a time, each throttled twice before it is answered. */
    async function throttledFleet(
      send: () => Promise<unknown>,
      calls: number,
    ): Promise<{ ok: number; failed: number }> {
      throttleFirst = 2;
      let ok = 0;
      let failed = 0;
      for (let i = 0; i < calls; i += 20) {
        const outcomes = await Promise.allSettled(Array.from({ length: Math.min(20, calls - i) }, send));
        ok += outcomes.filter((o) => o.status === 'fulfilled').length;
        failed += outcomes.filter((o) => o.status === 'rejected').length;
      }
      return { ok, failed };
    }

    it("gets every call of a fleet through throttling, where the SDK's standard retry quota runs dry", async () => {
      // The SDK's own standard mode, for contrast: its 500-token quota pays 5 per throttled retry and gets 5 back
      // per success, so a client whose every call is throttled twice runs out after about 100 calls.
      const standard = new STSClient({
        region: 'us-east-1',
        endpoint: endpointUrl,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 5,
      });
      const sdkStandard = await throttledFleet(() => standard.send(new GetCallerIdentityCommand({})), 120);
      expect(sdkStandard.failed).toBeGreaterThan(0);

      const pacer = new Pacer();
      const sts = await createClient('sts', session(7, pacer));
      const paced = await throttledFleet(() => sts.send(new GetCallerIdentityCommand({})), 120);
      expect(paced).toEqual({ ok: 120, failed: 0 });
      expect(pacer.stats()).toEqual([
        expect.objectContaining({ key: 'sts:GetCallerIdentity', accepted: 120, throttled: 240 }),
      ]);
      expect(pacingReport(pacer)).toEqual([
        expect.stringMatching(
          /^pacing: sts:GetCallerIdentity: 120 accepted, 240 throttled, limited down to [\d.]+ requests\/s$/,
        ),
      ]);
    }, 60_000);

    it('retries one throttled call far past the SDK default of 3 attempts', async () => {
      throttleFirst = 6;
      const sts = await createClient('sts', session(7, new Pacer()));
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe('123456789012');
      expect(identity.$metadata.attempts).toBe(7);
    });
  });
});
