/**
 * The constructs in stack mode (the `cdktf deploy` path): early validation that names the bad value and the
 * allowed ones, and the synthesized JSON; plus the generator's drift check and the HCL printer.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CentralizeRootAccess } from '../../modules/centralize-root-access';
import { HubSpokeRoles } from '../../modules/hub-spoke-roles';
import { loadConfig } from '../../modules/app/config';
import { buildApp } from '../../modules/app/deploy';
import { generateModules, renderModules } from '../../modules/app/generate';
import { quote, quoteLiteral, raw, render } from '../../modules/lib/hcl';
import { synthStack } from '../../modules/lib/stack';
import { RootOperator } from '../../modules/root-operator';
import { ScpGuardrails } from '../../modules/scp-guardrails';
import { packStatements, renderStatements, SIDS } from '../../modules/scp-guardrails/catalog';

const hubProps = {
  organizationId: 'o-exampleorg1',
  hubTrustedPrincipalArns: ['arn:aws:iam::123456789012:role/Operations'],
  targetOuIds: ['ou-ab12-11111111'],
};

describe('construct validation (stack mode)', () => {
  test.each([
    [
      'a bad delegated administrator account id',
      () => synthStack((s) => new CentralizeRootAccess(s, 'org', { delegatedAdministratorAccountId: '12345' })),
      /delegatedAdministratorAccountId has "12345", which is not a valid account id/,
    ],
    [
      'an unknown organization feature',
      () => synthStack((s) => new CentralizeRootAccess(s, 'org', { enabledFeatures: ['RootPasswords' as never] })),
      /enabledFeatures has "RootPasswords"; allowed values: RootCredentialsManagement, RootSessions/,
    ],
    [
      'an empty feature selection',
      () => synthStack((s) => new CentralizeRootAccess(s, 'org', { enabledFeatures: [] })),
      /enabledFeatures must not be empty/,
    ],
    [
      'a bad SCP target id',
      () => synthStack((s) => new ScpGuardrails(s, 'scp', { targetIds: ['ou-nope'] })),
      /targetIds has "ou-nope", which is not a valid root, OU or account id/,
    ],
    [
      'an unknown guardrail',
      () => synthStack((s) => new ScpGuardrails(s, 'scp', { statements: ['DenyEverything'] })),
      new RegExp(`statements has "DenyEverything"; allowed values: ${SIDS.join(', ')}`),
    ],
    [
      'an empty guardrail selection',
      () => synthStack((s) => new ScpGuardrails(s, 'scp', { statements: [] })),
      /statements must not be empty/,
    ],
    [
      'an oversize guardrail statement',
      () =>
        synthStack(
          (s) =>
            new ScpGuardrails(s, 'scp', {
              statements: ['DenyLeaveOrganization'],
              excludePrincipalArns: Array.from({ length: 200 }, (_, i) => `arn:aws:iam::*:role/exempt-role-${i}`),
            }),
        ),
      /statement DenyLeaveOrganization is \d+ characters minified and cannot fit in one SCP/,
    ],
    [
      'a bad exempted principal ARN',
      () => synthStack((s) => new ScpGuardrails(s, 'scp', { excludePrincipalArns: ['OrganizationAccountAccessRole'] })),
      /excludePrincipalArns has "OrganizationAccountAccessRole", which is not a valid IAM or STS ARN/,
    ],
    [
      'a custom operator without tasks',
      () =>
        synthStack(
          (s) =>
            new RootOperator(s, 'op', {
              trustedPrincipalArns: ['arn:aws:iam::123456789012:role/A'],
              taskProfile: 'custom',
            }),
        ),
      /taskProfile is "custom" but tasks is empty/,
    ],
    ['an operator trusting nobody', () => synthStack((s) => new RootOperator(s, 'op', {})), /the role trusts nobody/],
    [
      'a spoke target that is an account, not an OU',
      () => synthStack((s) => new HubSpokeRoles(s, 'hub', { ...hubProps, targetOuIds: ['123456789012'] })),
      /targetOuIds has "123456789012", which is not a valid OU or root id/,
    ],
    [
      'a missing organization id',
      () => synthStack((s) => new HubSpokeRoles(s, 'hub', { ...hubProps, organizationId: undefined as never })),
      /organizationId is required/,
    ],
  ])('%s is refused early', (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test('a valid configuration synthesizes with prefixed, stable addresses', () => {
    const json = synthStack((s) => {
      new CentralizeRootAccess(s, 'org', { manageOrganization: true });
      new ScpGuardrails(s, 'guardrails', { targetIds: ['r-ab12'] });
    }) as { resource: Record<string, Record<string, unknown>> };
    expect(Object.keys(json.resource.aws_organizations_organization)).toEqual(['org_this']);
    expect(Object.keys(json.resource.aws_organizations_policy)).toEqual(['guardrails_this']);
  });
});

describe('synthesis snapshot', () => {
  test('the full example config synthesizes to the same stacks', () => {
    const app = buildApp(loadConfig(join(__dirname, '..', '..', 'config', 'organization.example.yaml')), {
      outdir: join(tmpdir(), 'centralized-root-snapshot'),
    });
    const stacks = app.node.children.map((stack) => [
      stack.node.id,
      (stack as unknown as { toTerraform(): Record<string, unknown> }).toTerraform(),
    ]);
    // The metadata holds cdktf's version and paths; the configuration is what must not drift.
    const clean = JSON.parse(JSON.stringify(stacks, (k, v: unknown) => (k === '//' ? undefined : v))) as unknown;
    expect(clean).toMatchSnapshot();
  });
});

describe('scp catalog packing', () => {
  test('the default statements fit one SCP; large exemptions open new SCPs in order', () => {
    expect(packStatements(renderStatements({ statements: SIDS, allowedRegions: ['us-east-1'] }))).toHaveLength(1);
    const exclude = Array.from(
      { length: 70 },
      (_, i) => `arn:aws:iam::*:role/exempt-role-${String(i).padStart(3, '0')}`,
    );
    const packed = packStatements(
      renderStatements({
        statements: ['DenyRootExceptAssumeRoot', 'DenyLeaveOrganization', 'DenyLoginProfileCreation'],
        excludePrincipalArns: exclude,
      }),
    );
    // The same case as the module's tftest: both implementations must agree.
    expect(packed.map((p) => p.map((s) => s.Sid))).toEqual([
      ['DenyRootExceptAssumeRoot'],
      ['DenyLeaveOrganization'],
      ['DenyLoginProfileCreation'],
    ]);
  });
});

describe('generation', () => {
  test('the committed modules match a fresh generation', () => {
    const { changed } = generateModules({ check: true });
    expect(changed).toEqual([]);
  });

  test('generation is deterministic', () => {
    expect([...renderModules()]).toEqual([...renderModules()]);
  });
});

describe('HCL printer', () => {
  test('quotes literals and keeps interpolations verbatim', () => {
    expect(quote('a "b" ${join(", ", var.x)} %{ c')).toBe('"a \\"b\\" ${join(", ", var.x)} %%{ c"');
    expect(quoteLiteral('costs ${5}')).toBe('"costs $${5}"');
  });

  test('aligns single-line entries and breaks groups at multi-line values', () => {
    expect(render({ a: 1, bbb: raw('var.x'), c: { d: 'e' }, f: [] })).toBe(
      '{\n  a   = 1\n  bbb = var.x\n  c = {\n    d = "e"\n  }\n  f = []\n}',
    );
  });
});
