/**
 * The layers of modules/, read from the imports of every file:
 *   main.ts → modules/app → modules/<name> (the constructs) → modules/lib → cdktf, constructs, @cdktf/provider-aws
 * - modules/lib, the library, imports only itself and the cdktf packages: never the application or a module;
 * - a module construct imports only the library and its own folder (its provider classes come through lib/aws.ts);
 * - only modules/lib imports cdktf, constructs or @cdktf/*;
 * - modules/app may use emulator/terraform-provider.ts (the sandbox settings for `sandbox: true`), nothing else
 *   of emulator/, and nothing of runbooks/, bench/, test-support/ or __tests__/;
 * - emulator/ imports nothing from modules/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CDKTF = /^(cdktf|constructs|@cdktf\/.*)$/;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return entry === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  readonly file: string;
  /** A repository path without extension (`modules/lib/hcl`), or a package name. */
  readonly target: string;
  readonly local: boolean;
}

/** Every static and dynamic import, export-from and require of a file. */
function imports(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return specifiers.map((spec) =>
    spec.startsWith('.')
      ? { file, target: relative(ROOT, resolve(ROOT, dirname(file), spec)), local: true }
      : {
          file,
          target: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0],
          local: false,
        },
  );
}

/** The layer of a repository path: modules/lib, modules/app, modules/<name>, emulator, main, or its top folder. */
function layer(path: string): string {
  const [top, second] = path.split('/');
  if (top === 'modules') return second === 'lib' || second === 'app' ? `modules/${second}` : `modules/<${second}>`;
  if (top === 'main' || top === 'main.ts') return 'main';
  return top;
}

const FILES = ['main.ts', ...sources('modules'), ...sources('emulator')];
const ALL = FILES.flatMap(imports);
const isBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);

/** The imports that break a rule, as "file → target" lines, so a failure names them. */
const offending = (rule: (i: Import) => boolean) => ALL.filter(rule).map((i) => `${i.file} → ${i.target}`);

describe('layers of modules/', () => {
  test('the scan sees the files and their imports', () => {
    expect(FILES).toEqual(expect.arrayContaining(['main.ts', 'modules/lib/hcl.ts', 'modules/app/config.ts']));
    expect(ALL.some((i) => i.file === 'modules/app/registry.ts' && i.target === 'modules/scp-guardrails')).toBe(true);
  });

  test('the library imports only itself, node and the cdktf packages', () => {
    expect(
      offending(
        (i) =>
          layer(i.file) === 'modules/lib' &&
          (i.local ? layer(i.target) !== 'modules/lib' : !isBuiltin(i.target) && !CDKTF.test(i.target)),
      ),
    ).toEqual([]);
  });

  test('a module construct imports only the library and its own folder', () => {
    expect(
      offending((i) => {
        if (!layer(i.file).startsWith('modules/<')) return false;
        if (!i.local) return CDKTF.test(i.target);
        return layer(i.target) !== 'modules/lib' && layer(i.target) !== layer(i.file);
      }),
    ).toEqual([]);
  });

  test('only the library imports cdktf, constructs or @cdktf/*', () => {
    expect(offending((i) => !i.local && CDKTF.test(i.target) && layer(i.file) !== 'modules/lib')).toEqual([]);
  });

  test('the application uses the library, the modules and only the sandbox settings of emulator/', () => {
    const allowed = (target: string) =>
      ['modules/lib', 'modules/app'].includes(layer(target)) ||
      layer(target).startsWith('modules/<') ||
      target === 'emulator/terraform-provider';
    expect(offending((i) => layer(i.file) === 'modules/app' && i.local && !allowed(i.target))).toEqual([]);
  });

  test('main.ts imports only the application', () => {
    expect(offending((i) => i.file === 'main.ts' && (!i.local || layer(i.target) !== 'modules/app'))).toEqual([]);
  });

  test('emulator/ imports nothing from modules/', () => {
    expect(offending((i) => layer(i.file) === 'emulator' && i.local && i.target.startsWith('modules/'))).toEqual([]);
  });
});
