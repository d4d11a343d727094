/**
 * `npm run generate`: construct → JSON synthesis → emit step → modules/<name>/{main,variables,outputs,versions}.tf,
 * README.md and examples/. `--check` writes nothing and exits 1 when a committed file differs from a fresh run.
 */
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { App } from 'cdktf';
import Handlebars from 'handlebars';
import { emitModule, VERSIONS_TF } from './emit';
import { alignEntries, key, render } from './hcl';
import { ModuleInfo, ModuleStack } from './module';
import { MODULES } from './registry';

const ROOT = join(__dirname, '..', '..');
// Handlebars templates; named *.tpl because prettier would parse *.hbs as Glimmer and mangle the markdown.
const template = (name: string) =>
  Handlebars.compile(readFileSync(join(ROOT, 'templates', name), 'utf8'), { noEscape: false, strict: true });

/** The `module "x" { … }` block of an example; `source` is relative to where the block lives. */
export function moduleBlock(info: ModuleInfo, source: string, inputs: Record<string, unknown>): string {
  const entries = alignEntries(
    Object.entries(inputs).map(([k, v]) => [key(k), render(v as never)] as [string, string]),
  );
  const lines = [`source = ${JSON.stringify(source)}`, ...(entries.length > 0 ? ['', ...entries] : [])].flatMap((l) =>
    l.split('\n'),
  );
  return [`module "${info.name.replace(/-/g, '_')}" {`, ...lines.map((l) => (l ? `  ${l}` : l)), '}'].join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Every generated file of every module, keyed by path relative to the repository root. */
export function renderModules(): Map<string, string> {
  const readme = template('module-readme.md.tpl');
  const example = template('example-main.tf.tpl');
  const app = new App({ outdir: join(ROOT, 'cdktf.out'), skipValidation: true });
  const files = new Map<string, string>();
  for (const { info, build } of MODULES) {
    const stack = new ModuleStack(app, info.name);
    build(stack);
    const synth = stack.toTerraform() as Record<string, never>;
    const tf = emitModule(synth);
    const dir = join('modules', info.name);
    for (const [file, text] of Object.entries(tf)) files.set(join(dir, file), text);

    const outputs = Object.entries((synth.output ?? {}) as Record<string, { description: string }>);
    const first = info.examples[0];
    files.set(
      join(dir, 'README.md'),
      readme({
        name: info.name,
        purpose: info.purpose,
        usage: moduleBlock(info, `git::https://example.com/centralized-root.git//modules/${info.name}`, first.inputs),
        examples: info.examples,
        inputs: info.variables.map((v) => ({
          name: v.name,
          description: cell(v.description),
          type: cell(v.type),
          default: v.default === undefined ? 'n/a' : '`' + cell(render(v.default).replace(/\n\s*/g, ' ')) + '`',
          required: v.default === undefined ? 'yes' : 'no',
        })),
        outputs: outputs.map(([name, o]) => ({ name, description: cell(o.description) })),
        notes: info.notes,
      }),
    );
    for (const ex of info.examples) {
      const exDir = join(dir, 'examples', ex.name);
      files.set(
        join(exDir, 'main.tf'),
        example({
          description: ex.description,
          module: moduleBlock(info, '../../', ex.inputs),
          moduleName: info.name.replace(/-/g, '_'),
          outputs: outputs.map(([name]) => name),
        }),
      );
      files.set(join(exDir, 'versions.tf'), VERSIONS_TF);
    }
  }
  return files;
}

export interface GenerateResult {
  /** Files written (or, with check, files that differ from the committed ones). */
  readonly changed: string[];
  readonly files: number;
}

/** Generates all modules; with `check`, writes nothing and reports the files that drifted. */
export function generateModules(options: { check?: boolean; root?: string } = {}): GenerateResult {
  const root = options.root ?? ROOT;
  const files = renderModules();
  const changed: string[] = [];
  for (const [path, text] of files) {
    const target = join(root, path);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === text) continue;
    changed.push(relative(root, target));
    if (!options.check) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
  }
  return { changed, files: files.size };
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  try {
    const { changed, files } = generateModules({ check });
    if (check && changed.length > 0) {
      process.stderr.write(
        `Generated modules are out of date (${changed.length} of ${files} files):\n${changed.map((f) => `  ${f}`).join('\n')}\nRun \`npm run generate\` and commit the result.\n`,
      );
      process.exitCode = 1;
    } else {
      process.stderr.write(
        check ? `All ${files} generated files are up to date.\n` : `Wrote ${changed.length} of ${files} files.\n`,
      );
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = 2;
  }
}
