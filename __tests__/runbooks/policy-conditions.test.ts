/**
 * The condition evaluator the lock-out rule stands on: each operator family, missing keys, IfExists, Null, the set
 * operators and policy variables, then a differential check of whole requests against iam-simulate, an
 * independent IAM evaluator, on generated policies and contexts.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { clauseHolds, inCidr, type RequestContext } from '../../runbooks/policy/policy-conditions';
import { explicitDenials } from '../../runbooks/policy/lockout';
import { arnMatch, PolicyError } from '../../runbooks/policy/policy-model';
import { LITERAL, wildcardMatches } from '../../runbooks/lib/wildcard';
import { prng } from '../../test-support/prng';

const ctx = (entries: Record<string, string | string[]>): RequestContext =>
  new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]]));
const holds = (operator: string, key: string, values: string[], context: RequestContext) =>
  clauseHolds({ operator, key: key.toLowerCase(), keyAsWritten: key, values }, context);

describe('condition operators', () => {
  const c = ctx({
    'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/Pipeline',
    'aws:SourceIp': '203.0.113.9',
    'aws:MultiFactorAuthAge': '300',
    'aws:CurrentTime': '2026-01-15T00:00:00Z',
    'aws:SecureTransport': 'true',
    'aws:TagKeys': ['team', 'env'],
    'aws:username': 'alice',
  });

  it.each([
    ['StringEquals', 'aws:username', ['alice'], true],
    ['StringEquals', 'aws:username', ['Alice'], false],
    ['StringEqualsIgnoreCase', 'aws:username', ['ALICE'], true],
    ['StringNotEqualsIgnoreCase', 'aws:username', ['ALICE'], false],
    ['StringNotEquals', 'aws:username', ['bob', 'carol'], true],
    ['StringLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/Pipe*'], true],
    ['StringLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/pipe*'], false],
    ['StringLike', 'aws:username', ['al?ce'], true],
    ['StringNotLike', 'aws:username', ['a*'], false],
    ['ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::111122223333:role/*'], true],
    ['ArnEquals', 'aws:PrincipalArn', ['arn:aws:iam::*:role/Pipeline'], true],
    ['ArnNotEquals', 'aws:PrincipalArn', ['arn:aws:iam::111122223333:role/Other'], true],
    ['ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::111122223333:*'], true],
    ['NumericLessThan', 'aws:MultiFactorAuthAge', ['3600'], true],
    ['NumericGreaterThanEquals', 'aws:MultiFactorAuthAge', ['300'], true],
    ['NumericGreaterThan', 'aws:MultiFactorAuthAge', ['300'], false],
    ['NumericNotEquals', 'aws:MultiFactorAuthAge', ['300'], false],
    ['NumericEquals', 'aws:MultiFactorAuthAge', ['not-a-number'], false],
    ['DateGreaterThan', 'aws:CurrentTime', ['2020-01-01T00:00:00Z'], true],
    ['DateLessThan', 'aws:CurrentTime', ['1577836800'], false],
    ['DateNotEquals', 'aws:CurrentTime', ['2026-01-15T00:00:00Z'], false],
    ['Bool', 'aws:SecureTransport', ['false'], false],
    ['Bool', 'aws:SecureTransport', ['TRUE'], true],
    ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24'], true],
    ['IpAddress', 'aws:SourceIp', ['203.0.113.9'], true],
    ['NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.168.0.0/16'], true],
    ['ForAnyValue:StringEquals', 'aws:TagKeys', ['env'], true],
    ['ForAllValues:StringEquals', 'aws:TagKeys', ['env'], false],
    ['ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team', 'cost'], true],
    ['ForAnyValue:StringNotEquals', 'aws:TagKeys', ['env'], true],
    ['ForAllValues:StringNotEquals', 'aws:TagKeys', ['env'], false],
  ])('%s %s %j → %s', (operator, key, values, expected) => {
    expect(holds(operator, key, values, c)).toBe(expected);
  });

  describe('a missing key', () => {
    const empty = ctx({});
    it.each([
      ['StringEquals', false],
      ['StringNotEquals', true],
      ['StringNotLike', true],
      ['ArnNotEquals', true],
      ['NotIpAddress', true],
      ['Bool', false],
      ['StringEqualsIfExists', true],
      ['StringNotEqualsIfExists', true],
      ['BoolIfExists', true],
      ['ForAnyValue:StringEquals', false],
      ['ForAnyValue:StringNotEquals', false],
      ['ForAllValues:StringEquals', true],
      ['ForAllValues:StringNotEquals', true],
    ])('%s → %s', (operator, expected) => {
      expect(holds(operator, 'aws:SourceVpce', ['vpce-1'], empty)).toBe(expected);
    });

    it('Null "true" tests absence and "false" presence', () => {
      expect(holds('Null', 'aws:SourceVpce', ['true'], empty)).toBe(true);
      expect(holds('Null', 'aws:SourceVpce', ['false'], empty)).toBe(false);
      expect(holds('Null', 'aws:SecureTransport', ['false'], c)).toBe(true);
    });
  });

  it('resolves policy variables, with defaults, and keeps ${*} literal', () => {
    expect(holds('StringEquals', 'aws:username', ['${aws:username}'], c)).toBe(true);
    expect(holds('StringLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/${aws:username}'], c)).toBe(false);
    expect(holds('StringEquals', 'aws:username', ["${aws:PrincipalTag/owner, 'alice'}"], c)).toBe(true);
    expect(holds('StringEquals', 'aws:username', ['${aws:PrincipalTag/owner}'], c)).toBe(false);
    expect(holds('StringLike', 'aws:username', ['al${*}'], ctx({ 'aws:username': 'al*' }))).toBe(true);
    expect(holds('StringLike', 'aws:username', ['al${*}'], ctx({ 'aws:username': 'alice' }))).toBe(false);
  });

  it('refuses an operator IAM does not know', () => {
    expect(() => holds('StringAlmostEquals', 'aws:username', ['x'], c)).toThrow(PolicyError);
    expect(() => holds('ForSomeValues:StringEquals', 'aws:username', ['x'], c)).toThrow(PolicyError);
  });
});

describe('matchers', () => {
  it('IPv4 and IPv6 blocks', () => {
    expect(inCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(inCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(inCidr('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(inCidr('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(inCidr('::ffff:1', '::/0')).toBe(true);
    expect(inCidr('10.0.0.1', '2001:db8::/32')).toBe(false);
    expect(inCidr('not-an-ip', '0.0.0.0/0')).toBe(false);
    expect(inCidr('10.0.0.1', '10.0.0.0/33')).toBe(false);
  });

  it('wildcards and ARN parts', () => {
    expect(wildcardMatches('s3:*Policy', 'S3:PutBucketPolicy', { ignoreCase: true })).toBe(true);
    expect(wildcardMatches('a.c', 'abc')).toBe(false);
    expect(wildcardMatches(`a${LITERAL}*c`, 'a*c')).toBe(true);
    expect(wildcardMatches(`a${LITERAL}*c`, 'abc')).toBe(false);
    expect(arnMatch('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket')).toBe(false);
    expect(arnMatch('arn:aws:sqs:*:111122223333:*', 'arn:aws:sqs:eu-west-1:111122223333:orders')).toBe(true);
    expect(arnMatch('arn:aws:sqs:*', 'arn:aws:sqs:eu-west-1:111122223333:orders')).toBe(false);
    expect(arnMatch('*', 'anything')).toBe(true);
  });
});

const ACCOUNT = '111122223333';
const BUCKET = 'arn:aws:s3:::project-prod-1';
const ROLES = ['admin', 'pipeline'];

describe('agreement with iam-simulate on generated requests', () => {
  const CLAUSES: [string, string, string[]][] = [
    ['Bool', 'aws:SecureTransport', ['false']],
    ['BoolIfExists', 'aws:MultiFactorAuthPresent', ['false']],
    ['ArnNotEquals', 'aws:PrincipalArn', [`arn:aws:iam::${ACCOUNT}:role/pipeline`]],
    ['ArnLike', 'aws:PrincipalArn', [`arn:aws:iam::${ACCOUNT}:role/ad*`]],
    ['StringNotLike', 'aws:PrincipalArn', [`arn:aws:iam::${ACCOUNT}:role/pipe*`]],
    ['StringNotEquals', 'aws:SourceVpce', ['vpce-1a2b3c4d']],
    ['StringNotEqualsIfExists', 'aws:SourceVpce', ['vpce-1a2b3c4d']],
    ['StringEquals', 'aws:SourceVpce', ['vpce-1a2b3c4d']],
    ['NotIpAddress', 'aws:SourceIp', ['203.0.113.0/24']],
    ['IpAddress', 'aws:SourceIp', ['198.51.100.0/24']],
    ['StringNotEquals', 'aws:PrincipalOrgID', ['o-abc123def4']],
    ['StringNotEquals', 'aws:PrincipalAccount', [ACCOUNT]],
    ['StringEquals', 'aws:PrincipalAccount', ['444455556666']],
    ['Null', 'aws:SourceVpce', ['true']],
    ['NumericGreaterThan', 'aws:MultiFactorAuthAge', ['3600']],
    ['StringEqualsIgnoreCase', 'aws:PrincipalTag/team', ['Platform']],
    ['ForAnyValue:StringEquals', 'aws:PrincipalTag/team', ['platform', 'ops']],
  ];
  const PRINCIPALS: (Record<string, string[]> | '*')[] = [
    '*',
    { AWS: ['*'] },
    { AWS: [ACCOUNT] },
    { AWS: [`arn:aws:iam::${ACCOUNT}:root`] },
    { AWS: [`arn:aws:iam::${ACCOUNT}:role/admin`] },
    { AWS: ['444455556666'] },
  ];
  const ACTIONS = [
    { Action: 's3:*' },
    { Action: 's3:PutBucketPolicy' },
    { Action: ['s3:Get*', 's3:Put*'] },
    { NotAction: 's3:GetObject' },
    { NotAction: 's3:Put*' },
  ];
  const RESOURCES = [
    { Resource: '*' },
    { Resource: BUCKET },
    { Resource: `${BUCKET}/*` },
    { NotResource: `${BUCKET}/*` },
  ];

  const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)];

  function generate(seed: number) {
    const next = prng(seed);
    const statements = Array.from({ length: 1 + Math.floor(next() * 2) }, (_, i) => {
      const clauses = Array.from({ length: Math.floor(next() * 3) }, () => pick(next, CLAUSES));
      const Condition: Record<string, Record<string, string[]>> = {};
      for (const [operator, key, values] of clauses) Condition[operator] = { ...Condition[operator], [key]: values };
      return {
        Sid: `S${i}`,
        Effect: next() < 0.85 ? 'Deny' : 'Allow',
        Principal: pick(next, PRINCIPALS),
        ...pick(next, ACTIONS),
        ...pick(next, RESOURCES),
        ...(clauses.length > 0 ? { Condition } : {}),
      };
    });
    const role = pick(next, ROLES);
    const context: Record<string, string | string[]> = {
      'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/${role}`,
      'aws:PrincipalAccount': ACCOUNT,
      'aws:PrincipalOrgID': pick(next, ['o-abc123def4', 'o-zzzzzzzzzz']),
      'aws:SecureTransport': pick(next, ['true', 'false']),
    };
    if (next() < 0.5) context['aws:SourceVpce'] = pick(next, ['vpce-1a2b3c4d', 'vpce-99999999']);
    if (next() < 0.5) context['aws:SourceIp'] = pick(next, ['203.0.113.7', '198.51.100.7', '192.0.2.7']);
    if (next() < 0.5) context['aws:MultiFactorAuthPresent'] = pick(next, ['true', 'false']);
    if (next() < 0.5) context['aws:MultiFactorAuthAge'] = pick(next, ['60', '7200']);
    if (next() < 0.5) context['aws:PrincipalTag/team'] = pick(next, ['platform', 'Platform', 'web']);
    const action = pick(next, ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPolicy']);
    return { policy: { Version: '2012-10-17', Statement: statements }, role, context, action };
  }

  const CASES = Array.from({ length: 400 }, (_, i) => i + 1);
  const verdicts = { denied: 0, notDenied: 0 };
  afterAll(() => {
    // Both outcomes well represented, or the agreement proves little.
    expect(Math.min(verdicts.denied, verdicts.notDenied)).toBeGreaterThan(CASES.length / 5);
  });

  it.each(CASES)('seed %i', async (seed) => {
    const { policy, role, context, action } = generate(seed);
    const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session`;
    const simulation: Simulation = {
      request: { principal, action, resource: { resource: BUCKET, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: [
        {
          name: 'admin',
          policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    };
    const simulated = await runSimulation(simulation, {});
    if (simulated.resultType !== 'single') throw new Error(`simulation ${seed}: ${JSON.stringify(simulated)}`);
    // Every key given must reach the evaluation, or the two would compare different requests.
    expect(simulated.result.ignoredContextKeys ?? []).toEqual([]);
    const theirs = simulated.result.analysis.result;
    const ours = explicitDenials(policy, {
      principal: { arn: context['aws:PrincipalArn'] as string, account: ACCOUNT, sessionArn: principal },
      action,
      resourceArn: BUCKET,
      context: ctx(context),
    });
    verdicts[ours.length > 0 ? 'denied' : 'notDenied']++;
    expect({ seed, denied: ours.length > 0 }).toEqual({ seed, denied: theirs === 'ExplicitlyDenied' });
  });
});
