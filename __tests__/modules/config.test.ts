/** The `cdktf deploy` config: every bad input is refused with the field's path and what is allowed. */
import { ConfigError, parseConfig } from '../../modules/lib/config';
import { buildApp } from '../../modules/lib/deploy';

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
      /^config\.guardrails\.targets has "ou-bad", which is not a valid root, OU or account id/,
    );
    expect(() =>
      build("operators: [{ name: A, profile: custom, trustedPrincipalArns: ['arn:aws:iam::123456789012:role/X'] }]"),
    ).toThrow(/^config\.operators\[0\]\.profile is "custom" but tasks is empty/);
  });

  test('an s3 backend needs its bucket, and sandbox mode needs an endpoint', () => {
    expect(() => parseConfig('region: us-east-1\nbackend: { type: s3, key: k, region: us-east-1 }')).toThrow(
      /config\.backend\.bucket: required for an s3 backend/,
    );
    expect(() => build('sandbox: true')).toThrow(ConfigError);
    expect(() => build('sandbox: true')).toThrow(/AWS_ENDPOINT_URL/);
  });

  test('YAML that does not parse is refused', () => {
    expect(() => parseConfig('region: [')).toThrow(/not valid YAML\/JSON/);
  });
});
