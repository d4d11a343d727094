/** The Terraform harness's own contract: offline mirror with registry fallback, child-only CLI config. */
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findProviderMirror,
  makeWorkdir,
  renderCliConfig,
  terraformSetup,
  writeSandboxRoot,
} from '../../emulator/terraform';
import { sandboxProviderJson } from '../../emulator/terraform-provider';

describe('terraform harness', () => {
  const saved = process.env.TF_PROVIDER_MIRROR;
  afterEach(() => {
    if (saved === undefined) delete process.env.TF_PROVIDER_MIRROR;
    else process.env.TF_PROVIDER_MIRROR = saved;
  });

  test('TF_PROVIDER_MIRROR overrides the mirror location', () => {
    const mirror = mkdtempSync(join(tmpdir(), 'mirror-'));
    mkdirSync(join(mirror, 'registry.terraform.io'));
    process.env.TF_PROVIDER_MIRROR = mirror;
    expect(findProviderMirror()).toBe(mirror);
  });

  test('without a mirror the config falls back to the default registry', () => {
    process.env.TF_PROVIDER_MIRROR = join(tmpdir(), 'no-such-mirror');
    expect(findProviderMirror()).toBeNull();
    const config = renderCliConfig(null, '/cache');
    expect(config).toContain('plugin_cache_dir = "/cache"');
    expect(config).not.toContain('provider_installation');
  });

  test('with a mirror, hashicorp providers come from it and the plugin cache is shared', () => {
    const config = renderCliConfig('/opt/tf-plugins', '/cache');
    expect(config).toMatch(/filesystem_mirror \{\n {4}path {4}= "\/opt\/tf-plugins"/);
    expect(config).toContain('plugin_cache_may_break_dependency_lock_file = true');
  });

  test('the CLI config is given to child processes only', () => {
    const before = process.env.TF_CLI_CONFIG_FILE;
    const setup = terraformSetup();
    expect(process.env.TF_CLI_CONFIG_FILE).toBe(before);
    expect(setup.env.TF_CLI_CONFIG_FILE).toBe(setup.configFile);
    expect(readFileSync(setup.configFile, 'utf8')).toContain('plugin_cache_dir');
  });

  test('with a mirror, a shell gets -fs-mirror for `terraform providers lock`, which ignores the CLI config', () => {
    const setup = terraformSetup();
    expect(setup.shellEnv.TF_CLI_CONFIG_FILE).toBe(setup.configFile);
    expect(setup.shellEnv.TF_CLI_ARGS_providers_lock).toBe(setup.mirror ? `-fs-mirror=${setup.mirror}` : undefined);
  });

  test('the sandbox provider block points every service at the endpoint with the test flags', () => {
    const { aws } = sandboxProviderJson('http://127.0.0.1:5000').provider;
    const endpoints = (aws.endpoints as Record<string, string>[])[0];
    for (const service of ['sts', 'iam', 'organizations', 's3', 'sqs', 'cloudformation', 'events', 'sns']) {
      expect(endpoints[service]).toBe('http://127.0.0.1:5000');
    }
    for (const flag of [
      'skip_credentials_validation',
      'skip_requesting_account_id',
      'skip_metadata_api_check',
      's3_use_path_style',
    ]) {
      expect(aws[flag]).toBe(true);
    }
    expect(aws.max_retries).toBe(3);
    expect(aws.region).toBe('us-east-1');
  });

  test('a sandbox root is JSON whose inputs stay data: template sequences are escaped, the source is relative', async () => {
    const work = makeWorkdir('harness-');
    try {
      writeSandboxRoot(work.dir, 'http://127.0.0.1:5000', [
        { label: 'guardrails', module: 'scp-guardrails', inputs: { name: 'x-${var.y}-%{z}', target_ids: ['r-ab12'] } },
      ]);
      const root = JSON.parse(readFileSync(join(work.dir, 'main.tf.json'), 'utf8')) as {
        module: Record<string, Record<string, unknown>>;
      };
      expect(root.module.guardrails).toEqual({
        source: expect.stringMatching(/^\.\.?\/.*modules\/scp-guardrails$/),
        name: 'x-$${var.y}-%%{z}',
        target_ids: ['r-ab12'],
      });
      // A call may use an aliased provider (another account's keys) and take expressions, kept as expressions.
      writeSandboxRoot(
        work.dir,
        'http://127.0.0.1:5000',
        [
          {
            label: 'alerts',
            module: 'root-activity-alerts',
            provider: 'security',
            inputs: { name: 'x' },
            expressions: { central_event_bus_arn: 'module.other.event_bus_arn' },
          },
        ],
        {
          aliases: [
            { alias: 'security', credentials: { accessKeyId: 'AKIAMEMBER', secretAccessKey: 'member-secret' } },
          ],
        },
      );
      const withAlias = JSON.parse(readFileSync(join(work.dir, 'main.tf.json'), 'utf8')) as {
        module: Record<string, Record<string, unknown>>;
      };
      expect(withAlias.module.alerts).toMatchObject({
        providers: { aws: 'aws.security' },
        name: 'x',
        central_event_bus_arn: '${module.other.event_bus_arn}',
      });
      const providers = (
        JSON.parse(readFileSync(join(work.dir, 'provider.tf.json'), 'utf8')) as {
          provider: { aws: Record<string, unknown>[] };
        }
      ).provider.aws;
      expect(providers.map((p) => [p.alias, p.access_key])).toEqual([
        [undefined, 'testing'],
        ['security', 'AKIAMEMBER'],
      ]);
      expect(() => writeSandboxRoot(work.dir, 'http://127.0.0.1:5000', [{ label: 'x', module: 'no-such' }])).toThrow(
        /no generated module "no-such"/,
      );
    } finally {
      await work.cleanup();
    }
  });
});
