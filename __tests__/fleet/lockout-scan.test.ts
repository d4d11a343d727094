/**
 * The lock-out scan's core on fakes, for what the sandbox cannot do on demand: a refused AssumeRoot, one call
 * failing, a session expiring mid-account, a region the account has not enabled, paging, resources vanishing
 * between the listing and the read. Plus the renderers and the region rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionCredentials } from '../../runbooks/engine/clients';
import type { TaskAlias } from '../../runbooks/engine/tasks';
import { lockoutCsvRow, lockoutRenderer, lockoutTableRow } from '../../runbooks/fleet/lockout-report';
import {
  fixCommand,
  runLockoutScan,
  scanAccount,
  shellArg,
  type LockoutRow,
  type ScanDeps,
  type ScanScope,
} from '../../runbooks/fleet/lockout-scan';
import type { BucketPolicyReader, QueuePolicyReader } from '../../runbooks/fleet/policy-reads';
import { isOptInRegion, parseRegionChoice, PARTITION_REGIONS, resolveRegions } from '../../runbooks/fleet/regions';
import { partitionOf } from '../../runbooks/engine/validate';
import { RunbookError } from '../../runbooks/engine/errors';

const A = '111122223333';
const meta = { $metadata: {} };
const error = (name: string, message = name) => Object.assign(new Error(message), { name });
const LOCK = JSON.stringify({
  Statement: [
    {
      Sid: 'DenyAllExceptPipeline',
      Effect: 'Deny',
      Principal: '*',
      Action: '*',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/pipeline` } },
    },
  ],
});
const TLS = JSON.stringify({
  Statement: [
    {
      Effect: 'Deny',
      Principal: '*',
      Action: '*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

interface World {
  buckets: { name: string; region?: string; policy: string | null | Error }[];
  /** region → queue URL → policy (or the error its read throws); a region value that is an Error fails ListQueues. */
  queues: Record<string, Record<string, string | null | Error> | Error>;
  /** task → errors thrown by the next AssumeRoots */
  refuse?: Partial<Record<TaskAlias, Error[]>>;
  /** Calls after which the first session of a task expires (its next call throws ExpiredToken). */
  expireAfter?: Partial<Record<TaskAlias, number>>;
  /** Tasks whose every session is expired at its first call. */
  alwaysExpired?: TaskAlias[];
  pageSize?: number;
}

function fakes(world: World) {
  const calls: string[] = [];
  let serial = 0;
  const sessions = new Map<string, { task: TaskAlias; used: number }>();
  const use = (credentials: SessionCredentials, name: string) => {
    const s = sessions.get(credentials.accessKeyId)!;
    calls.push(`${name} ${credentials.accessKeyId}`);
    s.used++;
    const limit = world.alwaysExpired?.includes(s.task) ? 0 : world.expireAfter?.[s.task];
    if (limit !== undefined && s.used > limit) {
      if (world.expireAfter) world.expireAfter[s.task] = undefined;
      throw error('ExpiredToken', 'The security token included in the request is expired');
    }
  };
  const size = world.pageSize ?? 1000;
  const deps: ScanDeps = {
    assumeRoot: async (account, task) => {
      calls.push(`AssumeRoot ${account} ${task}`);
      const refusal = world.refuse?.[task]?.shift();
      if (refusal) throw refusal;
      const accessKeyId = `ASIA${task.toUpperCase().replace(/-/g, '')}${++serial}`;
      sessions.set(accessKeyId, { task, used: 0 });
      return { accessKeyId, secretAccessKey: 'secret', sessionToken: 'token' };
    },
    s3For: (credentials): BucketPolicyReader => ({
      listBuckets: async ({ ContinuationToken, MaxBuckets }) => {
        use(credentials, 'ListBuckets');
        expect(MaxBuckets).toBe(10_000);
        const start = ContinuationToken ? Number(ContinuationToken) : 0;
        const page = world.buckets.slice(start, start + size);
        return {
          Buckets: page.map((b) => ({ Name: b.name, BucketRegion: b.region })),
          ContinuationToken: start + size < world.buckets.length ? String(start + size) : undefined,
          ...meta,
        };
      },
      getBucketPolicy: async ({ Bucket, ExpectedBucketOwner }) => {
        use(credentials, `GetBucketPolicy ${Bucket}`);
        expect(ExpectedBucketOwner).toBe(A);
        const policy = world.buckets.find((b) => b.name === Bucket)!.policy;
        if (policy instanceof Error) throw policy;
        if (policy === null) throw error('NoSuchBucketPolicy');
        return { Policy: policy, ...meta };
      },
    }),
    sqsFor: (credentials, region): QueuePolicyReader => ({
      listQueues: async ({ NextToken }) => {
        use(credentials, `ListQueues ${region}`);
        const queues = world.queues[region] ?? {};
        if (queues instanceof Error) throw queues;
        const urls = Object.keys(queues);
        const start = NextToken ? Number(NextToken) : 0;
        return {
          QueueUrls: urls.slice(start, start + size),
          NextToken: start + size < urls.length ? String(start + size) : undefined,
          ...meta,
        };
      },
      getQueueAttributes: async ({ QueueUrl, AttributeNames }) => {
        use(credentials, `GetQueueAttributes ${QueueUrl}`);
        expect(AttributeNames).toEqual(['Policy', 'QueueArn']);
        const policy = (world.queues[region] as Record<string, string | null | Error>)[QueueUrl!];
        if (policy instanceof Error) throw policy;
        const name = QueueUrl!.split('/').pop();
        return {
          Attributes: {
            QueueArn: `arn:aws:sqs:${region}:${A}:${name}`,
            ...(policy === null ? {} : { Policy: policy }),
          },
          ...meta,
        };
      },
    }),
  };
  return { deps, calls };
}

const SCOPE: ScanScope = {
  regions: ['us-east-1', 'eu-west-1'],
  callerRegion: 'us-east-1',
  organizationId: 'o-abc123def4',
};
const url = (region: string, name: string) => `https://sqs.${region}.amazonaws.com/${A}/${name}`;
const statuses = (rows: LockoutRow[]) => rows.map((r) => [r.status, r.resourceType, r.region, r.resource]);

describe('scanAccount', () => {
  it('judges every bucket and queue policy and rows only the lock-outs, with their region and fix', async () => {
    const { deps, calls } = fakes({
      buckets: [
        { name: 'locked-west', region: 'eu-west-1', policy: LOCK },
        { name: 'tls', region: 'us-east-1', policy: TLS },
        { name: 'none', policy: null },
        { name: 'locked-unknown-region', policy: LOCK },
      ],
      queues: {
        'us-east-1': { [url('us-east-1', 'ok')]: TLS, [url('us-east-1', 'empty')]: null },
        'eu-west-1': { [url('eu-west-1', 'jobs')]: LOCK },
      },
      pageSize: 1,
    });
    const scan = await scanAccount(deps, { id: A }, SCOPE);
    expect(scan.status).toBe('scanned');
    expect(statuses(scan.rows)).toEqual([
      ['lockout', 's3-bucket', 'eu-west-1', 'locked-west'],
      ['lockout', 's3-bucket', null, 'locked-unknown-region'],
      ['lockout', 'sqs-queue', 'eu-west-1', url('eu-west-1', 'jobs')],
    ]);
    expect(scan.rows[0]).toEqual({
      account: A,
      region: 'eu-west-1',
      resourceType: 's3-bucket',
      resource: 'locked-west',
      status: 'lockout',
      lockingStatements: ['DenyAllExceptPipeline'],
      allowedPrincipals: [`arn:aws:iam::${A}:role/pipeline`],
      fix: `runbook s3-unlock --account ${A} --bucket locked-west`,
      error: null,
      skipped: null,
    });
    expect(scan.rows[2].fix).toBe(
      `runbook sqs-unlock --account ${A} --queue-url ${url('eu-west-1', 'jobs')} --region eu-west-1`,
    );
    expect({ buckets: scan.buckets, queues: scan.queues }).toEqual({ buckets: 4, queues: 3 });
    // Paged listings (one item per page here) were followed to the end.
    expect(calls.filter((c) => c.startsWith('ListBuckets'))).toHaveLength(4);
    expect(calls.filter((c) => c.startsWith('ListQueues us-east-1'))).toHaveLength(2);
    // One session per task (the trail records them in deps.assumeRoot, see fleet/aws.ts).
    expect(calls.filter((c) => c.startsWith('AssumeRoot'))).toEqual([
      `AssumeRoot ${A} s3-unlock`,
      `AssumeRoot ${A} sqs-unlock`,
    ]);
  });

  it('a refused AssumeRoot is a failed row of its resource type; the other type is still scanned', async () => {
    const refused = new RunbookError('AccessDenied', `sts:AssumeRoot on account ${A} failed: AccessDenied`);
    const { deps, calls } = fakes({
      buckets: [{ name: 'b', policy: LOCK }],
      queues: { 'us-east-1': { [url('us-east-1', 'q')]: LOCK } },
      refuse: { 's3-unlock': [refused] },
    });
    const scan = await scanAccount(deps, { id: A }, { ...SCOPE, regions: ['us-east-1'] });
    expect(scan.status).toBe('failed');
    expect(statuses(scan.rows)).toEqual([
      ['failed', 's3-bucket', null, null],
      ['lockout', 'sqs-queue', 'us-east-1', url('us-east-1', 'q')],
    ]);
    expect(scan.rows[0].error).toEqual({ code: 'AccessDenied', message: refused.message });
    expect(calls.filter((c) => c.startsWith('AssumeRoot'))).toEqual([
      `AssumeRoot ${A} s3-unlock`,
      `AssumeRoot ${A} sqs-unlock`,
    ]);
    expect(calls.some((c) => c.startsWith('ListBuckets'))).toBe(false);
  });

  it('one call failing is one failed row; the rest of the account is still judged', async () => {
    const { deps } = fakes({
      buckets: [
        { name: 'denied', policy: error('AccessDenied', 'Access Denied') },
        { name: 'locked', policy: LOCK },
        { name: 'gone', policy: error('NoSuchBucket') },
      ],
      queues: {
        'us-east-1': error('AccessDenied', 'not allowed'),
        'eu-west-1': {
          [url('eu-west-1', 'gone')]: error('AWS.SimpleQueueService.NonExistentQueue'),
          [url('eu-west-1', 'q')]: LOCK,
        },
      },
    });
    const scan = await scanAccount(deps, { id: A }, SCOPE);
    expect(statuses(scan.rows)).toEqual([
      ['failed', 's3-bucket', null, 'denied'],
      ['lockout', 's3-bucket', null, 'locked'],
      ['failed', 'sqs-queue', 'us-east-1', null],
      ['lockout', 'sqs-queue', 'eu-west-1', url('eu-west-1', 'q')],
    ]);
    expect(scan.rows[0].error).toMatchObject({
      code: 'AccessDenied',
      message: expect.stringMatching(/s3:GetBucketPolicy on bucket denied/),
    });
    expect(scan.rows[2].error).toMatchObject({
      code: 'AccessDenied',
      message: expect.stringMatching(/sqs:ListQueues.*us-east-1/),
    });
  });

  it('an expired session is assumed again once and the scan repeated; twice is a failed row', async () => {
    const world: World = {
      buckets: [
        { name: 'b1', policy: LOCK },
        { name: 'b2', policy: TLS },
      ],
      queues: { 'us-east-1': { [url('us-east-1', 'q')]: LOCK } },
      expireAfter: { 's3-unlock': 2, 'sqs-unlock': 1 },
    };
    const { deps, calls } = fakes(world);
    const scan = await scanAccount(deps, { id: A }, { ...SCOPE, regions: ['us-east-1'] });
    expect(statuses(scan.rows)).toEqual([
      ['lockout', 's3-bucket', null, 'b1'],
      ['lockout', 'sqs-queue', 'us-east-1', url('us-east-1', 'q')],
    ]);
    const tasks = calls.filter((c) => c.startsWith('AssumeRoot')).map((c) => c.split(' ')[2]);
    expect(tasks.sort()).toEqual(['s3-unlock', 's3-unlock', 'sqs-unlock', 'sqs-unlock']);

    const again = fakes({ ...world, expireAfter: undefined, alwaysExpired: ['s3-unlock'] });
    const twice = await scanAccount(again.deps, { id: A }, { ...SCOPE, regions: [] });
    expect(twice.rows).toEqual([
      expect.objectContaining({
        status: 'failed',
        resourceType: 's3-bucket',
        error: expect.objectContaining({ code: 'SessionExpired' }),
      }),
    ]);
  });

  it('with --all-regions an opt-in region the account has not enabled is skipped; anywhere else it fails', async () => {
    const refused = () => error('UnrecognizedClientException', 'The security token included in the request is invalid');
    const world = { buckets: [], queues: { 'af-south-1': refused(), 'us-west-2': refused() } };
    const all = await scanAccount(
      fakes(world).deps,
      { id: A },
      { ...SCOPE, regions: ['af-south-1', 'us-west-2'], allRegions: true },
    );
    expect(statuses(all.rows)).toEqual([
      ['skipped', 'sqs-queue', 'af-south-1', null],
      ['failed', 'sqs-queue', 'us-west-2', null],
    ]);
    expect(all.rows[0].skipped).toMatch(/opt-in region this account has not enabled/);
    const named = await scanAccount(
      fakes({ buckets: [], queues: { 'af-south-1': refused() } }).deps,
      { id: A },
      { ...SCOPE, regions: ['af-south-1'] },
    );
    expect(statuses(named.rows)).toEqual([['failed', 'sqs-queue', 'af-south-1', null]]);
  });

  it('a skipped account is one row and takes no session', async () => {
    const { deps, calls } = fakes({ buckets: [{ name: 'b', policy: LOCK }], queues: {} });
    const scan = await scanAccount(deps, { id: A, skip: 'management account: …' }, SCOPE);
    expect(scan).toMatchObject({
      status: 'skipped',
      rows: [{ status: 'skipped', resourceType: null, skipped: 'management account: …' }],
    });
    expect(calls).toEqual([]);
  });

  it('a policy the rule cannot read is a failed row, not a clean one', async () => {
    const { deps } = fakes({
      buckets: [{ name: 'odd', policy: '{"Statement": [{"Effect": "Sometimes"}]}' }],
      queues: {},
    });
    const scan = await scanAccount(deps, { id: A }, { ...SCOPE, regions: [] });
    expect(scan.rows).toEqual([
      expect.objectContaining({
        status: 'failed',
        resource: 'odd',
        error: expect.objectContaining({ code: 'UnreadablePolicy' }),
      }),
    ]);
  });
});

describe('runLockoutScan', () => {
  it('counts per account and emits in selection order', async () => {
    const { deps } = fakes({ buckets: [{ name: 'b', policy: LOCK }], queues: { 'us-east-1': {} } });
    const seen: string[] = [];
    const totals = await runLockoutScan({
      ...deps,
      accounts: [{ id: A }, { id: '444455556666', skip: 'account state is SUSPENDED, not ACTIVE' }, { id: A }],
      scope: { ...SCOPE, regions: ['us-east-1'] },
      concurrency: 2,
      sink: (scan) => void seen.push(`${scan.account} ${scan.status}`),
    });
    expect(seen).toEqual([`${A} scanned`, '444455556666 skipped', `${A} scanned`]);
    expect(totals).toEqual({
      accounts: 3,
      scanned: 2,
      skipped: 1,
      failed: 0,
      lockouts: 2,
      accountsWithLockouts: 2,
      buckets: 2,
      queues: 0,
    });
  });
});

describe('fix commands and renderers', () => {
  it('quotes what a shell would misread', () => {
    expect(shellArg('project-prod-1')).toBe('project-prod-1');
    expect(shellArg('https://sqs.eu-west-1.amazonaws.com/1/q')).toBe('https://sqs.eu-west-1.amazonaws.com/1/q');
    expect(shellArg("a b'$(x)")).toBe(`'a b'\\''$(x)'`);
    expect(fixCommand('sqs-queue', A, 'http://h/1/q', null)).toBe(
      `runbook sqs-unlock --account ${A} --queue-url http://h/1/q`,
    );
  });

  const row: LockoutRow = {
    account: A,
    region: 'eu-west-1',
    resourceType: 's3-bucket',
    resource: 'b',
    status: 'lockout',
    lockingStatements: ['S1', 'S2'],
    allowedPrincipals: ['arn:aws:iam::1:role/p', 'any principal via aws:SourceVpce vpce-1'],
    fix: `runbook s3-unlock --account ${A} --bucket b`,
    error: null,
    skipped: null,
  };

  it('writes one row in each format', () => {
    expect(lockoutCsvRow(row)).toBe(
      `${A},eu-west-1,s3-bucket,b,lockout,S1 S2,arn:aws:iam::1:role/p; any principal via aws:SourceVpce vpce-1,runbook s3-unlock --account ${A} --bucket b,,`,
    );
    expect(lockoutTableRow(row)).toMatch(
      /^111122223333 {2}eu-west-1 {7}s3-bucket {2}b +LOCKED OUT by S1, S2; open only to arn:aws:iam::1:role\/p, any principal via/,
    );
    expect(lockoutTableRow({ ...row, allowedPrincipals: [] })).toContain('open only to the root user');
    expect(lockoutTableRow({ ...row, status: 'failed', error: { code: 'AccessDenied', message: 'no' } })).toContain(
      'FAILED: AccessDenied: no',
    );
  });

  it.each([
    ['json', '[]\n'],
    ['csv', 'account,region,resource_type,resource,status,locking_statements,allowed_principals,fix,skipped,error\n'],
  ] as const)('%s with no rows is still well formed', async (format, text) => {
    let out = '';
    await lockoutRenderer(format, (t) => void (out += t)).end();
    expect(out).toBe(text);
  });

  it('json streams one array', async () => {
    let out = '';
    const r = lockoutRenderer('json', (t) => void (out += t));
    await r.row(row);
    await r.row({ ...row, resource: 'c' });
    await r.end();
    expect((JSON.parse(out) as LockoutRow[]).map((x) => x.resource)).toEqual(['b', 'c']);
  });
});

describe('regions', () => {
  it('parses --regions and --all-regions, refusing bad or mixed ones', () => {
    expect(parseRegionChoice({})).toEqual({ own: true });
    expect(parseRegionChoice({ allRegions: true })).toEqual({ all: true });
    expect(parseRegionChoice({ regions: 'us-east-1, eu-west-1,us-east-1' })).toEqual({
      regions: ['us-east-1', 'eu-west-1'],
    });
    for (const [flags, message] of [
      [{ regions: 'us-east-1', allRegions: true }, /only one/],
      [{ regions: ' , ' }, /--regions/],
      [{ regions: 'us-east-1,Mars' }, /"Mars"/],
      [{ regions: 'us-east-1,cn-north-1' }, /one partition/],
    ] as const) {
      expect(() => parseRegionChoice(flags)).toThrow(message);
    }
  });

  it('resolves the choice against the caller region and its partition', () => {
    expect(resolveRegions({ own: true }, 'eu-west-1')).toEqual(['eu-west-1']);
    expect(resolveRegions({ all: true }, 'cn-north-1')).toEqual(['cn-north-1', 'cn-northwest-1']);
    expect(resolveRegions({ all: true }, 'us-east-1')).toContain('ap-south-2');
    expect(() => resolveRegions({ regions: ['cn-north-1'] }, 'us-east-1')).toThrow(/aws partition/);
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(isOptInRegion('af-south-1')).toBe(true);
    expect(isOptInRegion('eu-west-1')).toBe(false);
    expect(isOptInRegion('cn-north-1')).toBe(false);
  });

  it('every region listed is one the SDK knows in the same partition', () => {
    const file = join(
      require.resolve('@aws-sdk/core'),
      '../../dist-es/submodules/client/util-endpoints/lib/aws/partitions.js',
    );
    const data = JSON.parse(
      readFileSync(file, 'utf8')
        .replace(/^[\s\S]*?=\s*/, '')
        .replace(/;\s*$/, ''),
    ) as {
      partitions: { id: string; regions: Record<string, unknown> }[];
    };
    for (const [partition, regions] of Object.entries(PARTITION_REGIONS)) {
      const known = Object.keys(data.partitions.find((p) => p.id === partition)?.regions ?? {});
      expect({ partition, unknown: regions.filter((r) => !known.includes(r)) }).toEqual({ partition, unknown: [] });
      expect(regions.every((r) => partitionOf(r) === partition)).toBe(true);
    }
  });
});
