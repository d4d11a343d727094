/**
 * The import rules of the repository (ARCHITECTURE.md), as a checker the layering test runs over every file.
 *
 * - Inside runbooks/, each folder has a rank and an import may go only to its own folder or to a lower rank:
 *   no import up, none sideways (policy and session are peers at rank 2 and may not import each other).
 * - runbooks/lib is generic: it imports nothing of the project.
 * - The product code (runbooks/, modules/, main.ts, aws/) never imports the sandbox, the benchmarks, the tests
 *   or their support, and runbooks/ never imports cdktf, constructs or @cdktf/* (the CLI stays light).
 * - bench/ and __tests__/ never import each other; both may import test-support/ and emulator/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { preProcessFile } from 'typescript';

/** runbooks/<folder> → rank; higher may import lower. */
export const RUNBOOK_RANKS: Readonly<Record<string, number>> = {
  cli: 5,
  org: 4,
  fleet: 3,
  policy: 2,
  session: 2,
  engine: 1,
  lib: 0,
};

/** Top-level areas a file of an area must not import. */
const FORBIDDEN_AREAS: Readonly<Record<string, readonly string[]>> = {
  runbooks: ['modules', 'emulator', 'bench', '__tests__', 'test-support', 'demo', 'main.ts'],
  modules: ['runbooks', 'emulator', 'bench', '__tests__', 'test-support', 'demo'],
  'main.ts': ['runbooks', 'emulator', 'bench', '__tests__', 'test-support', 'demo'],
  aws: ['runbooks', 'modules', 'emulator', 'bench', '__tests__', 'test-support', 'demo', 'main.ts'],
  emulator: ['modules', 'runbooks', 'bench', '__tests__', 'test-support', 'demo', 'main.ts'],
  'test-support': ['__tests__', 'bench', 'demo'],
  bench: ['__tests__', 'demo'],
  __tests__: ['bench', 'demo'],
  demo: ['__tests__', 'bench'],
};

/** Packages runbooks/ must not load: they cost seconds and hundreds of MB, and the CLI has no use for them. */
const FORBIDDEN_IN_RUNBOOKS = [/^cdktf(\/|$)/, /^constructs(\/|$)/, /^@cdktf\//];

/**
 * Imports that break a rule today and are being removed by other work; each must still exist (a stale entry
 * fails the test), so the list can only shrink.
 */
export const KNOWN_VIOLATIONS: readonly string[] = [
  // issue 9, modules/emulator part: the Terraform harness gets its own renderer and the sandbox constants.
  "emulator/terraform.ts imports '../modules/lib/hcl'",
  "emulator/terraform.ts imports '../modules/lib/sandbox-provider'",
];

/** Every module specifier a file names: imports (type-only too), re-exports, import() and require(). */
export function importsOf(text: string): string[] {
  return preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The area of a repository path: its top-level folder, or the file itself when it sits at the root. */
function areaOf(path: string): string {
  return path.split('/')[0];
}

/**
 * Why `file` (relative to the repository root, with / separators) may not import `specifier`, or undefined
 * when it may.
 */
export function violation(file: string, specifier: string): string | undefined {
  const from = areaOf(file);
  if (!specifier.startsWith('.')) {
    if (from === 'runbooks' && FORBIDDEN_IN_RUNBOOKS.some((p) => p.test(specifier))) {
      return `runbooks/ must not load ${specifier} (cdktf belongs to modules/)`;
    }
    return undefined;
  }
  const target = posix.normalize(posix.join(posix.dirname(file), specifier));
  if (target.startsWith('..')) return `points outside the repository (${target})`;
  const to = areaOf(target);
  if (to !== from && (FORBIDDEN_AREAS[from] ?? []).includes(to)) {
    return `${from}/ must not import ${to}/`;
  }
  if (from === 'test-support' && to === 'modules' && !target.startsWith('modules/lib/')) {
    return 'test-support/ may import only the library layer of modules/ (modules/lib)';
  }
  if (from !== 'runbooks') return undefined;
  const fromFolder = file.split('/')[1];
  const fromRank = RUNBOOK_RANKS[fromFolder];
  if (fromRank === undefined) return `runbooks/${fromFolder} is not a layer folder (${layerList()})`;
  if (to !== 'runbooks') return fromFolder === 'lib' ? `runbooks/lib imports nothing of the project` : undefined;
  const toFolder = target.split('/')[1];
  if (toFolder === fromFolder) return undefined;
  if (fromFolder === 'lib') return 'runbooks/lib imports nothing of the project';
  const toRank = RUNBOOK_RANKS[toFolder];
  if (toRank === undefined) return `runbooks/${toFolder} is not a layer folder (${layerList()})`;
  if (toRank === fromRank) {
    return `${fromFolder} and ${toFolder} are peers (rank ${fromRank}): neither may import the other`;
  }
  if (toRank > fromRank) {
    return `${fromFolder} (rank ${fromRank}) must not import ${toFolder} (rank ${toRank}): imports point down only`;
  }
  return undefined;
}

function layerList(): string {
  return Object.entries(RUNBOOK_RANKS)
    .map(([folder, rank]) => `${folder} ${rank}`)
    .join(', ');
}

/** Every .ts file under `dirs` (relative to `root`), skipping node_modules, dist and generated folders. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory())
        return ['node_modules', 'dist', '.terraform', 'cdktf.out'].includes(entry.name) ? [] : walk(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  return dirs.flatMap((dir) => (dir.endsWith('.ts') ? [dir] : walk(dir)));
}

/** `file imports 'specifier': reason` for every import that breaks a rule. */
export function violations(root: string, files: readonly string[]): string[] {
  return files.flatMap((file) =>
    importsOf(readFileSync(join(root, file), 'utf8')).flatMap((specifier) => {
      const reason = violation(file, specifier);
      return reason === undefined ? [] : [`${file} imports '${specifier}': ${reason}`];
    }),
  );
}

/** The import graph of `files` (relative imports only), keyed by file without extension. */
export function importGraph(root: string, files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(readFileSync(join(root, file), 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) =>
        relative(root, resolve(root, dirname(file), s))
          .split('\\')
          .join('/'),
      );
    graph.set(file.replace(/\.ts$/, ''), targets);
  }
  return graph;
}

/** Import cycles of a graph, each as the files on it (first repeated at the end). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return found;
}
