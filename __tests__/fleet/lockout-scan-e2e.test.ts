/**
 * runbook lockout-scan end to end through the built CLI against the sandbox: an organization whose lock-outs are
 * scattered over several accounts and two regions (and one more in a third region), beside policies that look
 * strict but leave the owner a way in, a policy the rule cannot read, and a suspended account. The scan must
 * report exactly the seeded lock-outs, read only, record every session in the trail before its use, and its fix
 * commands must work.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy } from '../../emulator/proxy';
import { MANAGEMENT_ACCOUNT_ID } from '../../emulator/sandbox';
import {
  issuedSecrets,
  issuedSessions,
  readBucketPolicy,
  readQueuePolicy,
  seedBucket,
  seedOrganization,
  seedQueue,
  type SeededOrg,
} from '../../emulator/seed';
import type { LockoutRow } from '../../runbooks/fleet/lockout-scan';
import { runCli, type CliResult } from '../../test-support/cli';
import { lastRun, ofType, trailRecords } from '../../test-support/trail';
import { describeWithSandbox, sandboxEnv, useSandbox } from '../../test-support/sandbox';

type Policy = Record<string, unknown>;
const doc = (...Statement: object[]): Policy => ({ Version: '2012-10-17', Statement });
const pipeline = (account: string) => `arn:aws:iam::${account}:role/pipeline`;

/** The DenyAllExceptPipeline incident's policy, for a bucket or a queue. */
const pipelineLock = (account: string, service: 's3' | 'sqs') =>
  doc({
    Sid: 'DenyAllExceptPipeline',
    Effect: 'Deny',
    Principal: '*',
    Action: `${service}:*`,
    Resource: '*',
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': pipeline(account) } },
  });
const tlsOnly = doc({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: '*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});
const orgOnly = (org: string, service: 's3' | 'sqs') =>
  doc({
    Sid: 'DenyOutsideOrganization',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: `${service}:*`,
    Resource: '*',
    Condition: { StringNotEquals: { 'aws:PrincipalOrgID': org } },
  });

const vpceOnly = doc({
  Sid: 'VpceOnly',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sqs:*',
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d' } },
});

describeWithSandbox('lockout-scan end to end', () => {
  const sandbox = useSandbox();
  const work = mkdtempSync(join(tmpdir(), 'lockout-e2e-'));
  const auditLog = join(work, 'audit.jsonl');
  const outputs: string[] = [];
  let org: SeededOrg;
  let a: string[];
  let suspended: string;
  const queueUrls = new Map<string, string>();
  /** The lock-outs seeded, as (account, region, type, resource) → expected statements and principals. */
  const expected: Omit<LockoutRow, 'fix' | 'error' | 'skipped' | 'status'>[] = [];

  const runbook = async (args: string[], endpoint = sandbox.endpoint): Promise<CliResult> => {
    const run = await runCli(args, {
      cwd: work,
      endpoint,
      env: { ...sandboxEnv(sandbox.endpoint), RUNBOOK_AUDIT_LOG: auditLog, RUNBOOK_BACKUP_DIR: join(work, 'backups') },
    });
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  const rows = (run: CliResult): LockoutRow[] => JSON.parse(run.stdout) as LockoutRow[];
  const key = (r: Pick<LockoutRow, 'account' | 'region' | 'resourceType' | 'resource'>) =>
    `${r.account} ${r.region} ${r.resourceType} ${r.resource}`;
  const lockouts = (list: LockoutRow[]) =>
    list
      .filter((r) => r.status === 'lockout')
      .map(({ account, region, resourceType, resource, lockingStatements, allowedPrincipals }) => ({
        account,
        region,
        resourceType,
        resource,
        lockingStatements,
        allowedPrincipals,
      }))
      .sort((x, y) => key(x).localeCompare(key(y)));
  /** Rows of a run through a proxy as a direct run shows them (queue URLs name the endpoint), in a stable order. */
  const sandboxView = (list: LockoutRow[], endpoint: string) =>
    list
      .map((r) => ({
        ...r,
        resource: r.resource?.replace(endpoint, sandbox.endpoint) ?? null,
        fix: r.fix?.replace(endpoint, sandbox.endpoint) ?? null,
      }))
      .sort((x, y) => key(x).localeCompare(key(y)));
  const expectedIn = (regions: string[] | 'all') =>
    expected
      .filter((e) => regions === 'all' || regions.includes(e.region ?? ''))
      .sort((x, y) => key(x).localeCompare(key(y)));

  const bucket = async (account: string, name: string, region: string, policy: Policy | string | null) =>
    seedBucket(sandbox.endpoint, account, { bucket: name, region, policy });
  const queue = async (account: string, name: string, region: string, policy: Policy | string | null) => {
    const seeded = await seedQueue(sandbox.endpoint, account, { queueName: name, region, policy });
    queueUrls.set(`${account} ${region} ${name}`, seeded.queueUrl);
    return seeded.queueUrl;
  };
  const locked = async (
    type: 's3-bucket' | 'sqs-queue',
    account: string,
    name: string,
    region: string,
    policy: Policy,
    lockingStatements: string[],
    allowedPrincipals: string[],
  ) => {
    const resource =
      type === 's3-bucket'
        ? (await bucket(account, name, region, policy)).bucket
        : await queue(account, name, region, policy);
    expected.push({ account, region, resourceType: type, resource, lockingStatements, allowedPrincipals });
  };

  beforeAll(async () => {
    org = await seedOrganization(sandbox.endpoint, { accounts: 7, ous: ['Prod', 'Dev'], suspendedAccounts: 1 });
    a = org.accounts.filter((x) => x.state === 'ACTIVE').map((x) => x.id);
    suspended = org.accounts.find((x) => x.state === 'SUSPENDED')!.id;
    const o = org.organizationId;
    // a0: a locked bucket in us-east-1 and a locked queue in eu-west-1, beside harmless strict ones.
    await locked(
      's3-bucket',
      a[0],
      `lk-${a[0]}-east`,
      'us-east-1',
      pipelineLock(a[0], 's3'),
      ['DenyAllExceptPipeline'],
      [pipeline(a[0])],
    );
    await bucket(a[0], `ok-${a[0]}-tls`, 'eu-west-1', tlsOnly);
    await queue(a[0], 'orders', 'us-east-1', orgOnly(o, 'sqs'));
    await locked(
      'sqs-queue',
      a[0],
      'orders',
      'eu-west-1',
      vpceOnly,
      ['VpceOnly'],
      ['any principal via aws:SourceVpce vpce-0a1b2c3d'],
    );
    // a1: NotPrincipal in eu-west-1; a Deny of SendMessage only, and of s3:Put* only, leave management open.
    await locked(
      's3-bucket',
      a[1],
      `lk-${a[1]}-west`,
      'eu-west-1',
      doc({
        Sid: 'OnlyPipeline',
        Effect: 'Deny',
        NotPrincipal: { AWS: [pipeline(a[1]), `arn:aws:iam::${a[1]}:root`] },
        Action: 's3:*',
        Resource: '*',
      }),
      ['OnlyPipeline'],
      [pipeline(a[1]), `arn:aws:iam::${a[1]}:root`],
    );
    await queue(
      a[1],
      'jobs',
      'us-east-1',
      doc({ Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Resource: '*' }),
    );
    await bucket(
      a[1],
      `ok-${a[1]}-put`,
      'us-east-1',
      doc({ Effect: 'Deny', Principal: '*', Action: 's3:Put*', Resource: '*' }),
    );
    // a2: strict but not locked, and no policy at all.
    await bucket(a[2], `ok-${a[2]}-org`, 'us-east-1', orgOnly(o, 's3'));
    await bucket(a[2], `ok-${a[2]}-none`, 'eu-west-1', null);
    await queue(a[2], 'plain', 'eu-west-1', null);
    // a3: two statements that each exempt someone else, and a Deny for everyone outside another account.
    await locked(
      'sqs-queue',
      a[3],
      'pay',
      'eu-west-1',
      doc(
        {
          Sid: 'OnlyA',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${a[3]}:role/a` } },
        },
        {
          Sid: 'OnlyB',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${a[3]}:role/b` } },
        },
      ),
      ['OnlyA', 'OnlyB'],
      [],
    );
    await locked(
      's3-bucket',
      a[3],
      `lk-${a[3]}-acct`,
      'us-east-1',
      doc({
        Sid: 'OtherAccountOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*Policy',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': '444455556666' } },
      }),
      ['OtherAccountOnly'],
      ['principals of account 444455556666'],
    );
    // a4: a lock-out in a third region, and a policy the rule cannot read (an operator IAM does not know).
    await locked(
      'sqs-queue',
      a[4],
      'far',
      'ap-south-1',
      pipelineLock(a[4], 'sqs'),
      ['DenyAllExceptPipeline'],
      [pipeline(a[4])],
    );
    await bucket(
      a[4],
      `bad-${a[4]}`,
      'us-east-1',
      doc({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringSometimes: { 'aws:PrincipalArn': 'x' } },
      }),
    );
    // The suspended account is locked too, but cannot be scanned.
    await bucket(suspended, `lk-${suspended}`, 'us-east-1', pipelineLock(suspended, 's3'));
  });

  const TWO = ['us-east-1', 'eu-west-1'];

  it('--all: exactly the seeded lock-outs of the two regions, the unreadable policy failed, the rest skipped', async () => {
    const run = await runbook(['lockout-scan', '--all', '--regions', TWO.join(','), '--output', 'json']);
    expect(run.code).toBe(1);
    const found = rows(run);
    expect(lockouts(found)).toEqual(expectedIn(TWO));
    expect(found.filter((r) => r.status === 'failed')).toEqual([
      expect.objectContaining({
        account: a[4],
        resourceType: 's3-bucket',
        resource: `bad-${a[4]}`,
        region: 'us-east-1',
        error: expect.objectContaining({ code: 'UnreadablePolicy', message: expect.stringMatching(/StringSometimes/) }),
      }),
    ]);
    expect(
      found
        .filter((r) => r.status === 'skipped')
        .map((r) => r.account)
        .sort(),
    ).toEqual([MANAGEMENT_ACCOUNT_ID, suspended].sort());
    expect(run.stderr).toMatch(/lockout-scan: 8 accounts \(2 regions for queues\): 5 lock-outs in 3 accounts/);
  });

  it('reports each row with its fix, and the fix commands unlock', async () => {
    const accounts = [a[0], a[1]].join(',');
    const before = rows(
      await runbook(['lockout-scan', '--accounts', accounts, '--regions', TWO.join(','), '--output', 'json']),
    );
    const east = before.find((r) => r.resource === `lk-${a[0]}-east`)!;
    expect(east).toMatchObject({
      region: 'us-east-1',
      fix: `runbook s3-unlock --account ${a[0]} --bucket lk-${a[0]}-east`,
    });
    const westQueue = before.find((r) => r.resourceType === 'sqs-queue')!;
    expect(westQueue.fix).toBe(
      `runbook sqs-unlock --account ${a[0]} --queue-url ${westQueue.resource} --region eu-west-1`,
    );
    for (const row of [east, westQueue]) {
      const [, ...args] = row.fix!.split(' ');
      const fixed = await runbook([...args, '--yes', '--json']);
      expect({ fix: row.fix, code: fixed.code }).toEqual({ fix: row.fix, code: 0 });
    }
    expect(await readBucketPolicy(sandbox.endpoint, a[0], `lk-${a[0]}-east`)).toBeNull();
    const after = rows(
      await runbook(['lockout-scan', '--accounts', accounts, '--regions', TWO.join(','), '--output', 'json']),
    );
    const unlocked = new Set([key(east), key(westQueue)]);
    expect(lockouts(after).map(key)).toEqual(
      lockouts(before)
        .map(key)
        .filter((k) => !unlocked.has(k)),
    );
    expect(lockouts(after)).toHaveLength(1);
    // Put them back for the other tests.
    await bucket(a[0], `lk-${a[0]}-east`, 'us-east-1', pipelineLock(a[0], 's3'));
    await queue(a[0], 'orders', 'eu-west-1', vpceOnly);
  });

  it('--all-regions finds the lock-out in the third region too', async () => {
    const run = await runbook(['lockout-scan', '--accounts', a[4], '--all-regions', '--output', 'json']);
    const found = lockouts(rows(run));
    expect(found).toEqual(expectedIn('all').filter((e) => e.account === a[4]));
    expect(run.stderr).toMatch(/\(\d\d regions for queues\)/);
  });

  it('--ou takes several OUs; --fail-on-findings exits 1 on findings and 0 without', async () => {
    const ous = org.ous.map((ou) => ou.id).join(',');
    const byOu = await runbook(['lockout-scan', '--ou', ous, '--regions', TWO.join(','), '--output', 'json']);
    expect(lockouts(rows(byOu))).toEqual(expectedIn(TWO));
    expect(rows(byOu).some((r) => r.account === MANAGEMENT_ACCOUNT_ID)).toBe(false);

    const clean = await runbook([
      'lockout-scan',
      '--accounts',
      [a[2], a[5]].join(','),
      '--regions',
      TWO.join(','),
      '--fail-on-findings',
      '--output',
      'json',
    ]);
    expect({ code: clean.code, rows: rows(clean) }).toEqual({ code: 0, rows: [] });
    const dirty = await runbook([
      'lockout-scan',
      '--accounts',
      a[3],
      '--regions',
      TWO.join(','),
      '--fail-on-findings',
      '--output',
      'json',
    ]);
    expect(dirty.code).toBe(1);
    expect(rows(dirty).every((r) => r.status === 'lockout')).toBe(true);
    const noFlag = await runbook(['lockout-scan', '--accounts', a[3], '--regions', TWO.join(',')]);
    expect(noFlag.code).toBe(0);
  });

  it('table and CSV carry the same rows', async () => {
    const args = ['lockout-scan', '--accounts', [a[0], a[3]].join(','), '--regions', TWO.join(',')];
    const table = await runbook([...args, '--output', 'table']);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT\s+REGION\s+TYPE\s+RESOURCE\s+RESULT$/);
    expect(lines.slice(1).filter((l) => l.includes('LOCKED OUT'))).toHaveLength(4);
    expect(table.stdout).toContain(`fix: runbook s3-unlock --account ${a[0]} --bucket lk-${a[0]}-east`);
    const csv = await runbook([...args, '--output', 'csv']);
    const [header, ...records] = csv.stdout.trim().split('\n');
    expect(header).toBe(
      'account,region,resource_type,resource,status,locking_statements,allowed_principals,fix,skipped,error',
    );
    expect(records).toHaveLength(4);
    expect(records.find((r) => r.includes('OnlyA'))).toContain(',OnlyA OnlyB,,');
  });

  it('reads only, through the two unlock tasks, and records every root session before its first use', async () => {
    const proxy = await startFaultProxy({ target: sandbox.endpoint });
    const issuedBefore = (await issuedSessions(sandbox.endpoint)).length;
    let scanned: LockoutRow[];
    try {
      const run = await runbook(
        ['lockout-scan', '--accounts', [a[0], a[3]].join(','), '--regions', TWO.join(','), '--output', 'json'],
        proxy.endpoint,
      );
      expect(run.code).toBe(0);
      scanned = rows(run);
      const calls = [...new Set(proxy.log().map((e) => `${e.service} ${e.action}`))].sort();
      expect(calls).toEqual([
        'organizations DescribeAccount',
        'organizations DescribeOrganization',
        's3 GetBucketPolicy',
        's3 ListBuckets',
        'sqs GetQueueAttributes',
        'sqs ListQueues',
        'sts AssumeRoot',
        'sts GetCallerIdentity',
      ]);
      expect(proxy.log().filter((e) => e.mutating)).toEqual([]);
      expect(proxy.log().filter((e) => e.action === 'AssumeRoot')).toHaveLength(4);
    } finally {
      await proxy.stop();
    }

    const records = lastRun(trailRecords(auditLog), 'lockout-scan');
    const [intent] = records;
    expect(intent).toMatchObject({
      type: 'intent',
      accounts: { accounts: [a[0], a[3]] },
      task: [
        'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
        'arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy',
      ],
      parameters: { regions: { regions: TWO }, output: 'json', failOnFindings: false },
    });
    // One trail session record per root session, each before its account's outcome (written once the account's
    // reads are done), and the run's outcome last.
    const sessions = ofType(records, 'session').filter((r) => r.kind === 'root');
    expect(sessions.map((r) => [r.account, String(r.task).split('/').pop()]).sort()).toEqual(
      [
        [a[0], 'S3UnlockBucketPolicy'],
        [a[0], 'SQSUnlockQueuePolicy'],
        [a[3], 'S3UnlockBucketPolicy'],
        [a[3], 'SQSUnlockQueuePolicy'],
      ].sort(),
    );
    const outcomes = ofType(records, 'outcome').filter((r) => r.account !== null);
    expect(outcomes.map((r) => r.account).sort()).toEqual([a[0], a[3]].sort());
    for (const outcome of outcomes) {
      const mine = sessions.filter((s) => s.account === outcome.account);
      expect(mine.every((s) => s.seq < outcome.seq)).toBe(true);
      const lockoutsOf = scanned.filter((r) => r.account === outcome.account && r.status === 'lockout').length;
      expect(lockoutsOf).toBeGreaterThan(0);
      expect(outcome).toMatchObject({
        outcome: 'unchanged',
        errorCode: null,
        details: { lockouts: lockoutsOf, failed: 0 },
      });
    }
    expect(records[records.length - 1]).toMatchObject({ type: 'outcome', account: null, outcome: 'unchanged' });
    // Every session the sandbox issued for this run is in the trail, by its access key id.
    const issued = (await issuedSessions(sandbox.endpoint)).slice(issuedBefore);
    expect(issued).toHaveLength(4);
    expect(issued.map((i) => i.accessKeyId).sort()).toEqual(sessions.map((s) => s.accessKeyId).sort());
    expect(await readQueuePolicy(sandbox.endpoint, a[3], queueUrls.get(`${a[3]} eu-west-1 pay`)!)).toContain('OnlyA');
  });

  it('finds the same rows while AWS throttles and fails at random', async () => {
    const calm = rows(await runbook(['lockout-scan', '--all', '--regions', TWO.join(','), '--output', 'json']));
    const proxy = await startFaultProxy({
      target: sandbox.endpoint,
      seed: 7,
      faults: { throttle: 0.15, serverError: 0.05, maxConsecutive: 3 },
    });
    try {
      const stormy = await runbook(
        ['lockout-scan', '--all', '--regions', TWO.join(','), '--output', 'json', '--concurrency', '4'],
        proxy.endpoint,
      );
      expect(proxy.log().some((e) => e.outcome !== 'passed')).toBe(true);
      const strip = (list: LockoutRow[]) => sandboxView(list, proxy.endpoint);
      expect(strip(rows(stormy))).toEqual(strip(calm));
    } finally {
      await proxy.stop();
    }
  });

  it('under quotas and uncapped random throttling no account fails, and every S3 and SQS call is paced', async () => {
    const calm = await runbook(['lockout-scan', '--all', '--regions', TWO.join(','), '--output', 'json']);
    const proxy = await startFaultProxy({
      target: sandbox.endpoint,
      seed: 15,
      faults: { throttle: 0.25 },
      quotas: {
        'sts:AssumeRoot': { rate: 8, burst: 1 },
        ListBuckets: { rate: 2, burst: 1 },
        GetBucketPolicy: { rate: 4, burst: 1 },
        ListQueues: { rate: 4, burst: 1 },
        GetQueueAttributes: { rate: 2, burst: 1 },
      },
    });
    try {
      const run = await runbook(
        ['lockout-scan', '--all', '--regions', TWO.join(','), '--output', 'json', '--concurrency', '8', '-v'],
        proxy.endpoint,
      );
      const strip = (list: LockoutRow[]) => sandboxView(list, proxy.endpoint);
      expect({ code: run.code, rows: strip(rows(run)) }).toEqual({ code: calm.code, rows: strip(rows(calm)) });
      // Each API the proxy refused is in the run's pacing report (-v) with exactly as many throttled answers: every
      // attempt of the root sessions' S3 and SQS clients went through the run's one pacer, as AssumeRoot's did.
      const refused = new Map<string, number>();
      for (const e of proxy.log()) {
        if (e.outcome !== 'throttled' && e.outcome !== 'over-quota') continue;
        const api = `${e.service}:${e.action}`;
        refused.set(api, (refused.get(api) ?? 0) + 1);
      }
      const reported = new Map(
        [...run.stderr.matchAll(/^pacing: (\S+): \d+ accepted, (\d+) throttled/gm)].map((m) => [m[1], Number(m[2])]),
      );
      expect(reported).toEqual(refused);
      for (const api of ['sts:AssumeRoot', 's3:ListBuckets', 's3:GetBucketPolicy', 'sqs:ListQueues']) {
        expect(refused.get(api)).toBeGreaterThan(0);
      }
    } finally {
      await proxy.stop();
    }
  });

  it('bad input is refused before any AWS call', async () => {
    for (const args of [
      ['--all', '--regions', 'us-east-1', '--all-regions'],
      ['--all', '--regions', 'us-east-1,mars-1'],
      ['--all', '--regions', 'us-east-1,cn-north-1'],
      ['--all', '--output', 'yaml'],
      ['--ou', 'ou-bad'],
      ['--accounts', '123'],
      ['--regions', 'us-east-1'],
    ]) {
      const run = await runbook(['lockout-scan', ...args], 'http://127.0.0.1:9');
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^error: /);
    }
  });

  it('never prints or records a secret', async () => {
    const secrets = await issuedSecrets(sandbox.endpoint);
    expect(secrets.length).toBeGreaterThan(20);
    const haystack = outputs.join('\n') + readFileSync(auditLog, 'utf8');
    expect(secrets.filter((secret) => haystack.includes(secret))).toEqual([]);
  });
});
