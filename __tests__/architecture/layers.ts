/**
 * The import rules of the repository (ARCHITECTURE.md), as a checker the layering test runs over every file.
 *
 * - Inside runbooks/, each folder has a rank and an import may go only to its own folder or to a lower rank:
 *   no import up, none sideways (policy and session are peers at rank 2 and may not import each other).
 * - runbooks/lib is generic: it imports nothing of the project.
 * - The product code (runbooks/, modules/, main.ts, aws/) never imports the sandbox, the benchmarks, the tests
 *   or their support, and runbooks/ never imports cdktf, constructs or @cdktf/* (the CLI stays light).
 * - bench/ and __tests__/ never import each other; both may import test-support/ and emulator/.
 * - modules/ has two layers: main.ts → modules/app → modules/<name> (the constructs) → modules/lib. The library
 *   imports only itself; a construct only the library, its own folder and aws/; the application the modules,
 *   aws/ and, of emulator/, only the sandbox provider settings (for `sandbox: true` configs); main.ts only the
 *   application. Only modules/lib loads cdktf, constructs or @cdktf/*.
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
  modules: ['runbooks', 'bench', '__tests__', 'test-support', 'demo'],
  'main.ts': ['runbooks', 'emulator', 'bench', '__tests__', 'test-support', 'demo'],
  aws: ['runbooks', 'modules', 'emulator', 'bench', '__tests__', 'test-support', 'demo', 'main.ts'],
  emulator: ['modules', 'runbooks', 'bench', '__tests__', 'test-support', 'demo', 'main.ts'],
  'test-support': ['__tests__', 'bench', 'demo'],
  bench: ['__tests__', 'demo'],
  __tests__: ['bench', 'demo'],
  demo: ['__tests__', 'bench'],
};

/** The cdktf packages: they cost seconds and hundreds of MB, and only the modules' library may load them. */
const CDKTF_PACKAGES = [/^cdktf(\/|$)/, /^constructs(\/|$)/, /^@cdktf\//];

/** What the layers of modules/ allow (see the header); undefined when the import is allowed. */
function modulesViolation(file: string, target: string): string | undefined {
  const layer = (path: string) => {
    const [top, second] = path.split('/');
    if (top === 'main.ts') return 'main';
    if (top !== 'modules') return top;
    return second === 'lib' || second === 'app' ? `modules/${second}` : 'modules/<module>';
  };
  const from = layer(file);
  const to = layer(target);
  const ownFolder = target.split('/')[1] === file.split('/')[1];
  if (from === 'main' && to !== 'modules/app') return 'main.ts imports only the application (modules/app)';
  if (from === 'modules/lib' && to !== 'modules/lib') return 'modules/lib (the library) imports only itself';
  if (from === 'modules/<module>' && !ownFolder && to !== 'modules/lib' && to !== 'aws') {
    return 'a module construct imports only modules/lib, its own folder and aws/';
  }
  if (from === 'modules/app' && to === 'emulator' && target !== 'emulator/terraform-provider') {
    return 'modules/app may import only the sandbox provider settings of emulator/ (emulator/terraform-provider)';
  }
  return undefined;
}

/**
 * Imports that break a rule today and are being removed by other work; each must still exist (a stale entry
 * fails the test), so the list can only shrink.
 */
export const KNOWN_VIOLATIONS: readonly string[] = [];

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
    if (CDKTF_PACKAGES.some((p) => p.test(specifier)) && !file.startsWith('modules/lib/') && from !== '__tests__') {
      return `${from === 'runbooks' ? 'runbooks/' : from} must not load ${specifier} (only modules/lib loads cdktf)`;
    }
    return undefined;
  }
  const target = posix.normalize(posix.join(posix.dirname(file), specifier));
  if (target.startsWith('..')) return `points outside the repository (${target})`;
  const to = areaOf(target);
  if (to !== from && (FORBIDDEN_AREAS[from] ?? []).includes(to)) {
    return `${from}/ must not import ${to}/`;
  }
  if (from === 'modules' || from === 'main.ts') {
    const reason = modulesViolation(file, target);
    if (reason !== undefined) return reason;
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
