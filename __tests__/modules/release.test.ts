/**
 * One version everywhere a user reads it: package.json, the latest release of CHANGELOG.md, and the `?ref=v…` of
 * every module usage example (the generated module READMEs and the top README), whose tag convention is
 * `v` + the version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { moduleSource } from '../../modules/app/generate';
import { MODULE_NAMES } from '../../modules/app/registry';

const ROOT = join(__dirname, '..', '..');
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');
const version = (JSON.parse(read('package.json')) as { version: string }).version;

describe('release version and tag', () => {
  test('the changelog keeps an Unreleased section and its latest release is the package version, dated', () => {
    const changelog = read('CHANGELOG.md');
    const headings = [...changelog.matchAll(/^## \[([^\]]+)\](.*)$/gm)].map((m) => [m[1], m[2].trim()]);
    expect(headings[0]?.[0]).toBe('Unreleased');
    const [latest, date] = headings.find(([name]) => name !== 'Unreleased') ?? [];
    expect({ latest, dated: /^- \d{4}-\d{2}-\d{2}$/.test(date ?? '') }).toEqual({ latest: version, dated: true });
  });

  test.each(MODULE_NAMES)('the %s README pins the module to the release tag', (name) => {
    const readme = read('modules', name, 'README.md');
    // One module block, or one per part of a module applied in several accounts: each pinned the same way.
    const sources = [...readme.matchAll(/source\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(0);
    expect(new Set(sources)).toEqual(new Set([moduleSource(name)]));
    expect(sources[0]).toMatch(new RegExp(`^git::https://[^"]+\\.git//modules/${name}\\?ref=v${version}$`));
  });

  test('the top README pins its module example to the same tag', () => {
    const sources = [...read('README.md').matchAll(/source\s*=\s*"(git::[^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source).toBe(moduleSource(/\/\/modules\/([^?]+)/.exec(source)![1]));
  });
});
