/** The client factory's per-process sharing: SDK modules loaded once, one keep-alive pool for every client. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, sdk, type Session } from '../../runbooks/engine/clients';

const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/x</Arn><UserId>AIDX</UserId><Account>123456789012</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

describe('client factory', () => {
  let server: Server;
  let connections = 0;
  let endpointUrl: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
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

  const session = (connections?: number): Session => ({
    settings: { region: 'us-east-1', endpointUrl, env: {}, log: () => undefined, connections },
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
});
