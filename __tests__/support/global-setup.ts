/**
 * Jest global setup: checks the prerequisites of the suites that start real parts, once, quickly.
 * - python3 with moto (the AWS sandbox) and terraform on PATH.
 *   With CI=true a missing one fails the run with what to install; locally it sets SANDBOX_UNAVAILABLE /
 *   TERRAFORM_UNAVAILABLE (the reason), which the suites turn into a visible skip.
 * - The runbook CLI is built (dist/) when its sources are newer than the build, so subprocess tests run
 *   the current code even under a bare `npx jest`.
 * - XDG_RUNTIME_DIR points at a private folder of this run (global-teardown.ts removes it), so the credential
 *   cache of `runbook credentials` never writes to the real user's runtime folder, and the helpers that remove
 *   its files at expiry end with the run.
 * - The AWS SDK's Node-version warning is switched off for the workers and every subprocess they start (they
 *   inherit this environment): it says nothing about the code under test and buried the test output.
 * - terraform and its 700 MB AWS provider (Go programs, which read GOGC) collect garbage at every quadrupling of
 *   the heap instead of every doubling: a provider's start-up builds its whole schema, and its collections were
 *   about a quarter of each terraform command's CPU (a plan: 3.3 s of CPU by default, 2.5 s so, for 50 MB more
 *   memory), which on two cores is the test run's largest cost. GOGC=off saved a little more user time but cost
 *   as much again in page faults. What terraform does is unchanged; a user's own runs keep Go's defaults. A value
 *   already set is kept.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SDK_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
/** Names the runtime folder made for this run, for global-teardown.ts. */
export const RUNTIME_DIR_OF_RUN = 'RUNBOOK_TESTS_RUNTIME_DIR';

function sandboxProblem(): string | undefined {
  const python = process.env.SANDBOX_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import moto, flask, werkzeug; print(moto.__version__)'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (probe.error)
    return `${python} was not found (${probe.error.message}): install Python 3.9+ and "pip install 'moto[server]==5.2.1'"`;
  if (probe.status !== 0) return `${python} cannot import moto's server: run "pip install 'moto[server]==5.2.1'"`;
  if (!probe.stdout.trim().startsWith('5.'))
    return `moto ${probe.stdout.trim()} is installed; the sandbox needs moto 5 ("pip install 'moto[server]==5.2.1'")`;
  return undefined;
}

function terraformProblem(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const found = dirs.some((dir) => {
    try {
      fs.accessSync(path.join(dir, 'terraform'), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return found
    ? undefined
    : 'terraform is not on PATH: install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install)';
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** What tsconfig.build.json compiles into the CLI: the runbooks and the shared task list they read. */
const CLI_SOURCES = ['runbooks', 'aws'];

function buildCliIfStale(ci: boolean): void {
  if (!fs.existsSync(path.join(ROOT, 'runbooks', 'cli', 'main.ts'))) return;
  const built = path.join(ROOT, 'dist', 'runbooks', 'cli', 'main.js');
  const newest = Math.max(...CLI_SOURCES.map((dir) => newestMtime(path.join(ROOT, dir))));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest) return;
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status === 0) return;
  // tsc still emits JavaScript on type errors, so locally the suites run and the errors are shown here;
  // in CI a build that does not type-check fails the run.
  const report = `npm run build reported errors:\n${result.stdout}${result.stderr}`;
  if (ci) throw new Error(report);
  process.stderr.write(`\n[setup] ${report}\n`);
}

export default function globalSetup(): void {
  process.env[SDK_WARNING_SWITCH] = 'true';
  process.env.GOGC ??= '400';
  process.env.XDG_RUNTIME_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-tests-run-'));
  process.env[RUNTIME_DIR_OF_RUN] = process.env.XDG_RUNTIME_DIR;
  const ci = process.env.CI === 'true';
  const problems: [string, string | undefined][] = [
    ['SANDBOX_UNAVAILABLE', sandboxProblem()],
    ['TERRAFORM_UNAVAILABLE', terraformProblem()],
  ];
  for (const [variable, problem] of problems) {
    if (problem === undefined) {
      delete process.env[variable];
    } else if (ci) {
      throw new Error(`Missing prerequisite: ${problem}`);
    } else {
      process.env[variable] = problem;
      process.stderr.write(`\n[setup] ${problem}; the suites that need it are skipped.\n`);
    }
  }
  buildCliIfStale(ci);
}
