/**
 * `npm run generate`: construct → JSON synthesis → emit step → modules/<name>/{main,variables,outputs,versions}.tf,
 * README.md and examples/, plus config/schema.json (the deploy config's JSON Schema). `--check` writes nothing and
 * exits 1 when a committed file differs from a fresh run.
 */
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { emitModule, VERSIONS_TF } from '../lib/emit';
import { alignEntries, key, render } from '../lib/hcl';
import { ModuleExample, ModuleInfo, synthesizeModule } from '../lib/module';
import { configJsonSchema } from './config';
import { MODULES } from './registry';

const ROOT = join(__dirname, '..', '..');
// Handlebars templates; named *.tpl because prettier would parse *.hbs as Glimmer and mangle the markdown.
const template = (name: string) =>
  Handlebars.compile(readFileSync(join(ROOT, 'templates', name), 'utf8'), { noEscape: false, strict: true });

/** The `module "x" { … }` block of an example; `source` is relative to where the block lives. */
export function moduleBlock(
  info: ModuleInfo,
  source: string,
  inputs: Record<string, unknown>,
  options: { label?: string; providerAlias?: string } = {},
): string {
  const entries = alignEntries(
    Object.entries(inputs).map(([k, v]) => [key(k), render(v as never)] as [string, string]),
  );
  const head = alignEntries([
    ['source', JSON.stringify(source)],
    ...(options.providerAlias ? [['providers', `{ aws = aws.${options.providerAlias} }`] as [string, string]] : []),
  ]);
  const lines = [...head, ...(entries.length > 0 ? ['', ...entries] : [])].flatMap((l) => l.split('\n'));
  const label = options.label ?? info.name.replace(/-/g, '_');
  return [`module "${label}" {`, ...lines.map((l) => (l ? `  ${l}` : l)), '}'].join('\n');
}

/** The module blocks of an example (one, or one per instance), and the outputs its root declares. */
function exampleBlocks(
  info: ModuleInfo,
  example: ModuleExample,
  source: string,
  outputs: readonly string[],
): { module: string; providers: { alias: string; comment: string }[]; outputs: { name: string; value: string }[] } {
  const moduleName = info.name.replace(/-/g, '_');
  if (!example.instances) {
    return {
      module: moduleBlock(info, source, example.inputs ?? {}),
      providers: [],
      outputs: outputs.map((name) => ({ name, value: `module.${moduleName}.${name}` })),
    };
  }
  return {
    module: example.instances
      .map((i) => moduleBlock(info, source, i.inputs, { label: i.label, providerAlias: i.provider?.alias }))
      .join('\n\n'),
    providers: example.instances.flatMap((i) => (i.provider ? [i.provider] : [])),
    outputs: example.instances.map((i) => ({ name: i.label, value: `module.${i.label}` })),
  };
}

/**
 * The git source of a module as users write it: the repository of package.json, the module's folder, and the
 * release tag, which is `v` + package.json's version (CHANGELOG.md names the same version).
 */
export function moduleSource(name: string, root = ROOT): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
    repository?: { url?: string };
  };
  const url = pkg.repository?.url?.replace(/^git\+/, '');
  if (!url?.endsWith('.git')) throw new Error('package.json needs repository.url (an https URL ending in .git)');
  return `git::${url}//modules/${name}?ref=v${pkg.version}`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Every generated file (each module's, and the config schema), keyed by path relative to the repository root. */
export function renderModules(): Map<string, string> {
  const readme = template('module-readme.md.tpl');
  const example = template('example-main.tf.tpl');
  const files = new Map<string, string>();
  for (const { info, build } of MODULES) {
    const { json, declarations } = synthesizeModule(info.name, build);
    const synth = json as Record<string, never>;
    const tf = emitModule(synth, declarations);
    const dir = join('modules', info.name);
    for (const [file, text] of Object.entries(tf)) files.set(join(dir, file), text);

    const outputs = Object.entries((synth.output ?? {}) as Record<string, { description: string }>);
    const first = info.examples[0];
    files.set(
      join(dir, 'README.md'),
      readme({
        name: info.name,
        purpose: info.purpose,
        usage: exampleBlocks(info, first, moduleSource(info.name), []).module,
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
          ...exampleBlocks(
            info,
            ex,
            '../../',
            outputs.map(([name]) => name),
          ),
        }),
      );
      files.set(join(exDir, 'versions.tf'), VERSIONS_TF);
    }
  }
  files.set(join('config', 'schema.json'), JSON.stringify(configJsonSchema(), null, 2) + '\n');
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
