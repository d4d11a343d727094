import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MANAGEMENT_ACCOUNT_ID, startSandbox } from '../../emulator/sandbox';
import { describeWithSandbox, MANAGEMENT_CREDENTIALS } from '../../test-support/sandbox';

const SERVER = path.join(__dirname, '..', '..', 'emulator', 'server.py');

async function reachable(endpoint: string): Promise<boolean> {
  try {
    return (await fetch(`${endpoint}/_sandbox/health`)).ok;
  } catch {
    return false;
  }
}

describeWithSandbox('sandbox launcher', () => {
  it('serves AWS APIs on a loopback port as the management account, then stops', async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.endpoint).toBe(`http://127.0.0.1:${sandbox.port}`);
      const sts = new STSClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: MANAGEMENT_CREDENTIALS,
      });
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe(MANAGEMENT_ACCOUNT_ID);
    } finally {
      await sandbox.stop();
    }
    expect(await reachable(sandbox.endpoint)).toBe(false);
  });

  it('starts two independent sandboxes side by side', async () => {
    const [a, b] = await Promise.all([startSandbox(), startSandbox()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(await reachable(a.endpoint)).toBe(true);
      expect(await reachable(b.endpoint)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('leaves no server behind when the process that started it is killed', async () => {
    // A child node process starts the server the way the launcher does, prints its port and is SIGKILLed
    // without stopping it: the server must notice its stdin closing and exit.
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `const { spawn } = require('node:child_process');
         const py = spawn('python3', [${JSON.stringify(SERVER)}], { stdio: ['pipe', 'pipe', 'inherit'] });
         py.stdout.once('data', (d) => { process.stdout.write(d); process.kill(process.pid, 'SIGKILL'); });`,
      ],
      { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    );
    const port = (JSON.parse(child.stdout.trim().split('\n')[0]) as { port: number }).port;
    const endpoint = `http://127.0.0.1:${port}`;
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      alive = await reachable(endpoint);
      if (alive) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive).toBe(false);
  });
});
