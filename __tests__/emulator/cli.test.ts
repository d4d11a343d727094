import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describeOrganization } from '../../emulator/seed';
import { describeWithSandbox } from '../../test-support/sandbox';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(ROOT, 'emulator', 'cli.ts');

describeWithSandbox('npm run sandbox', () => {
  it('prints only export lines on stdout, serves a seeded org, and stops on Ctrl-C', async () => {
    const child = spawn(TSX, [CLI, '--seed', '3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.split('\n').length > 4) resolve();
      });
      void exited.then(() => reject(new Error(`the sandbox CLI exited early:\n${stderr}`)));
    });

    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+$/),
      'export AWS_REGION=us-east-1',
      'export AWS_ACCESS_KEY_ID=testing',
      'export AWS_SECRET_ACCESS_KEY=testing',
    ]);
    const endpoint = lines[0].slice('export AWS_ENDPOINT_URL='.length);
    expect(await describeOrganization(endpoint)).toMatchObject({
      accounts: 3,
      features: ['RootCredentialsManagement', 'RootSessions'],
    });
    expect(stderr).toContain('Seeded organization');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`${endpoint}/_sandbox/health`)).rejects.toThrow();
  });

  it('refuses a bad --seed with exit code 2 and says what is allowed', () => {
    const result = spawnSync(TSX, [CLI, '--seed', 'lots'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--seed must be a whole number from 0 to 20000, got "lots"');
  });
});
