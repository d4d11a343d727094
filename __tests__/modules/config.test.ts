/** The `cdktf deploy` config: every bad input is refused with the field's path and what is allowed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configJsonSchema, ConfigError, loadConfig, parseConfig } from '../../modules/app/config';
import { buildApp } from '../../modules/app/deploy';
import { readmeRecipe } from '../../test-support/terraform';

const ROOT = join(__dirname, '..', '..');
const CONFIG_DIR = join(ROOT, 'config');

const base = 'region: us-east-1\nbackend: { type: local }\n';
const build = (yaml: string, env: NodeJS.ProcessEnv = {}) => buildApp(parseConfig(base + yaml), { env });

describe('deploy config', () => {
  test.each([
    [
      'an unknown field',
      'guardrails: { target: [r-ab12] }',
      /config\.guardrails\.target: unknown field; allowed: statements, targets/,
    ],
    [
      'a wrong type',
      'organization: { manage: "yes" }',
      /config\.organization\.manage: expected a boolean, got a string/,
    ],
    [
      'a bad enum',
      'operators: [{ name: A, profile: everything }]',
      /config\.operators\[0\]\.profile: got "everything"; allowed: audit-only, unlock-only, full, custom/,
    ],
    [
      'a missing required field',
      'hubSpoke: { organizationId: o-exampleorg1, targetOuIds: [] }',
      /config\.hubSpoke\.hubTrustedPrincipalArns: required/,
    ],
  ])('%s is named', (_what, yaml, message) => {
    expect(() => parseConfig(base + yaml)).toThrow(message);
  });

  test('a value a construct refuses is reported under its config field', () => {
    expect(() => build('guardrails: { targets: [r-ab12, ou-bad] }')).toThrow(
      /^config\.guardrails\.targets\[1\]: "ou-bad" is not a valid root, OU or account id/,
    );
    expect(() =>
      build("operators: [{ name: A, profile: custom, trustedPrincipalArns: ['arn:aws:iam::123456789012:role/X'] }]"),
    ).toThrow(/^config\.operators\[0\]\.profile is "custom" but tasks is empty/);
  });

  test('an s3 backend needs its bucket, and sandbox mode needs an endpoint', () => {
    expect(() => parseConfig('region: us-east-1\nbackend: { type: s3, key: k, region: us-east-1 }')).toThrow(
      /config\.backend\.bucket: required for an s3 backend/,
    );
    expect(() => parseConfig('region: us-east-1\nbackend: { type: gcs }')).toThrow(
      /^config\.backend\.type: got "gcs"; allowed: local, s3$/,
    );
    expect(() => build('sandbox: true')).toThrow(ConfigError);
    expect(() => build('sandbox: true')).toThrow(/AWS_ENDPOINT_URL/);
  });

  test('root-activity-alerts: one stack per account of its parts, each forwarding to the central bus by its ARN', () => {
    const alerts = (extra: string) =>
      `rootActivityAlerts: { organizationId: o-exampleorg1, targetOuIds: [r-ab12]${extra} }`;
    expect(() => parseConfig(base + alerts(", stackSetAssumeRoleArn: 'arn:aws:iam::444455556666:role/Cfn'"))).toThrow(
      /^config\.rootActivityAlerts\.centralAssumeRoleArn: required with stackSetAssumeRoleArn/,
    );
    const app = build(
      alerts(
        ", centralAssumeRoleArn: 'arn:aws:iam::333333333333:role/Sec', stackSetAssumeRoleArn: 'arn:aws:iam::444455556666:role/Cfn', callAs: DELEGATED_ADMIN",
      ),
    );
    type Synth = { variable: Record<string, { default?: unknown }> };
    const stacks = Object.fromEntries(
      app.node.children.map((s) => [s.node.id, (s as unknown as { toTerraform(): Synth }).toTerraform()]),
    );
    expect(Object.keys(stacks).sort()).toEqual([
      'management',
      'root-activity-alerts-central',
      'root-activity-alerts-stack-set',
    ]);
    const parts = (id: string) =>
      ['create_central', 'create_stack_set', 'create_management_rules'].map(
        (v) => stacks[id].variable[`root_activity_alerts_${v}`].default,
      );
    expect(parts('root-activity-alerts-central')).toEqual([true, false, false]);
    expect(parts('root-activity-alerts-stack-set')).toEqual([false, true, false]);
    expect(parts('management')).toEqual([false, false, true]);
    for (const id of ['management', 'root-activity-alerts-stack-set']) {
      expect(stacks[id].variable.root_activity_alerts_central_event_bus_arn.default).toBe(
        'arn:aws:events:us-east-1:333333333333:event-bus/root-activity-alerts',
      );
    }
  });

  test('YAML that does not parse is refused, without quoting the file', () => {
    expect(() => parseConfig('region: [secret-looking-text')).toThrow(/not valid YAML\/JSON/);
    expect(() => parseConfig('region: [secret-looking-text')).not.toThrow(/secret-looking-text/);
  });

  test('a bad external id is described by its length, never echoed', () => {
    const hub =
      "hubSpoke: { organizationId: o-exampleorg1, hubTrustedPrincipalArns: ['arn:aws:iam::123456789012:role/O'], targetOuIds: [ou-ab12-11111111], externalId: 'Z' }";
    expect(() => parseConfig(base + hub)).toThrow(/^config\.hubSpoke\.externalId: must be at least 2 characters long$/);
  });

  test('every problem is reported at once, each under its own field', () => {
    const yaml = [
      'region: moon-1',
      'backend: { type: s3, key: k, region: us-east-1 }',
      'organization: { manage: "yes", features: [] }',
      'guardrails: { targets: [r-ab12, ou-bad, "12"], tagz: {} }',
      'operators: [{ name: A, profile: everything }, { trustedPrincipalArns: [x] }]',
    ].join('\n');
    let message = '';
    try {
      parseConfig(yaml);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message.split('\n').sort()).toEqual(
      [
        'config.region: "moon-1" is not a valid region name (expected ^[a-z]{2}(-[a-z]+)+-\\d$)',
        'config.backend.bucket: required for an s3 backend',
        'config.organization.manage: expected a boolean, got a string',
        'config.organization.features: must not be empty',
        'config.guardrails.targets[1]: "ou-bad" is not a valid root, OU or account id (r-xxxx, ou-xxxx-xxxxxxxx, 12 digits)',
        'config.guardrails.targets[2]: "12" is not a valid root, OU or account id (r-xxxx, ou-xxxx-xxxxxxxx, 12 digits)',
        'config.guardrails.tagz: unknown field; allowed: statements, targets, allowedRegions, globalServiceActions, excludePrincipalArns, name, tags',
        'config.operators[0].profile: got "everything"; allowed: audit-only, unlock-only, full, custom',
        'config.operators[1].name: required',
        'config.operators[1].trustedPrincipalArns[0]: "x" is not a valid IAM or STS ARN (expected ^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$)',
      ].sort(),
    );
  });

  test("the constructs' own refusals are all reported too, each under its config field", () => {
    expect(() =>
      build(
        [
          'guardrails: { statements: [DenyOutsideAllowedRegions] }',
          'operators: [{ name: A, profile: custom }, { name: B }]',
        ].join('\n'),
      ),
    ).toThrow(
      new ConfigError(
        [
          'config.guardrails.allowedRegions is empty but DenyOutsideAllowedRegions is selected',
          'config.operators[0].profile is "custom" but tasks is empty; allowed: IAMAuditRootUserCredentials, IAMCreateRootUserPassword, IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy',
          'config.operators[1]: the role trusts nobody; give trustedPrincipalArns or trustedPrincipalArnPatterns',
        ].join('\n'),
      ),
    );
  });

  test('every construct prop a user sets is reachable, and the s3 backend takes its locking table', () => {
    const app = buildApp(
      parseConfig(
        [
          'region: eu-west-1',
          'backend: { type: s3, bucket: state, key: cr, region: eu-west-1, dynamodbTable: locks, encrypt: true }',
          'guardrails: { name: org-guardrails, globalServiceActions: ["iam:*"], tags: { team: platform } }',
          'operators: [{ name: Op, trustedPrincipalArns: ["arn:aws:iam::123456789012:role/A"], maxSessionDuration: 7200 }]',
          'hubSpoke:',
          '  organizationId: o-exampleorg1',
          '  hubTrustedPrincipalArns: ["arn:aws:iam::123456789012:role/Operations"]',
          '  targetOuIds: [ou-ab12-11111111]',
          '  stackSetName: spokes',
          '  stackSetRegion: eu-central-1',
        ].join('\n'),
      ),
    );
    const stack = app.node.findChild('management') as unknown as { toTerraform(): unknown };
    const tf = stack.toTerraform() as {
      terraform: { backend: { s3: Record<string, unknown> } };
      variable: Record<string, { default?: unknown }>;
    };
    expect(tf.terraform.backend.s3).toMatchObject({
      dynamodb_table: 'locks',
      encrypt: true,
      key: 'cr/management.tfstate',
    });
    expect(tf.variable.guardrails_name.default).toBe('org-guardrails');
    expect(tf.variable.guardrails_global_service_actions.default).toEqual(['iam:*']);
    expect(tf.variable.operator_Op_max_session_duration.default).toBe(7200);
    expect(tf.variable.hub_spoke_stack_set_region.default).toBe('eu-central-1');
  });

  test('the example configs are valid and point editors at the published schema', () => {
    for (const file of ['sandbox.yaml', 'organization.example.yaml']) {
      expect(() => loadConfig(join(CONFIG_DIR, file))).not.toThrow();
      expect(readFileSync(join(CONFIG_DIR, file), 'utf8')).toMatch(
        /^# yaml-language-server: \$schema=\.\/schema\.json\n/,
      );
    }
  });

  test("the sandbox config's recipe is the README's, which the cdktf deploy test runs", () => {
    const commands = (text: string) => text.replace(/\s+#.*$/, '').trim();
    const recipe = readmeRecipe().map(commands);
    const header = readFileSync(join(CONFIG_DIR, 'sandbox.yaml'), 'utf8').match(/^# {3}\S.*$/gm) ?? [];
    expect(header.length).toBeGreaterThan(2);
    for (const line of header) expect(recipe).toContain(commands(line.slice(1)));
  });

  test('the published JSON Schema is the one the schema library derives (npm run generate writes it)', () => {
    const published = JSON.parse(readFileSync(join(CONFIG_DIR, 'schema.json'), 'utf8')) as Record<string, unknown>;
    expect(published).toEqual(configJsonSchema());
    expect(Object.keys(published.properties as object)).toEqual(
      expect.arrayContaining(['region', 'backend', 'guardrails']),
    );
  });

  test('the cdktf app (main.ts) prints every problem and exits 2, writing nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-config-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'region: moon-1\nbackend: { type: local }\nguardrails: { targets: [ou-bad] }\n');
      const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'main.ts'], {
        cwd: ROOT,
        env: { ...process.env, CENTRALIZED_ROOT_CONFIG: file, CDKTF_OUTDIR: join(dir, 'out') },
        encoding: 'utf8',
      });
      expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
      expect(run.stderr).toBe(
        `${file}: 2 problems:\n` +
          '  config.region: "moon-1" is not a valid region name (expected ^[a-z]{2}(-[a-z]+)+-\\d$)\n' +
          '  config.guardrails.targets[0]: "ou-bad" is not a valid root, OU or account id (r-xxxx, ou-xxxx-xxxxxxxx, 12 digits)\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
