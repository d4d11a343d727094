/**
 * Jest helpers for suites that run the real terraform (and the real cdktf CLI): one way to say "needs terraform"
 * (and "needs the sandbox too"), with a visible skip locally and a failure under CI=true, plus the copy of the
 * generated modules that `terraform init` may write into.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkdir } from '../emulator/terraform';

export const ROOT = join(__dirname, '..');

/** The cdktf CLI of the repository's devDependencies. */
export const CDKTF_BIN = join(ROOT, 'node_modules', '.bin', 'cdktf');

/** Why each real part cannot run here (the jest global setup sets the variables), or undefined when it can. */
function missing(needs: { sandbox?: boolean; cdktf?: boolean }): string | undefined {
  const reasons = [
    process.env.TERRAFORM_UNAVAILABLE,
    needs.sandbox ? process.env.SANDBOX_UNAVAILABLE : undefined,
    needs.cdktf && !existsSync(CDKTF_BIN) ? `the cdktf CLI is not installed (${CDKTF_BIN}): run npm ci` : undefined,
  ].filter((r): r is string => r !== undefined);
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/**
 * `describe` for a suite that runs the real terraform; `needs.sandbox` adds the sandbox (python3 + moto) and
 * `needs.cdktf` the cdktf CLI. A missing part skips the suite, with the reason in its title; with CI=true it
 * fails instead.
 */
export function describeWithTerraform(
  name: string,
  body: () => void,
  needs: { sandbox?: boolean; cdktf?: boolean } = {},
): void {
  const reason = missing(needs);
  if (reason === undefined) describe(name, body);
  else if (process.env.CI === 'true') throw new Error(`${name} needs real parts in CI: ${reason}`);
  else describe.skip(`${name} (skipped: ${reason})`, body);
}

/** Copies generated modules (not their TypeScript) into a temp folder, so `terraform init` never writes into the repo. */
export function copyModules(names: readonly string[]): { dir: string; cleanup: () => Promise<void> } {
  const work = makeWorkdir('modules-');
  for (const name of names) {
    cpSync(join(ROOT, 'modules', name), join(work.dir, name), {
      recursive: true,
      filter: (src) => !src.endsWith('.ts') && !src.includes('.terraform'),
    });
  }
  return work;
}

/** A plan's result in the shape tests compare, so a failure shows the plan's text rather than `true`. */
export function planSummary(plan: { changes: boolean; output: string }): { changes: boolean; output: string } {
  return { changes: plan.changes, output: plan.changes ? plan.output : '' };
}

/** The shell lines of README's `<!-- recipe: NAME -->` block (the commands a test runs as a user would). */
export function readmeRecipe(name = 'cdktf-deploy'): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- recipe: ${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!block) throw new Error(`README.md has no <!-- recipe: ${name} --> block`);
  return block[1].split('\n').filter((line) => line.trim() !== '');
}
