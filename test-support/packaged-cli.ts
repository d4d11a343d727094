/**
 * The CLI as a user installs it: `npm pack`, then `npm install <tarball> --omit=dev` into an empty project, and
 * the installed `runbook` bin. The package benchmark measures it; CI runs this file to check it works:
 *
 *   npx tsx test-support/packaged-cli.ts     # packs, installs, runs --help and an audit against the sandbox
 *
 * Both expect the CLI to be built already (npm ci and npm run bench do that), so packing skips the prepare
 * script instead of compiling a second time.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../emulator/sandbox';
import { seedOrganization, seedRootCredentials } from '../emulator/seed';
import { cliEnv } from './cli-env';

const ROOT = join(__dirname, '..');

export interface PackagedCli {
  /** The scratch folder holding the tarball and the project; remove() deletes it. */
  readonly dir: string;
  readonly tarball: string;
  readonly tarballBytes: number;
  /** The empty project the tarball was installed into. */
  readonly project: string;
  /** node_modules/.bin/runbook of that project. */
  readonly bin: string;
  /** What `npm pack --json` said about the tarball's files. */
  readonly files: string[];
  remove(): void;
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}`,
    );
  }
  return result;
}

/** Packs the repository and installs the tarball, without dev dependencies, into a new empty project. */
export function packAndInstall(): PackagedCli {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-package-'));
  try {
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
    const [info] = JSON.parse(packed.stdout) as { filename: string; size: number; files: { path: string }[] }[];
    const tarball = join(dir, info.filename);
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "runbook-user", "version": "1.0.0", "private": true }\n');
    // --prefer-offline: the packages are usually in npm's cache already (npm ci put them there).
    run('npm', ['install', tarball, '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], project);
    return {
      dir,
      tarball,
      tarballBytes: info.size,
      project,
      bin: join(project, 'node_modules', '.bin', 'runbook'),
      files: info.files.map((f) => f.path),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * What the files under `dir` take (symlinks not followed): `bytes`, the sum of their sizes, and `diskBytes`, the
 * blocks the file system gives them (what du reports; many small files round up).
 */
export function treeSize(dir: string): { bytes: number; diskBytes: number } {
  const total = { bytes: 0, diskBytes: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const part = entry.isDirectory() ? treeSize(path) : fileSize(path);
    total.bytes += part.bytes;
    total.diskBytes += part.diskBytes;
  }
  return total;
}

function fileSize(path: string): { bytes: number; diskBytes: number } {
  const stat = lstatSync(path);
  return { bytes: stat.size, diskBytes: stat.blocks * 512 };
}

/** The installed packages of a project, `@scope/name` or `name`, each with its size. */
export function installedPackages(project: string): { name: string; bytes: number }[] {
  const modules = join(project, 'node_modules');
  const out: { name: string; bytes: number }[] = [];
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(join(modules, entry.name), { withFileTypes: true })) {
        const name = `${entry.name}/${scoped.name}`;
        out.push({ name, bytes: treeSize(join(modules, name)).bytes });
      }
    } else {
      out.push({ name: entry.name, bytes: treeSize(join(modules, entry.name)).bytes });
    }
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

/** What must never ship: the tests, the benchmarks' results, the demo, the sources, the sandbox. */
const NOT_SHIPPED = /^(__tests__|bench|demo|emulator|modules|runbooks|test-support|templates|config)\//;

/** The CI check: the installed bin answers --help and audits the sandbox's organization from the new project. */
async function main(): Promise<void> {
  const cli = packAndInstall();
  const sandbox = await startSandbox();
  try {
    const unwanted = cli.files.filter((file) => NOT_SHIPPED.test(file));
    if (unwanted.length > 0) throw new Error(`the tarball ships ${unwanted.join(', ')}`);
    for (const heavy of ['cdktf', 'constructs', '@cdktf/provider-aws']) {
      if (existsSync(join(cli.project, 'node_modules', heavy))) throw new Error(`the install pulled ${heavy} in`);
    }
    const help = spawnSync(cli.bin, ['--help'], { cwd: cli.project, encoding: 'utf8' });
    if (help.status !== 0 || !help.stdout.startsWith('Usage: runbook')) {
      throw new Error(`runbook --help exited ${help.status}:\n${help.stdout}${help.stderr}`);
    }
    const org = await seedOrganization(sandbox.endpoint, { accounts: 3 });
    await seedRootCredentials(sandbox.endpoint, org.accounts[0].id, { accessKeys: 1 });
    const audit = spawnSync(cli.bin, ['audit', '--all', '--output', 'json'], {
      cwd: cli.project,
      env: cliEnv(sandbox.endpoint, cli.dir),
      encoding: 'utf8',
      timeout: 120_000,
    });
    type Row = { account: string; status: string; accessKeys: unknown[] | null };
    const rows = audit.status === 0 ? (JSON.parse(audit.stdout) as Row[]) : [];
    const audited = rows.filter((row) => row.status === 'audited');
    const withKeys = audited.filter((row) => (row.accessKeys ?? []).length > 0).map((row) => row.account);
    // Every member is audited (the management account is listed as skipped), and the seeded key is found.
    if (audited.length !== org.accounts.length || withKeys.join() !== org.accounts[0].id) {
      throw new Error(`runbook audit exited ${audit.status}:\n${audit.stdout}${audit.stderr}`);
    }
    process.stdout.write(
      `installed runbook (${cli.tarballBytes} byte tarball): --help ok; audit of ${org.accounts.length} accounts ok\n`,
    );
  } finally {
    await sandbox.stop();
    cli.remove();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`packaged CLI check failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
