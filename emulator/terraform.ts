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
import { sandboxProviderJson } from './terraform-provider';

/** The default location of the offline filesystem mirror of hashicorp/aws on the project's machines. */
export const DEFAULT_PROVIDER_MIRROR = '/opt/tf-plugins';

export interface TerraformSetup {
  /** The CLI config file written for child processes. */
  readonly configFile: string;
  /** The filesystem mirror in use, or null when providers come from the default registry. */
  readonly mirror: string | null;
  /** The environment given to every terraform child process. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * The variables a shell needs so that its own terraform, and the cdktf CLI's, use the same config: the CLI
   * config file, and with a mirror `TF_CLI_ARGS_providers_lock`, because `terraform providers lock` (which
   * `cdktf deploy` runs before a stack's first init) ignores the CLI config's provider_installation and asks the
   * registry unless it is given `-fs-mirror`.
   */
  readonly shellEnv: Record<string, string>;
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
  const shellEnv: Record<string, string> = {
    TF_CLI_CONFIG_FILE: configFile,
    ...(mirror ? { TF_CLI_ARGS_providers_lock: `-fs-mirror=${mirror}` } : {}),
    // terraform's and cdktf's version/telemetry check, which offline only logs a connection error.
    CHECKPOINT_DISABLE: '1',
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...shellEnv,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
  setup = { configFile, mirror, env, shellEnv };
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
/**
 * `destroy -refresh=false`: the state is the one the last apply wrote, and a refresh first is a whole extra walk
 * that starts every provider configuration again. Something removed since then is a not-found on delete, which
 * the provider takes as done.
 */
export const destroy = (dir: string, vars?: Record<string, unknown>) =>
  terraform(dir, ['destroy', '-auto-approve', '-refresh=false', NO_COLOR, ...varArgs(vars)]);

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

/** A provider alias of a sandbox root, acting in another account with that account's keys. */
export interface SandboxProviderAlias {
  readonly alias: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * Writes provider.tf.json: hashicorp/aws pointed at the sandbox (emulator/terraform-provider.ts), as the
 * management account, plus one aliased provider per entry of `aliases`.
 */
export function writeSandboxProvider(
  dir: string,
  endpoint: string,
  options: { region?: string; aliases?: readonly SandboxProviderAlias[] } = {},
): void {
  const { aliases = [], ...rest } = options;
  const blocks = [
    sandboxProviderJson(endpoint, rest).provider.aws,
    ...aliases.map((a) => sandboxProviderJson(endpoint, { ...rest, ...a }).provider.aws),
  ];
  const json = { provider: { aws: blocks.length === 1 ? blocks[0] : blocks } };
  writeFileSync(join(dir, 'provider.tf.json'), JSON.stringify(json, null, 2) + '\n');
}

/** The generated modules live in modules/<name>/ at the repository root. */
const MODULES_DIR = join(__dirname, '..', 'modules');

export interface ModuleCall {
  /** Label of the module block (and key of its outputs). */
  readonly label: string;
  /** Folder name of a generated module under modules/, e.g. "scp-guardrails". */
  readonly module: string;
  /** The module's input variables, as JSON values. */
  readonly inputs?: Record<string, unknown>;
  /** Inputs that are Terraform expressions, such as another call's output: `{ bus_arn: "module.x.bus_arn" }`. */
  readonly expressions?: Record<string, string>;
  /** An alias of writeSandboxRoot's `aliases` the module uses instead of the management account's provider. */
  readonly provider?: string;
}

/** JSON syntax reads every string as a template: `${` and `%{` in data are escaped so they stay text. */
function literal<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/([$%])\{/g, '$1$1{') as T;
  if (Array.isArray(value)) return value.map(literal) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)])) as T;
  }
  return value;
}

/**
 * Writes a root calling generated modules (main.tf.json) with a provider block aimed at the sandbox
 * (provider.tf.json). JSON syntax: the inputs are data, so nothing here renders HCL.
 */
export function writeSandboxRoot(
  dir: string,
  endpoint: string,
  calls: readonly ModuleCall[],
  options: { aliases?: readonly SandboxProviderAlias[] } = {},
): void {
  const module: Record<string, unknown> = {};
  const output: Record<string, unknown> = {};
  for (const call of calls) {
    const folder = join(MODULES_DIR, call.module);
    if (!existsSync(join(folder, 'main.tf'))) {
      throw new Error(`no generated module ${JSON.stringify(call.module)} (expected ${folder}/main.tf)`);
    }
    const source = relative(dir, folder);
    module[call.label] = {
      source: source.startsWith('.') ? source : `./${source}`,
      ...(call.provider ? { providers: { aws: `aws.${call.provider}` } } : {}),
      ...literal(call.inputs ?? {}),
      ...Object.fromEntries(Object.entries(call.expressions ?? {}).map(([k, e]) => [k, `\${${e}}`])),
    };
    // Every output, sensitive ones included, for `terraform output -json`.
    output[call.label] = { value: `\${module.${call.label}}`, sensitive: true };
  }
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ module, output }, null, 2) + '\n');
  writeSandboxProvider(dir, endpoint, options);
}

export interface SandboxRun {
  /** The temp root holding main.tf.json, provider.tf.json and the state. */
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
 * all: each loads the 700 MB provider). Credentials are the sandbox's management account, and each of `aliases`
 * another account's for the calls that name it (`provider`).
 */
export async function applyToSandbox(
  endpoint: string,
  calls: readonly ModuleCall[],
  options: { aliases?: readonly SandboxProviderAlias[] } = {},
): Promise<SandboxRun> {
  const work = makeWorkdir('sandbox-root-');
  try {
    writeSandboxRoot(work.dir, endpoint, calls, options);
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
  module: string;
  endpoint: string;
  inputs?: Record<string, unknown>;
}): Promise<{ outputs: Record<string, unknown> } & Omit<SandboxRun, 'outputs'>> {
  const run = await applyToSandbox(options.endpoint, [
    { label: 'this', module: options.module, inputs: options.inputs },
  ]);
  return { ...run, outputs: run.outputs.this ?? {} };
}

// `npx tsx emulator/terraform.ts cli-config` prints the environment lines (one NAME=value per line, for
// `export $(…)`) that point a shell's terraform, and `cdktf deploy`, at the offline mirror and the shared plugin
// cache.
if (require.main === module && process.argv[2] === 'cli-config') {
  const { shellEnv } = terraformSetup();
  process.stdout.write(
    Object.entries(shellEnv)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
}
