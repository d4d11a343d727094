/** Shared by the module suites: terraform availability (CI fails, local skips visibly) and module copies. */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkdir } from '../../emulator/terraform';

export const ROOT = join(__dirname, '..', '..');
export const MODULE_NAMES = ['centralize-root-access', 'scp-guardrails', 'root-operator', 'hub-spoke-roles'] as const;

/** Set by the jest global setup when terraform is missing; with CI=true global setup fails instead. */
export const terraformUnavailable: string | undefined = process.env.TERRAFORM_UNAVAILABLE;

export function describeWithTerraform(name: string, body: () => void): void {
  if (terraformUnavailable === undefined) describe(name, body);
  else if (process.env.CI === 'true') throw new Error(`terraform is required in CI: ${terraformUnavailable}`);
  else describe.skip(`${name} (skipped: ${terraformUnavailable})`, body);
}

/** Copies the generated modules (not the TypeScript) into a temp folder so init never writes into the repo. */
export function copyModules(): { dir: string; cleanup: () => Promise<void> } {
  const work = makeWorkdir('modules-');
  for (const name of MODULE_NAMES) {
    cpSync(join(ROOT, 'modules', name), join(work.dir, name), {
      recursive: true,
      filter: (src) => !src.endsWith('.ts') && !src.includes('.terraform'),
    });
  }
  return work;
}
