import { denyRootWithoutExemption } from '../../runbooks/org/scp-rule';
import { checkLines, runDoctor, type DoctorPort } from '../../runbooks/org/doctor';

const denyRoot = (condition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'DenyRoot', Effect: 'Deny', Action: '*', Resource: '*', Condition: condition, ...extra }],
});

describe('denyRootWithoutExemption', () => {
  describe('noncompliant: breaks AssumeRoot sessions', () => {
    it.each([
      ['ArnLike on every root', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }],
      [
        'StringLike, array value',
        { StringLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:user/x', 'arn:*:iam::*:root'] } },
      ],
      ['ArnEquals on one root', { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:root' } }],
      ['key case differs', { ArnLike: { 'AWS:principalarn': 'arn:aws:iam::*:root' } }],
      [
        'Null on the wrong value',
        { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' }, Null: { 'aws:AssumedRoot': 'false' } },
      ],
    ])('%s', (_name, condition) => {
      expect(denyRootWithoutExemption(JSON.stringify(denyRoot(condition)))).toEqual([
        { statement: 'DenyRoot', reason: expect.stringMatching(/aws:AssumedRoot/) },
      ]);
    });
    it('names a statement without Sid by position', () => {
      const doc = {
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { ...denyRoot({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }).Statement[0], Sid: undefined },
        ],
      };
      expect(denyRootWithoutExemption(doc)).toEqual([{ statement: '#2', reason: expect.any(String) }]);
    });
  });

  describe('compliant', () => {
    it.each([
      [
        'the documented exemption',
        { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' }, Null: { 'aws:AssumedRoot': 'true' } },
      ],
      [
        'BoolIfExists false',
        { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' }, BoolIfExists: { 'aws:AssumedRoot': 'false' } },
      ],
      ['a deny that targets a role, not root', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin' } }],
    ])('%s', (_name, condition) => {
      expect(denyRootWithoutExemption(denyRoot(condition))).toEqual([]);
    });
    it('an Allow is never a finding, and FullAWSAccess is fine', () => {
      expect(
        denyRootWithoutExemption(
          denyRoot({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }, { Effect: 'Allow' }),
        ),
      ).toEqual([]);
      expect(
        denyRootWithoutExemption('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'),
      ).toEqual([]);
    });
  });

  it('reports a document that is not JSON', () => {
    expect(denyRootWithoutExemption('{nope')).toEqual([{ statement: '-', reason: 'the policy is not valid JSON' }]);
  });
});

describe('runDoctor', () => {
  const healthy = (): DoctorPort => ({
    callerIdentity: async () => ({ account: '999999999999', arn: 'arn:aws:iam::999999999999:user/ops' }),
    organization: async () => ({ id: 'o-1', managementAccountId: '111111111111', featureSet: 'ALL' }),
    delegatedAdministrators: async () => ['999999999999'],
    serviceAccessPrincipals: async () => ['iam.amazonaws.com'],
    organizationsFeatures: async () => ['RootCredentialsManagement', 'RootSessions'],
    serviceControlPolicies: async () => [],
    firstMemberAccount: async () => '222222222222',
    assumeRootAudit: async () => undefined,
  });

  it('passes every check for a delegated admin in a ready organization', async () => {
    const { checks, callerKind } = await runDoctor(healthy());
    expect(callerKind).toBe('delegated-admin');
    expect(checks.map((c) => [c.ok, c.detail])).toEqual([
      [true, expect.stringContaining('user/ops')],
      [
        true,
        expect.stringMatching(
          /^IAM delegated administrator of o-1 \(ListDelegatedAdministrators .*management account is 111111111111\)$/,
        ),
      ],
      [true, 'enabled'],
      [true, 'both enabled'],
      [true, expect.any(String)],
      [true, expect.stringContaining('222222222222')],
    ]);
  });

  it('tells the management account from the IAM delegated administrator and neither', async () => {
    const asked: string[] = [];
    const management = await runDoctor({
      ...healthy(),
      callerIdentity: async () => ({ account: '111111111111', arn: 'arn:aws:iam::111111111111:role/ops' }),
      delegatedAdministrators: async (principal) => {
        asked.push(principal);
        return [];
      },
    });
    expect(management.callerKind).toBe('management');
    expect(management.checks[1]).toMatchObject({ ok: true, detail: 'management account of o-1' });
    expect(asked).toEqual([]);

    // A caller that may not list the delegated administrators: ListOrganizationsFeatures tells the registration.
    const denied = async (): Promise<never> => {
      throw Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    };
    const inferred = await runDoctor({ ...healthy(), delegatedAdministrators: denied });
    expect(inferred.callerKind).toBe('delegated-admin');
    expect(inferred.checks[1].detail).toMatch(/ListOrganizationsFeatures answers it \(AccessDeniedException/);
    const refused = await runDoctor({
      ...healthy(),
      delegatedAdministrators: denied,
      organizationsFeatures: async () => {
        throw Object.assign(new Error('no'), { name: 'AccountNotManagementOrDelegatedAdministratorException' });
      },
    });
    expect(refused.callerKind).toBe('neither');
    expect(refused.checks[1]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^account 999999999999 is neither the management account \(111111111111\)/),
      fix: expect.stringContaining('register-delegated-administrator --service-principal iam.amazonaws.com'),
    });
  });

  it('tries the dry AssumeRoot on a member other than the management account and the caller', async () => {
    let excluded: readonly string[] = [];
    await runDoctor({
      ...healthy(),
      firstMemberAccount: async (exclude) => {
        excluded = exclude;
        return '222222222222';
      },
    });
    expect([...excluded].sort()).toEqual(['111111111111', '999999999999']);
  });

  it('reports every problem with a fix, and one failing check does not stop the others', async () => {
    const port: DoctorPort = {
      ...healthy(),
      delegatedAdministrators: async () => [],
      serviceAccessPrincipals: async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      },
      organizationsFeatures: async () => ['RootCredentialsManagement'],
      serviceControlPolicies: async () => [
        {
          id: 'p-1',
          name: 'deny-root',
          content: JSON.stringify(denyRoot({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } })),
          targets: async () => ['ou-1'],
        },
        {
          id: 'p-2',
          name: 'unattached',
          content: JSON.stringify(denyRoot({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } })),
          targets: async () => [],
        },
      ],
      assumeRootAudit: async () => {
        throw Object.assign(new Error('no'), { name: 'AccessDenied' });
      },
    };
    const { checks, callerKind } = await runDoctor(port, { account: '333333333333' });
    expect(callerKind).toBe('neither');
    expect(checks.map((c) => c.ok)).toEqual([true, false, false, false, false, false]);
    // Ordinary failures are not root causes: every check was made.
    expect(checks.map((c) => c.status)).toEqual(['ok', 'failed', 'failed', 'failed', 'failed', 'failed']);
    for (const failed of checks.filter((c) => !c.ok)) expect(failed.fix).toBeTruthy();
    expect(checks[2].detail).toMatch(/AccessDeniedException/);
    expect(checks[3].detail).toBe('missing: RootSessions');
    expect(checks[4].detail).toMatch(/deny-root \(p-1, attached to ou-1\)/);
    expect(checks[4].detail).not.toMatch(/unattached/);
    expect(checks[5].detail).toMatch(/AccessDenied/);
  });

  const failing =
    (name: string, extra: object = {}) =>
    async (): Promise<never> => {
      throw Object.assign(new Error(`${name} happened`), { name, ...extra });
    };

  it.each([
    ['rejected-credentials', { name: 'InvalidClientTokenId' }, /does not accept the caller's credentials/],
    ['expired-credentials', { name: 'ExpiredTokenException' }, /credentials have expired/],
    ['no-credentials', { name: 'CredentialsProviderError' }, /no credentials found/],
    [
      'unreachable-endpoint',
      { name: 'Error', code: 'ENOTFOUND', hostname: 'sts.nowhere' },
      /cannot reach AWS at sts\.nowhere/,
    ],
    ['unreachable-endpoint', { name: 'TimeoutError' }, /cannot reach AWS \(TimeoutError/],
  ])(
    'a caller identity that fails as %s stops every other check, without asking the port',
    async (cause, error, detail) => {
      const asked: string[] = [];
      const port = Object.fromEntries(
        Object.entries(healthy()).map(([key, fn]) => [
          key,
          async (...args: unknown[]) => {
            asked.push(key);
            return (fn as (...a: unknown[]) => unknown)(...args);
          },
        ]),
      ) as unknown as DoctorPort;
      port.callerIdentity = failing(error.name, error);
      const { checks } = await runDoctor(port);
      expect(checks[0]).toMatchObject({ status: 'failed', cause, detail: expect.stringMatching(detail) });
      expect(checks.slice(1).map((c) => c.status)).toEqual(Array(5).fill('not-checked'));
      expect(checks.slice(1).every((c) => c.fix === undefined && c.detail.includes('(see "caller identity")'))).toBe(
        true,
      );
      expect(asked).toEqual([]);
    },
  );

  it('a root cause that shows on a later check is reported there once; checks hitting the same one are not checked', async () => {
    const unreachableIam = failing('Error', { code: 'ECONNREFUSED', address: '10.0.0.1', port: 443 });
    const { checks } = await runDoctor({
      ...healthy(),
      organizationsFeatures: unreachableIam,
      assumeRootAudit: unreachableIam,
    });
    expect(checks.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'failed', 'ok', 'not-checked']);
    expect(checks[3]).toMatchObject({ cause: 'unreachable-endpoint', detail: expect.stringContaining('10.0.0.1:443') });
    expect(checks[5].detail).toContain('(see "organization features RootCredentialsManagement and RootSessions")');

    // Credentials are every check's: once they expire, nothing after can pass.
    const expired = (await runDoctor({ ...healthy(), serviceAccessPrincipals: failing('ExpiredToken') })).checks;
    expect(expired.map((c) => c.status)).toEqual(['ok', 'ok', 'failed', 'not-checked', 'not-checked', 'not-checked']);
  });

  it('prints ✓, ✗ with the fix, and – for a check not made', async () => {
    const text = checkLines(
      (await runDoctor({ ...healthy(), callerIdentity: failing('CredentialsProviderError') })).checks,
    );
    expect(text.split('\n')[0]).toMatch(/^✗ caller identity: no credentials found/);
    expect(text.match(/ {4}fix: /g)).toHaveLength(1);
    expect(text).toMatch(/^– trusted access for iam\.amazonaws\.com: not checked: there are no credentials/m);
  });
});
