/**
 * The lock-out rule as compliant / noncompliant cases: each case is one policy on a bucket or queue of account
 * 111122223333 (organization o-abc123def4), and the verdict an administrator of that account would live.
 */
import { analyzeLockout, lockingStatements, PolicyError, type LockoutTarget } from '../../runbooks/policy/lockout';

const ACCOUNT = '111122223333';
const ORG = 'o-abc123def4';
const PIPELINE = `arn:aws:iam::${ACCOUNT}:role/pipeline`;
const BUCKET: LockoutTarget = {
  service: 's3',
  account: ACCOUNT,
  resourceArn: 'arn:aws:s3:::project-prod-1',
  organizationId: ORG,
  region: 'us-east-1',
  now: new Date('2026-01-15T00:00:00Z'),
};
const QUEUE: LockoutTarget = {
  service: 'sqs',
  account: ACCOUNT,
  resourceArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders`,
  organizationId: ORG,
  region: 'eu-west-1',
  now: BUCKET.now,
};

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const deny = (extra: object) => ({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', ...extra });

interface Case {
  readonly name: string;
  readonly statements: object[];
  readonly target?: LockoutTarget;
  /** Noncompliant cases: the Sids (or #n) that lock, and who may still get in. */
  readonly locking?: string[];
  readonly allowed?: string[];
}

const NONCOMPLIANT: Case[] = [
  {
    name: 'DenyAllExceptPipeline: Deny s3:* to "*" unless aws:PrincipalArn is the pipeline role',
    statements: [deny({ Sid: 'DenyAllExceptPipeline', Condition: { ArnNotEquals: { 'aws:PrincipalArn': PIPELINE } } })],
    locking: ['DenyAllExceptPipeline'],
    allowed: [PIPELINE],
  },
  {
    name: 'the same with StringNotLike and a role pattern',
    statements: [
      deny({
        Sid: 'OnlyDeployRoles',
        Condition: { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/deploy-*` } },
      }),
    ],
    locking: ['OnlyDeployRoles'],
    allowed: [`arn:aws:iam::${ACCOUNT}:role/deploy-*`],
  },
  {
    name: 'a Deny of everything with no condition at all',
    statements: [deny({ Action: '*' })],
    locking: ['#1'],
    allowed: [],
  },
  {
    name: 'Principal {"AWS": "*"} and Action s3:*Policy',
    statements: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*Policy', Resource: '*' }],
    locking: ['#1'],
    allowed: [],
  },
  {
    name: 'Principal {"AWS": ["*"]} given as a list',
    statements: [
      {
        Effect: 'Deny',
        Principal: { AWS: ['*'] },
        Action: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
        Resource: '*',
      },
    ],
    locking: ['#1'],
  },
  {
    name: 'a Deny aimed at the owning account itself (its account principal names every principal in it)',
    statements: [{ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 's3:*', Resource: '*' }],
    locking: ['#1'],
  },
  {
    name: 'a Deny aimed at the owning account by its bare id',
    statements: [{ Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 's3:*', Resource: '*' }],
    locking: ['#1'],
  },
  {
    name: 'NotPrincipal Deny that exempts the pipeline role and its account',
    statements: [
      {
        Sid: 'OnlyPipeline',
        Effect: 'Deny',
        NotPrincipal: { AWS: [PIPELINE, `arn:aws:iam::${ACCOUNT}:root`] },
        Action: 's3:*',
        Resource: '*',
      },
    ],
    locking: ['OnlyPipeline'],
    allowed: [PIPELINE, `arn:aws:iam::${ACCOUNT}:root`],
  },
  {
    name: 'NotPrincipal naming the role without its account exempts nobody (IAM checks the account first)',
    statements: [{ Effect: 'Deny', NotPrincipal: { AWS: PIPELINE }, Action: 's3:*', Resource: '*' }],
    locking: ['#1'],
    allowed: [],
  },
  {
    name: 'NotAction that spares only object reads',
    statements: [deny({ Action: undefined, NotAction: 's3:GetObject' })],
    locking: ['#1'],
  },
  {
    name: 'NotAction that spares only GetBucketPolicy (reading is not managing)',
    statements: [deny({ Action: undefined, NotAction: ['s3:GetBucketPolicy', 's3:ListBucket'] })],
    locking: ['#1'],
  },
  {
    name: 'only requests through one VPC endpoint get in (aws:SourceVpce)',
    statements: [deny({ Sid: 'VpceOnly', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })],
    locking: ['VpceOnly'],
    allowed: ['any principal via aws:SourceVpce vpce-1a2b3c4d'],
  },
  {
    name: 'only requests from one VPC (aws:SourceVpc, IfExists)',
    statements: [deny({ Condition: { StringNotEqualsIfExists: { 'aws:SourceVpc': ['vpc-111', 'vpc-222'] } } })],
    allowed: ['any principal via aws:SourceVpc vpc-111', 'any principal via aws:SourceVpc vpc-222'],
  },
  {
    name: 'only an office IP range (NotIpAddress aws:SourceIp)',
    statements: [deny({ Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })],
    allowed: ['any principal via aws:SourceIp 203.0.113.0/24'],
  },
  {
    name: 'an IP range or a VPC endpoint (both conditions must hold to deny)',
    statements: [
      deny({
        Condition: {
          NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
          StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' },
        },
      }),
    ],
    allowed: ['any principal via aws:SourceIp 203.0.113.0/24', 'any principal via aws:SourceVpce vpce-1a2b3c4d'],
  },
  {
    name: 'only principals of another account (aws:PrincipalAccount), which cannot manage the bucket anyway',
    statements: [deny({ Condition: { StringNotEquals: { 'aws:PrincipalAccount': '444455556666' } } })],
    allowed: ['principals of account 444455556666'],
  },
  {
    name: 'only principals of another organization (aws:PrincipalOrgID)',
    statements: [deny({ Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-otherorg99' } } })],
    allowed: ['principals of organization o-otherorg99'],
  },
  {
    name: 'two statements that exempt different roles: nobody passes both',
    statements: [
      deny({ Sid: 'A', Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/a` } } }),
      deny({ Sid: 'B', Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/b` } } }),
    ],
    locking: ['A', 'B'],
    allowed: [],
  },
  {
    name: 'PutBucketPolicy and DeleteBucketPolicy denied by separate statements',
    statements: [
      deny({ Sid: 'NoPut', Action: 's3:PutBucketPolicy' }),
      deny({ Sid: 'NoDelete', Action: 's3:DeleteBucketPolicy' }),
    ],
    locking: ['NoPut', 'NoDelete'],
  },
  {
    name: 'the pipeline lock-out beside a harmless insecure-transport Deny: only the pipeline statement locks',
    statements: [
      deny({ Sid: 'TlsOnly', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      deny({ Sid: 'DenyAllExceptPipeline', Condition: { ArnNotEquals: { 'aws:PrincipalArn': PIPELINE } } }),
    ],
    locking: ['DenyAllExceptPipeline'],
    allowed: [PIPELINE],
  },
  {
    name: 'MFA required by one statement and forbidden by another: no choice gets through',
    statements: [
      deny({ Sid: 'NeedMfa', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }),
      deny({ Sid: 'NoMfa', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
    ],
    locking: ['NeedMfa', 'NoMfa'],
  },
  {
    name: 'a Deny that has been in force since 2020 (DateGreaterThan aws:CurrentTime)',
    statements: [deny({ Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } })],
    locking: ['#1'],
  },
  {
    name: 'a case-insensitive exemption of one user name',
    statements: [deny({ Condition: { StringNotEqualsIgnoreCase: { 'aws:username': 'Breakglass' } } })],
    allowed: ['any principal via aws:username Breakglass'],
  },
  {
    name: 'ForAllValues set operator on a principal-ARN list (a missing key does not exempt)',
    statements: [deny({ Condition: { 'ForAnyValue:StringNotLike': { 'aws:PrincipalArn': [PIPELINE] } } })],
    allowed: [PIPELINE],
  },
  {
    name: 'a single statement (not a list) with lower-case condition keys',
    statements: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { ArnNotLike: { 'AWS:PRINCIPALARN': PIPELINE } },
      },
    ],
    allowed: [PIPELINE],
  },
  {
    name: 'the bucket ARN named as the resource',
    statements: [deny({ Resource: ['arn:aws:s3:::project-prod-1', 'arn:aws:s3:::project-prod-1/*'] })],
  },
  {
    name: 'a policy variable that no administrator matches (${aws:PrincipalTag/x} absent resolves to nothing)',
    statements: [deny({ Condition: { StringNotEquals: { 'aws:PrincipalArn': '${aws:PrincipalTag/never}' } } })],
  },
  {
    name: "a confused-deputy guard without IfExists: an administrator's own calls carry no aws:SourceAccount",
    statements: [deny({ Condition: { StringNotEquals: { 'aws:SourceAccount': ACCOUNT } } })],
    allowed: [],
  },
  {
    name: '…and with IfExists, which is true when the key is missing',
    statements: [deny({ Condition: { StringNotEqualsIfExists: { 'aws:SourceAccount': ACCOUNT } } })],
    allowed: [],
  },
  {
    name: 'SQS: DenyAllExceptPipeline on a queue',
    target: QUEUE,
    statements: [
      {
        Sid: 'DenyAllExceptPipeline',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: QUEUE.resourceArn,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': PIPELINE } },
      },
    ],
    locking: ['DenyAllExceptPipeline'],
    allowed: [PIPELINE],
  },
  {
    name: 'SQS: only SetQueueAttributes denied (the one call that changes the policy)',
    target: QUEUE,
    statements: [{ Effect: 'Deny', Principal: '*', Action: 'sqs:SetQueueAttributes', Resource: '*' }],
  },
  {
    name: 'SQS: a queue ARN pattern in the Resource',
    target: QUEUE,
    statements: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'SQS:*', Resource: `arn:aws:sqs:*:${ACCOUNT}:*` }],
  },
];

const COMPLIANT: Case[] = [
  {
    name: 'no statement denies anything',
    statements: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
  },
  {
    name: 'deny only insecure transport (aws:SecureTransport false)',
    statements: [deny({ Sid: 'TlsOnly', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
  },
  {
    name: 'deny insecure transport with BoolIfExists',
    statements: [deny({ Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } })],
  },
  {
    name: 'deny only outside the organization (StringNotEquals aws:PrincipalOrgID)',
    statements: [deny({ Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } } })],
  },
  {
    name: 'deny only outside the organization, organization unknown to the scan',
    target: { ...BUCKET, organizationId: undefined },
    statements: [deny({ Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' } } })],
  },
  {
    name: 'deny only outside the owning account (policy variable ${aws:ResourceAccount})',
    statements: [deny({ Condition: { StringNotEquals: { 'aws:PrincipalAccount': '${aws:ResourceAccount}' } } })],
  },
  {
    name: 'deny only outside the owning account (literal id)',
    statements: [deny({ Condition: { StringNotEquals: { 'aws:PrincipalAccount': [ACCOUNT, '444455556666'] } } })],
  },
  {
    name: 'deny only unencrypted uploads (specific actions leave management open)',
    statements: [deny({ Action: 's3:PutObject', Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } })],
  },
  { name: 'deny only object deletes', statements: [deny({ Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'] })] },
  { name: 'deny s3:Put*: DeleteBucketPolicy is still open', statements: [deny({ Action: 's3:Put*' })] },
  { name: 'deny s3:Delete*: PutBucketPolicy can replace the policy', statements: [deny({ Action: 's3:Delete*' })] },
  {
    name: 'deny only on the objects (Resource bucket/*)',
    statements: [deny({ Resource: 'arn:aws:s3:::project-prod-1/*' })],
  },
  { name: 'deny on another bucket', statements: [deny({ Resource: 'arn:aws:s3:::other-bucket' })] },
  {
    name: 'NotResource that spares the bucket itself',
    statements: [deny({ Resource: undefined, NotResource: 'arn:aws:s3:::project-prod-1' })],
  },
  {
    name: 'deny aimed at one named role only',
    statements: [
      { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/intern` }, Action: 's3:*', Resource: '*' },
    ],
  },
  {
    name: 'deny aimed at another account',
    statements: [{ Effect: 'Deny', Principal: { AWS: '444455556666' }, Action: 's3:*', Resource: '*' }],
  },
  {
    name: 'deny aimed at a service principal',
    statements: [{ Effect: 'Deny', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:*', Resource: '*' }],
  },
  {
    name: 'deny unless the caller is any role of the account (pattern role/*)',
    statements: [deny({ Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/*` } } })],
  },
  {
    name: 'deny unless any principal of the account (arn:aws:iam::<acct>:*)',
    statements: [deny({ Condition: { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:*` } } })],
  },
  {
    name: 'deny only one named role (ArnEquals)',
    statements: [deny({ Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/intern` } } })],
  },
  {
    name: 'deny only requests through one VPC endpoint',
    statements: [deny({ Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })],
  },
  {
    name: 'deny only one IP range',
    statements: [deny({ Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } } })],
  },
  {
    name: 'deny without MFA (an administrator can sign in with MFA)',
    statements: [deny({ Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } })],
  },
  {
    name: 'deny old MFA sessions (NumericGreaterThan aws:MultiFactorAuthAge)',
    statements: [deny({ Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': '3600' } } })],
  },
  {
    name: 'deny unless the caller carries a tag an administrator can set',
    statements: [deny({ Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'platform' } } })],
  },
  {
    name: 'deny from a date still to come',
    statements: [deny({ Condition: { DateGreaterThan: { 'aws:CurrentTime': '2099-01-01T00:00:00Z' } } })],
  },
  {
    name: 'a lock-out statement combined with an AND-condition an administrator avoids',
    statements: [
      deny({
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': PIPELINE }, Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ],
  },
  {
    name: 'deny only in another region (aws:RequestedRegion)',
    statements: [deny({ Condition: { StringEquals: { 'aws:RequestedRegion': 'ap-south-1' } } })],
  },
  {
    name: 'deny only services acting for other accounts (aws:SourceAccount tested only when present)',
    statements: [
      deny({
        Condition: { StringNotEquals: { 'aws:SourceAccount': ACCOUNT }, Null: { 'aws:SourceAccount': 'false' } },
      }),
    ],
  },
  {
    name: 'deny requests through VPC endpoints of other accounts only (StringNotEqualsIfExists aws:SourceVpce with ForAllValues)',
    statements: [
      deny({
        Condition: {
          'ForAllValues:StringNotEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' },
          Null: { 'aws:SourceVpce': 'false' },
        },
      }),
    ],
  },
  {
    name: 'SQS: deny only SendMessage',
    target: QUEUE,
    statements: [{ Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Resource: '*' }],
  },
  {
    name: 'SQS: deny on another queue',
    target: QUEUE,
    statements: [
      { Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:payments` },
    ],
  },
  {
    name: 'SQS: deny outside the organization',
    target: QUEUE,
    statements: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: '*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG } },
      },
    ],
  },
  {
    name: 'S3 statements do not lock a queue',
    target: QUEUE,
    statements: [deny({})],
  },
  { name: 'no policy at all', statements: [] },
];

describe('noncompliant: the policy locks the owner out', () => {
  it.each(NONCOMPLIANT)('$name', ({ statements, target, locking, allowed }) => {
    const found = analyzeLockout(policy(...statements), target ?? BUCKET);
    expect(found.lockout).toBe(true);
    if (locking) expect(found.lockingStatements.map((s) => s.statement)).toEqual(locking);
    if (allowed) expect(found.allowedPrincipals).toEqual(allowed);
  });
});

describe('compliant: an administrator of the account can still change the policy', () => {
  it.each(COMPLIANT)('$name', ({ statements, target }) => {
    const text = statements.length === 0 ? null : policy(...statements);
    expect(analyzeLockout(text, target ?? BUCKET)).toEqual({
      lockout: false,
      lockingStatements: [],
      allowedPrincipals: [],
    });
  });
});

describe('what a locking statement reports', () => {
  it('names the administrative calls it denies and the conditions that exempt', () => {
    const [found] = lockingStatements(
      policy(deny({ Sid: 'DenyAllExceptPipeline', Condition: { StringNotLike: { 'aws:PrincipalArn': PIPELINE } } })),
      BUCKET,
    );
    expect(found).toEqual({
      statement: 'DenyAllExceptPipeline',
      position: 1,
      actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:ListBucket', 's3:GetObject'],
      exemptions: ['StringNotLike aws:PrincipalArn'],
    });
  });

  it('gives the position of each statement, from 1, whatever its Sid', () => {
    const found = lockingStatements(
      policy(
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' },
        deny({ Sid: 'Pipeline', Condition: { ArnNotEquals: { 'aws:PrincipalArn': PIPELINE } } }),
      ),
      BUCKET,
    );
    expect(found.map((s) => [s.statement, s.position])).toEqual([['Pipeline', 2]]);
  });

  it('shows NotPrincipal as an exemption', () => {
    const [found] = lockingStatements(
      policy({ Effect: 'Deny', NotPrincipal: { AWS: PIPELINE }, Action: 's3:*' }),
      BUCKET,
    );
    expect(found.exemptions).toEqual(['NotPrincipal']);
  });
});

describe('documents IAM would not store are errors, never "clean"', () => {
  it.each([
    ['not JSON', '{not json'],
    ['no Statement', '{"Version":"2012-10-17"}'],
    ['an unknown Effect', policy({ Effect: 'Block', Principal: '*', Action: 's3:*' })],
    [
      'an unknown condition operator',
      policy(deny({ Condition: { StringSometimes: { 'aws:PrincipalArn': PIPELINE } } })),
    ],
    ['a Condition that is a list', policy(deny({ Condition: [] }))],
  ])('%s', (_label, text) => {
    expect(() => analyzeLockout(text, BUCKET)).toThrow(PolicyError);
  });

  it('the dry-run advice shows no statements for them instead of failing', () => {
    expect(lockingStatements('{not json', BUCKET)).toEqual([]);
    expect(lockingStatements(null, QUEUE)).toEqual([]);
  });
});

describe('many choosable keys', () => {
  it('still finds the lock-out when the combinations exceed the exhaustive limit', () => {
    const keys = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`aws:PrincipalTag/k${i}`, ['a', 'b']]));
    const found = analyzeLockout(
      policy(
        deny({ Sid: 'Pipeline', Condition: { ArnNotEquals: { 'aws:PrincipalArn': PIPELINE } } }),
        deny({ Sid: 'Tags', Condition: { StringEquals: keys } }),
      ),
      BUCKET,
    );
    expect(found.lockout).toBe(true);
    expect(found.lockingStatements.map((s) => s.statement)).toEqual(['Pipeline']);
  });

  it('names every principal of a long NotPrincipal list that still gets in, and none that another statement stops', () => {
    const roles = Array.from({ length: 100 }, (_, i) => `arn:aws:iam::${ACCOUNT}:role/r${i}`);
    const found = analyzeLockout(
      policy(
        {
          Sid: 'Listed',
          Effect: 'Deny',
          NotPrincipal: { AWS: [...roles, `arn:aws:iam::${ACCOUNT}:root`] },
          Action: 's3:*',
        },
        deny({ Sid: 'NotR7', Condition: { ArnEquals: { 'aws:PrincipalArn': roles[7] } } }),
        deny({ Sid: 'Tags', Condition: { StringEquals: { 'aws:PrincipalTag/a': 'x', 'aws:PrincipalTag/b': 'y' } } }),
      ),
      BUCKET,
    );
    expect(found.lockout).toBe(true);
    expect(found.lockingStatements.map((s) => s.statement)).toEqual(['Listed']);
    expect(found.allowedPrincipals).toEqual([...roles.filter((r) => r !== roles[7]), `arn:aws:iam::${ACCOUNT}:root`]);
  });
});

describe('hostile patterns', () => {
  it('judges a policy whose *Like patterns would keep a backtracking matcher busy for hours', () => {
    // The probe value built from S2's long ARN meets S1's pattern of 30 stars: a regular-expression matcher
    // (the one before lib/wildcard.ts's greedy match) did not finish this in 30 s.
    const stars = `a${'*a'.repeat(30)}b`;
    const found = analyzeLockout(
      policy(
        deny({
          Sid: 'S1',
          Condition: { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/${stars}` } },
        }),
        deny({
          Sid: 'S2',
          Condition: { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/${'a'.repeat(3000)}` } },
        }),
      ),
      BUCKET,
    );
    expect(found.lockout).toBe(true);
    expect(found.lockingStatements.map((s) => s.statement)).toEqual(['S1', 'S2']);
  });
});
