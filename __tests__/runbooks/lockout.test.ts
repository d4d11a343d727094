import { lockingStatements } from '../../runbooks/policy/lockout';

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('which statements lock everyone out', () => {
  it('finds a Deny on s3:* for Principal "*", with the condition that exempts the pipeline', () => {
    const found = lockingStatements(
      policy({
        Sid: 'DenyAllExceptPipeline',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/pipeline' } },
      }),
      's3',
    );
    expect(found).toEqual([
      {
        statement: 'DenyAllExceptPipeline',
        position: 1,
        actions: expect.arrayContaining(['s3:DeleteBucketPolicy', 's3:GetBucketPolicy']),
        exemptions: ['StringNotLike aws:PrincipalArn'],
      },
    ]);
  });

  it.each([
    [
      '{"AWS": "*"} and a wildcard action',
      { Effect: 'Deny', Principal: { AWS: ['*'] }, Action: ['s3:Put*'] },
      ['s3:PutBucketPolicy'],
    ],
    [
      'NotPrincipal',
      { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::1:role/x' }, Action: '*' },
      ['s3:GetBucketPolicy'],
    ],
    [
      'NotAction that spares only reads of objects',
      { Effect: 'Deny', Principal: '*', NotAction: 's3:GetObject' },
      ['s3:DeleteBucketPolicy'],
    ],
  ])('counts a Deny with %s', (_label, statement, expected) => {
    const [found] = lockingStatements(policy(statement), 's3');
    expect(found.statement).toBe('#1');
    expect(found.actions).toEqual(expect.arrayContaining(expected));
  });

  it.each([
    ['an Allow', { Effect: 'Allow', Principal: '*', Action: 's3:*' }],
    ['a Deny for one role', { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::1:role/x' }, Action: 's3:*' }],
    ['a Deny of unrelated actions', { Effect: 'Deny', Principal: '*', Action: 's3:PutObjectAcl' }],
  ])('ignores %s', (_label, statement) => {
    expect(lockingStatements(policy(statement), 's3')).toEqual([]);
  });

  it('reads SQS policies and tolerates no policy or broken text', () => {
    expect(lockingStatements(policy({ Effect: 'Deny', Principal: '*', Action: 'sqs:*' }), 'sqs')[0].actions).toContain(
      'sqs:SetQueueAttributes',
    );
    expect(lockingStatements(null, 'sqs')).toEqual([]);
    expect(lockingStatements('{not json', 's3')).toEqual([]);
  });
});
