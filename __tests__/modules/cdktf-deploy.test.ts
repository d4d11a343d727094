/**
 * `cdktf deploy` as a user runs it: the README's recipe, line by line, with the real cdktf CLI and no terminal,
 * against a sandbox started the way the recipe says (`npm run sandbox -- --seed N`) and the offline provider
 * mirror. The deploy exits 0 and creates what config/sandbox.yaml declares, a second deploy changes nothing, and
 * `cdktf destroy` exits 0 and removes it all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ListPoliciesCommand } from '@aws-sdk/client-organizations';
import { describeOrganization } from '../../emulator/seed';
import { describeWithTerraform, readmeRecipe, ROOT } from '../../test-support/terraform';
import { clients, expectAwsError } from '../emulator/aws';

const LONG = 600_000;

/** What the app needs to run, linked into a temp folder so cdktf.out and the state never land in the repo. */
function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-project-'));
  for (const entry of ['cdktf.json', 'main.ts', 'package.json', 'tsconfig.json', 'modules', 'config', 'emulator']) {
    symlinkSync(join(ROOT, entry), join(dir, entry));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** The environment of a fresh shell: nothing of this machine's AWS or Terraform settings leaks in. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('TF_') && k !== 'CI'),
  );
}

/** Terminal escape sequences (ESC [ … letter). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

interface ShellResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs one line in bash (no terminal: stdin is /dev/null), as its own process group. */
function shell(
  cwd: string,
  script: string,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; done: Promise<ShellResult> } {
  const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<ShellResult>((resolve, reject) => {
    child.on('error', reject);
    // Without the colours and cursor moves of cdktf's progress display.
    child.on('close', (code) => resolve({ code, output: output.replace(ANSI, '') }));
  });
  return { child, done };
}

/** Waits for the sandbox line's `export NAME=value` lines (printed once it serves the seeded organization). */
function sandboxExports(child: ChildProcess, done: Promise<ShellResult>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the sandbox printed no exports in 60 s:\n${out}`)), 60_000);
    done.then((r) => reject(new Error(`the sandbox exited ${r.code} before it was ready:\n${r.output}`)), reject);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      // The export lines come in one write, after the seeding, in whatever order.
      if (['AWS_ENDPOINT_URL', 'AWS_SECRET_ACCESS_KEY'].every((v) => new RegExp(`^export ${v}=.*\n`, 'm').test(out))) {
        clearTimeout(timer);
        resolve(out.split('\n').filter((line) => line.startsWith('export ')));
      }
    });
  });
}

/**
 * The managed resources of the management stack's state, by address and id: what a replacement or a new resource
 * would change. (Their attributes may differ after a refresh, e.g. tags read back as {} instead of null.)
 */
function managedResources(project: string): string[] {
  const file = join(project, 'cdktf.out', 'stacks', 'management', 'terraform.management.tfstate');
  const state = JSON.parse(readFileSync(file, 'utf8')) as {
    resources: { mode: string; type: string; name: string; instances: { attributes: { id: string } }[] }[];
  };
  return state.resources
    .filter((r) => r.mode === 'managed')
    .flatMap((r) => r.instances.map((i) => `${r.type}.${r.name} ${i.attributes.id}`));
}

describeWithTerraform(
  'cdktf deploy: the README recipe with the real cdktf CLI, no terminal, offline',
  () => {
    const recipe = readmeRecipe();
    let project: string;
    let sandbox: { child: ChildProcess; done: Promise<ShellResult> } | undefined;
    let prelude: string[] = [];
    let endpoint = '';

    beforeAll(async () => {
      project = projectCopy();
      expect(recipe[0]).toMatch(/^npm run sandbox -- --seed \d+ /);
      sandbox = shell(project, recipe[0], cleanEnv());
      prelude = await sandboxExports(sandbox.child, sandbox.done);
      endpoint = /AWS_ENDPOINT_URL=(\S+)/.exec(prelude.join('\n'))![1];
    }, 90_000);

    afterAll(async () => {
      if (sandbox?.child.pid) {
        // The line is npm → tsx → node → python: stop the whole group, as Ctrl-C in its shell would.
        try {
          process.kill(-sandbox.child.pid, 'SIGINT');
        } catch {
          // already gone
        }
        await sandbox.done.catch(() => undefined);
      }
      rmSync(project, { recursive: true, force: true });
    });

    /** What config/sandbox.yaml declares is in the sandbox. */
    async function deployed(): Promise<void> {
      const { iam, organizations } = clients(endpoint);
      expect([...((await describeOrganization(endpoint)).features ?? [])].sort()).toEqual([
        'RootCredentialsManagement',
        'RootSessions',
      ]);
      const role = await iam.send(new GetRoleCommand({ RoleName: 'RootOperator' }));
      expect(role.Role?.Arn).toBe('arn:aws:iam::123456789012:role/RootOperator');
      const scps = await organizations.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
      expect(scps.Policies?.map((p) => p.Name)).toContain('centralized-root-guardrails-1');
    }

    test(
      'deploy exits 0 and creates the config, a second deploy changes nothing, destroy exits 0 and removes it',
      async () => {
        const commands = recipe.filter((line) => !line.startsWith('export ')).slice(1);
        expect(commands.map((c) => c.replace(/\s+#.*$/, ''))).toEqual([
          'npx cdktf deploy management --auto-approve',
          'npx cdktf deploy management --auto-approve',
          'npx cdktf destroy management --auto-approve',
        ]);
        let afterFirst: string[] = [];
        const results: { line: string; result: ShellResult }[] = [];
        // An `export` line holds for the commands after it, as in one shell.
        const exports = [...prelude];
        for (const line of recipe.slice(1)) {
          if (line.startsWith('export ')) {
            exports.push(line);
            continue;
          }
          const result = await shell(project, [...exports, line].join('\n'), cleanEnv()).done;
          results.push({ line, result });
          // A failure shows the command's output; cdktf's own crashes exit non-zero too.
          expect({ line, code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({
            line,
            code: 0,
            output: '',
          });
          expect(result.output).not.toMatch(/Raw mode is not supported|TypeError|could not connect to registry/);
          if (results.length === 1) {
            await deployed();
            afterFirst = managedResources(project);
            expect(afterFirst.length).toBeGreaterThanOrEqual(4);
          } else if (results.length === 2) {
            // Nothing to do: terraform applied no change, and every resource is the one the first deploy created.
            expect(result.output).toMatch(/No changes\. Your infrastructure matches the configuration\./);
            expect(result.output).toMatch(/Resources: 0 added, 0 changed, 0 destroyed/);
            expect(managedResources(project)).toEqual(afterFirst);
          }
        }
        const { iam, organizations } = clients(endpoint);
        expect((await describeOrganization(endpoint)).features ?? []).toEqual([]);
        await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'RootOperator' })), 'NoSuchEntityException');
        const scps = await organizations.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
        expect(scps.Policies?.map((p) => p.Name)).not.toContain('centralized-root-guardrails-1');
      },
      LONG,
    );
  },
  { sandbox: true, cdktf: true },
);
