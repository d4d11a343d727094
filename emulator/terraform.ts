/**
 * The Terraform harness: runs the real terraform binary in temp folders, offline when a provider mirror exists.
 *
 * The CLI config is written to a temp file and handed to child processes only (TF_CLI_CONFIG_FILE in their env),
 * because the preset value in this environment names a file that does not exist and the parent must stay untouched.
 * A shared plugin_cache_dir makes every `terraform init` link the 700 MB provider instead of copying it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { alignEntries, key, render, type HclValue } from '../modules/lib/hcl';
import { SANDBOX_MAX_RETRIES, SANDBOX_SERVICES } from '../modules/lib/sandbox-provider';

/** The default location of the offline filesystem mirror of hashicorp/aws on the project's machines. */
export const DEFAULT_PROVIDER_MIRROR = '/opt/tf-plugins';

export interface TerraformSetup {
  /** The CLI config file written for child processes. */
  readonly configFile: string;
  /** The filesystem mirror in use, or null when providers come from the default registry. */
  readonly mirror: string | null;
  /** The environment given to every terraform child process. */
  readonly env: NodeJS.ProcessEnv;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The terraform binary: TERRAFORM_BIN overrides, otherwise the one on PATH. */
export function terraformBinary(): string {
  return process.env.TERRAFORM_BIN ?? 'terraform';
}

/** True when a terraform binary answers `terraform version`. */
export function terraformAvailable(): boolean {
  const r = spawnSync(terraformBinary(), ['version'], {
    stdio: 'ignore',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  return r.status === 0;
}

/** The mirror to use: TF_PROVIDER_MIRROR when set (and existing), else /opt/tf-plugins when present, else none. */
export function findProviderMirror(): string | null {
  const candidate = process.env.TF_PROVIDER_MIRROR ?? DEFAULT_PROVIDER_MIRROR;
  return existsSync(join(candidate, 'registry.terraform.io')) ? candidate : null;
}

/** Renders the CLI config text; exported so tests can see both the mirror and the registry fallback. */
export function renderCliConfig(mirror: string | null, pluginCacheDir: string): string {
  const lines = [
    `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}`,
    // Without a lock file entry terraform would refuse the cache and copy 700 MB on every init.
    'plugin_cache_may_break_dependency_lock_file = true',
    'disable_checkpoint = true',
  ];
  if (mirror) {
    lines.push(
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirror)}`,
      '    include = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

let setup: TerraformSetup | undefined;

/** Writes the CLI config once per process and returns the child environment that uses it. */
export function terraformSetup(): TerraformSetup {
  if (setup) return setup;
  const root = join(tmpdir(), 'centralized-root-terraform');
  const pluginCacheDir = join(root, 'plugin-cache');
  mkdirSync(pluginCacheDir, { recursive: true });
  const mirror = findProviderMirror();
  // One stable file per mirror choice (printable for shells); written via rename so concurrent runs never read
  // a half-written config.
  const configFile = join(root, mirror ? 'terraform-mirror.rc' : 'terraform-registry.rc');
  const staging = join(mkdtempSync(join(root, 'cli-')), 'terraform.rc');
  writeFileSync(staging, renderCliConfig(mirror, pluginCacheDir));
  renameSync(staging, configFile);
  rmSync(dirname(staging), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: configFile,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  };
  setup = { configFile, mirror, env };
  return setup;
}

/** Runs terraform in `dir`; resolves with the exit code and output instead of throwing. */
export function runTerraform(
  dir: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<TerraformResult> {
  const { env } = terraformSetup();
  return new Promise((resolve, reject) => {
    const child = spawn(terraformBinary(), args, {
      cwd: dir,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 600_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs terraform and throws with its output when the exit code is not one of `ok`. */
export async function terraform(
  dir: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ok?: number[] } = {},
): Promise<TerraformResult> {
  const result = await runTerraform(dir, args, options);
  if (!(options.ok ?? [0]).includes(result.code)) {
    throw new Error(
      `terraform ${args.join(' ')} in ${dir} exited ${result.code}:\n${result.stderr || result.stdout}`.trimEnd(),
    );
  }
  return result;
}

const NO_COLOR = '-no-color';

export const init = (dir: string) => terraform(dir, ['init', '-backend=false', NO_COLOR]);
export const initWithBackend = (dir: string) => terraform(dir, ['init', NO_COLOR]);
export const validate = (dir: string) => terraform(dir, ['validate', NO_COLOR]);
/** `fmt -check -recursive`: exit 3 means files need formatting; the diff is in the thrown message. */
export const fmtCheck = (dir: string) => terraform(dir, ['fmt', '-check', '-recursive', '-diff', NO_COLOR]);
export const runTests = (dir: string) => terraform(dir, ['test', NO_COLOR]);

function varArgs(vars: Record<string, unknown> = {}): string[] {
  // -var takes HCL; JSON is valid HCL for every value type terraform variables accept.
  return Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`]);
}

export const apply = (dir: string, vars?: Record<string, unknown>) =>
  terraform(dir, ['apply', '-auto-approve', NO_COLOR, ...varArgs(vars)]);
export const destroy = (dir: string, vars?: Record<string, unknown>) =>
  terraform(dir, ['destroy', '-auto-approve', NO_COLOR, ...varArgs(vars)]);

/** `plan -detailed-exitcode`: 0 = no changes, 2 = changes pending; anything else throws. */
export async function planDetailed(
  dir: string,
  vars?: Record<string, unknown>,
): Promise<{ changes: boolean; output: string }> {
  const r = await terraform(dir, ['plan', '-detailed-exitcode', NO_COLOR, ...varArgs(vars)], { ok: [0, 2] });
  return { changes: r.code === 2, output: r.stdout };
}

/** `terraform output -json`, flattened to name → value. */
export async function outputs(dir: string): Promise<Record<string, unknown>> {
  const r = await terraform(dir, ['output', '-json']);
  const parsed = JSON.parse(r.stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
}

/** A fresh temp folder; `cleanup` removes it (state included). */
export function makeWorkdir(prefix = 'tf-'): { dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface SandboxProviderOptions {
  readonly region?: string;
  readonly alias?: string;
  /** Extra lines (already HCL) appended inside the block, e.g. default_tags. */
  readonly extra?: string[];
}

/**
 * A provider block pointing hashicorp/aws at the sandbox. The skip_* flags stop the provider from calling
 * EC2/metadata APIs moto does not need to serve; see SANDBOX_MAX_RETRIES for the retry count.
 */
export function renderSandboxProvider(endpoint: string, options: SandboxProviderOptions = {}): string {
  const width = Math.max(...SANDBOX_SERVICES.map((s) => s.length));
  const endpoints = SANDBOX_SERVICES.map((s) => `    ${s.padEnd(width)} = ${JSON.stringify(endpoint)}`);
  return [
    'provider "aws" {',
    ...(options.alias ? [`  alias                       = ${JSON.stringify(options.alias)}`] : []),
    `  region                      = ${JSON.stringify(options.region ?? 'us-east-1')}`,
    '  access_key                  = "testing"',
    '  secret_key                  = "testing"',
    '  skip_credentials_validation = true',
    '  skip_requesting_account_id  = true',
    '  skip_metadata_api_check     = true',
    '  s3_use_path_style           = true',
    `  max_retries                 = ${SANDBOX_MAX_RETRIES}`,
    ...(options.extra ?? []).map((l) => `  ${l}`),
    '',
    '  endpoints {',
    ...endpoints,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The four generated modules. */
export type ModuleName = 'centralize-root-access' | 'scp-guardrails' | 'root-operator' | 'hub-spoke-roles';

export interface SandboxModuleRun {
  /** The temp root holding main.tf, provider.tf and the state. */
  readonly dir: string;
  /** The module's outputs after apply. */
  readonly outputs: Record<string, unknown>;
  /** `plan -detailed-exitcode` of the same root: changes = false means the apply converged. */
  plan(): Promise<{ changes: boolean; output: string }>;
  /** Destroys what apply created, then removes the temp root. */
  destroy(): Promise<void>;
}

export interface ModuleCall {
  /** Label of the module block (and key of its outputs). */
  readonly label: string;
  readonly module: ModuleName;
  readonly inputs?: Record<string, HclValue>;
}

/** Writes a root calling generated modules with a provider block aimed at the sandbox. */
export function writeSandboxRoot(dir: string, endpoint: string, calls: readonly ModuleCall[]): void {
  const blocks = calls.map((call) => {
    const source = relative(dir, join(__dirname, '..', 'modules', call.module));
    const args = alignEntries(Object.entries(call.inputs ?? {}).map(([k, v]) => [key(k), render(v)]));
    return [
      `module ${JSON.stringify(call.label)} {`,
      `  source = ${JSON.stringify(source.startsWith('.') ? source : `./${source}`)}`,
      ...args.flatMap((l) => l.split('\n')).map((l) => `  ${l}`),
      '}',
      '',
      // Every output, sensitive ones included, for `terraform output -json`.
      `output ${JSON.stringify(call.label)} {`,
      `  value     = module.${call.label}`,
      '  sensitive = true',
      '}',
      '',
    ].join('\n');
  });
  writeFileSync(join(dir, 'main.tf'), blocks.join('\n'));
  writeFileSync(join(dir, 'provider.tf'), renderSandboxProvider(endpoint));
}

export interface SandboxRun {
  /** The temp root holding main.tf, provider.tf and the state. */
  readonly dir: string;
  /** Outputs after apply, by module label. */
  readonly outputs: Record<string, Record<string, unknown>>;
  /** `plan -detailed-exitcode` of the same root: changes = false means the apply converged. */
  plan(): Promise<{ changes: boolean; output: string }>;
  /** Destroys what apply created, then removes the temp root. */
  destroy(): Promise<void>;
}

/**
 * init + apply of one root calling several generated modules against the sandbox (one init and one apply for
 * all: each loads the 700 MB provider). Credentials are the sandbox's management account ("testing").
 */
export async function applyToSandbox(endpoint: string, calls: readonly ModuleCall[]): Promise<SandboxRun> {
  const work = makeWorkdir('sandbox-root-');
  try {
    writeSandboxRoot(work.dir, endpoint, calls);
    await terraform(work.dir, ['init', NO_COLOR]);
    await apply(work.dir);
    const all = (await outputs(work.dir)) as Record<string, Record<string, unknown>>;
    return {
      dir: work.dir,
      outputs: all,
      plan: () => planDetailed(work.dir),
      destroy: async () => {
        try {
          await destroy(work.dir);
        } finally {
          await work.cleanup();
        }
      },
    };
  } catch (error) {
    // A failed apply may have created part of the resources: destroy best-effort, keep the first error.
    await destroy(work.dir).catch(() => undefined);
    await work.cleanup();
    throw error;
  }
}

/**
 * One call for the demo: applies one generated module (e.g. centralize-root-access) against the sandbox and
 * returns its outputs, with handles for the re-plan and the destroy.
 */
export async function applyModuleToSandbox(options: {
  module: ModuleName;
  endpoint: string;
  inputs?: Record<string, HclValue>;
}): Promise<{ outputs: Record<string, unknown> } & Omit<SandboxRun, 'outputs'>> {
  const run = await applyToSandbox(options.endpoint, [
    { label: 'this', module: options.module, inputs: options.inputs },
  ]);
  return { ...run, dir: run.dir, plan: run.plan, destroy: run.destroy, outputs: run.outputs.this ?? {} };
}

// `npx tsx emulator/terraform.ts cli-config` prints the environment line that points a shell's terraform (and
// `cdktf deploy`) at the offline mirror and the shared plugin cache.
if (require.main === module && process.argv[2] === 'cli-config') {
  process.stdout.write(`TF_CLI_CONFIG_FILE=${terraformSetup().configFile}\n`);
}
