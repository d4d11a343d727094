import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { describeOrganization } from '../../emulator/seed';
import { describeWithSandbox } from '../../test-support/sandbox';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'emulator', 'cli.ts');
/** What `npm run sandbox` runs (package.json), started here without npm where npm is not the subject. */
const SANDBOX = [process.execPath, '--import', 'tsx', CLI] as const;

const EXPORT_LINES = [
  expect.stringMatching(/^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+$/),
  'export AWS_REGION=us-east-1',
  'export AWS_DEFAULT_REGION=us-east-1',
  'export AWS_ACCESS_KEY_ID=testing',
  'export AWS_SECRET_ACCESS_KEY=testing',
];

/** Waits for the export lines on the child's stdout (npm's own banner lines, if any, are skipped). */
function exportLines(child: ChildProcess, exited: Promise<unknown>): Promise<string[]> {
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n').filter((line) => line.startsWith('export '));
      if (lines.length === EXPORT_LINES.length && stdout.endsWith('\n')) resolve(lines);
    });
    void exited.then(() => reject(new Error(`the sandbox CLI exited early:\n${stderr}`)));
  });
}

const endpointOf = (lines: string[]) => lines[0].slice('export AWS_ENDPOINT_URL='.length);

/** Every process below `pid` (ps is on Linux and macOS alike). */
function descendants(pid: number): number[] {
  const table = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** The processes of `pids` still running (a zombie waiting to be reaped has stopped running). */
function running(pids: number[]): number[] {
  if (pids.length === 0) return [];
  const out = spawnSync('ps', ['-o', 'pid=,stat=', '-p', pids.join(',')], { encoding: 'utf8' }).stdout;
  return out
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '' && !/\sZ/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** A failed test must not leave a sandbox serving (nor its pipes holding jest open). */
function killAll(pids: number[]): void {
  for (const pid of running(pids)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Whether a new listener can take the port on 127.0.0.1. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function eventually(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeWithSandbox('npm run sandbox', () => {
  it('prints only export lines on stdout, serves a seeded org, and stops on Ctrl-C', async () => {
    const child = spawn(SANDBOX[0], [...SANDBOX.slice(1), '--seed', '3'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = await exportLines(child, exited);

    expect(stdout.trim().split('\n')).toEqual(EXPORT_LINES);
    expect(lines).toEqual(EXPORT_LINES);
    const endpoint = endpointOf(lines);
    expect(await describeOrganization(endpoint)).toMatchObject({
      accounts: 3,
      features: ['RootCredentialsManagement', 'RootSessions'],
    });
    expect(stderr).toContain('Seeded organization');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`${endpoint}/_sandbox/health`)).rejects.toThrow();
  });

  // The issue this guards: a signal to the npm process reached only npm's shell, and tsx, node and python
  // kept serving the port.
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops with its whole process tree when the npm run process gets %s, and frees the port',
    async (signal) => {
      const npm = spawn('npm', ['run', 'sandbox'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      const lines = await exportLines(npm, exited);
      const port = Number(new URL(endpointOf(lines)).port);
      const tree = descendants(npm.pid!);
      // node running the CLI, and python3 serving the port (a shell in between would be a third).
      expect(tree.length).toBeGreaterThanOrEqual(2);
      expect(await portIsFree(port)).toBe(false);

      try {
        npm.kill(signal);
        await exited;
        expect(await eventually(() => running(tree).length === 0, 10_000)).toBe(true);
        expect(await eventually(() => portIsFree(port), 5_000)).toBe(true);
      } finally {
        killAll(tree);
      }
    },
  );

  it('stops when the process that started it is killed outright', async () => {
    // A parent that dies by SIGKILL passes no signal on; the CLI notices it was orphaned.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const { spawn } = require('node:child_process');
         const child = spawn(${JSON.stringify(SANDBOX[0])}, ${JSON.stringify(SANDBOX.slice(1))}, { stdio: ['ignore', 'pipe', 'ignore'] });
         child.stdout.pipe(process.stdout);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
    const lines = await exportLines(parent, exited);
    const port = Number(new URL(endpointOf(lines)).port);
    const tree = descendants(parent.pid!);
    try {
      parent.kill('SIGKILL');
      await exited;
      expect(await eventually(() => running(tree).length === 0, 10_000)).toBe(true);
      expect(await eventually(() => portIsFree(port), 5_000)).toBe(true);
    } finally {
      killAll(tree);
    }
  });

  it('refuses a bad --seed with exit code 2 and says what is allowed', () => {
    const result = spawnSync(SANDBOX[0], [...SANDBOX.slice(1), '--seed', 'lots'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--seed must be a whole number from 0 to 20000, got "lots"');
  });
});
