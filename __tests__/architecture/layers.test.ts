/**
 * The layering rule, enforced: every import of the repository's TypeScript is read (type-only imports, re-exports,
 * import() and require() included) and checked against the rules in layers.ts. A failure names the file, the
 * import and the rule it breaks.
 */
import { join } from 'node:path';
import { cycles, importGraph, importsOf, KNOWN_VIOLATIONS, sourceFiles, violation, violations } from './layers';

const ROOT = join(__dirname, '..', '..');
const AREAS = ['runbooks', 'aws', 'modules', 'main.ts', 'emulator', 'test-support', 'bench', '__tests__', 'demo'];

describe('the repository', () => {
  const files = sourceFiles(ROOT, AREAS);

  it('reads the files of every area', () => {
    for (const area of AREAS) expect(files.some((file) => file === area || file.startsWith(`${area}/`))).toBe(true);
    expect(files).toContain('runbooks/cli/main.ts');
    expect(files).toContain('runbooks/lib/pool.ts');
  });

  it('has no import that points up, sideways or into a forbidden area', () => {
    const found = violations(ROOT, files);
    const known = (v: string) => KNOWN_VIOLATIONS.some((k) => v.startsWith(`${k}:`));
    expect(found.filter((v) => !known(v))).toEqual([]);
    // An allowance whose import is gone must be removed, so the list only shrinks.
    expect(KNOWN_VIOLATIONS.filter((k) => !found.some((v) => v.startsWith(`${k}:`)))).toEqual([]);
  });

  it('has no import cycle under runbooks/', () => {
    expect(cycles(importGraph(ROOT, sourceFiles(ROOT, ['runbooks'])))).toEqual([]);
  });
});

describe('the checker', () => {
  it('finds every kind of import, type-only and dynamic ones included', () => {
    const text = [
      "import type { A } from './a';",
      "export { B } from './b';",
      "const c = () => import('./c');",
      "const d = require('./d');",
      '// not an import: "./e"',
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a', './b', './c', './d']);
  });

  it.each([
    ['runbooks/engine/runbook.ts', '../cli/command', 'engine (rank 1) must not import cli (rank 5)'],
    ['runbooks/fleet/audit.ts', '../org/doctor', 'fleet (rank 3) must not import org (rank 4)'],
    ['runbooks/policy/s3-unlock.ts', '../session/task', 'policy and session are peers'],
    ['runbooks/session/exec.ts', '../policy/lockout', 'session and policy are peers'],
    ['runbooks/lib/pool.ts', '../engine/errors', 'runbooks/lib imports nothing of the project'],
    ['runbooks/lib/pool.ts', '../../aws/root-tasks', 'runbooks/lib imports nothing of the project'],
    ['runbooks/engine/tasks.ts', '../../modules/root-operator', 'runbooks/ must not import modules/'],
    ['runbooks/cli/main.ts', '../../emulator/sandbox', 'runbooks/ must not import emulator/'],
    ['runbooks/cli/main.ts', '../../test-support/cli', 'runbooks/ must not import test-support/'],
    ['runbooks/fleet/aws.ts', 'cdktf', 'runbooks/ must not load cdktf'],
    ['runbooks/fleet/aws.ts', 'constructs', 'runbooks/ must not load constructs'],
    ['runbooks/fleet/aws.ts', '@cdktf/provider-aws/lib/iam-role', 'runbooks/ must not load @cdktf/provider-aws'],
    ['runbooks/extra.ts', './engine/errors', 'runbooks/extra.ts is not a layer folder'],
    ['runbooks/cli/main.ts', '../reports/x', 'runbooks/reports is not a layer folder'],
    ['bench/lib/cli-env.ts', '../../__tests__/support/sandbox', 'bench/ must not import __tests__/'],
    ['__tests__/reliability/calls.test.ts', '../../bench/benchmarks/call-counts', '__tests__/ must not import bench/'],
    ['test-support/cli.ts', '../__tests__/fleet/fakes', 'test-support/ must not import __tests__/'],
    ['test-support/cli.ts', '../modules/root-operator', 'test-support/ may import only the library layer'],
    ['modules/lib/stack.ts', '../../emulator/sandbox', 'modules/lib (the library) imports only itself'],
    ['modules/lib/hcl.ts', '../app/registry', 'modules/lib (the library) imports only itself'],
    ['modules/scp-guardrails/index.ts', '../root-operator', 'a module construct imports only modules/lib'],
    ['modules/scp-guardrails/index.ts', 'cdktf', 'must not load cdktf'],
    ['modules/app/deploy.ts', 'constructs', 'must not load constructs'],
    ['modules/app/deploy.ts', '../../emulator/sandbox', 'modules/app may import only the sandbox provider settings'],
    ['main.ts', './modules/lib/stack', 'main.ts imports only the application'],
    ['emulator/terraform.ts', '../modules/lib/hcl', 'emulator/ must not import modules/'],
    ['aws/root-tasks.ts', '../runbooks/engine/errors', 'aws/ must not import runbooks/'],
  ])('refuses %s importing %s', (file, specifier, reason) => {
    expect(violation(file, specifier)).toContain(reason);
  });

  it.each([
    ['runbooks/cli/commands/audit.ts', '../../fleet/audit-run'],
    ['runbooks/org/org-admin.ts', '../fleet/aws'],
    ['runbooks/fleet/delete.ts', '../engine/validate'],
    ['runbooks/policy/s3-unlock.ts', '../engine/validate'],
    ['runbooks/session/child.ts', '../lib/child-process'],
    ['runbooks/lib/pool.ts', './progress'],
    ['runbooks/engine/tasks.ts', '../../aws/root-tasks'],
    ['runbooks/engine/clients.ts', '@aws-sdk/client-sts'],
    ['__tests__/fleet/audit-e2e.test.ts', '../../test-support/cli'],
    ['__tests__/fleet/audit-e2e.test.ts', '../../runbooks/fleet/audit'],
    ['bench/benchmarks/call-counts.ts', '../../test-support/expected-calls'],
    ['bench/benchmarks/call-counts.ts', '../../emulator/proxy'],
    ['test-support/sandbox.ts', '../emulator/sandbox'],
    ['test-support/x.ts', '../modules/lib/hcl'],
    ['modules/lib/aws.ts', '@cdktf/provider-aws/lib/iam-role'],
    ['modules/root-operator/index.ts', '../../aws/root-tasks'],
    ['modules/scp-guardrails/index.ts', './catalog'],
    ['modules/app/deploy.ts', '../../emulator/terraform-provider'],
    ['modules/app/registry.ts', '../scp-guardrails'],
    ['main.ts', './modules/app/config'],
  ])('allows %s importing %s', (file, specifier) => {
    expect(violation(file, specifier)).toBeUndefined();
  });

  it('finds a cycle, and only real ones', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'outside']],
      ['d', ['a']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });
});
