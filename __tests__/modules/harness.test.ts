/** The Terraform harness's own contract: offline mirror with registry fallback, child-only CLI config. */
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProviderMirror, renderCliConfig, renderSandboxProvider, terraformSetup } from '../../emulator/terraform';

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

  test('the sandbox provider block points every service at the endpoint with the test flags', () => {
    const block = renderSandboxProvider('http://127.0.0.1:5000');
    for (const service of ['sts', 'iam', 'organizations', 's3', 'sqs', 'cloudformation']) {
      expect(block).toMatch(new RegExp(`${service} += "http://127.0.0.1:5000"`));
    }
    for (const flag of [
      'skip_credentials_validation',
      'skip_requesting_account_id',
      'skip_metadata_api_check',
      's3_use_path_style',
    ]) {
      expect(block).toMatch(new RegExp(`${flag} += true`));
    }
    expect(block).toMatch(/max_retries += 3/);
    expect(block).toMatch(/region += "us-east-1"/);
  });
});
