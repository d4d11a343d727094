/**
 * Every generated module and example through the real terraform: fmt -check, init (offline mirror), validate,
 * and the module's own *.tftest.hcl (mock_provider "aws").
 */
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fmtCheck, init, runTests, validate } from '../../emulator/terraform';
import { MODULE_NAMES } from '../../modules/app/registry';
import { copyModules, describeWithTerraform, ROOT } from '../../test-support/terraform';

const examples = MODULE_NAMES.flatMap((m) =>
  readdirSync(join(ROOT, 'modules', m, 'examples')).map((e) => [m, e] as const),
);

describeWithTerraform('generated modules with terraform', () => {
  let work: ReturnType<typeof copyModules>;
  beforeAll(() => {
    work = copyModules(MODULE_NAMES);
  });
  afterAll(() => work.cleanup());

  test('every module and example is terraform fmt-clean', async () => {
    await expect(fmtCheck(work.dir)).resolves.toMatchObject({ code: 0 });
  });

  // `terraform test` validates the module before running its runs, so no separate validate is needed.
  test.each(MODULE_NAMES)('%s passes validation and its terraform tests', async (name) => {
    const dir = join(work.dir, name);
    await init(dir);
    const result = await runTests(dir);
    expect(result.stdout).toMatch(/Success! \d+ passed, 0 failed/);
  });

  // One root calling every example keeps it to one init (each init and validate loads the 700 MB provider).
  test(`all ${examples.length} examples validate`, async () => {
    const dir = join(work.dir, 'all-examples');
    mkdirSync(dir);
    const calls = examples.map(
      ([name, example]) => `module "${name}_${example}" {\n  source = "../${name}/examples/${example}"\n}\n`,
    );
    writeFileSync(join(dir, 'main.tf'), calls.join('\n'));
    await init(dir);
    await expect(validate(dir)).resolves.toMatchObject({ code: 0 });
  });
});
