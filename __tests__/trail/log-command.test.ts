/**
 * `runbook log verify` and `runbook log show`, through the built CLI, on a real trail and on copies of it damaged
 * the ways an intruder (or a crash) would: a line edited, deleted, reordered, the end cut off, the last line
 * changed. Each damaged copy must exit 1 and name the line; the intact one exits 0.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withRun } from '../../runbooks/engine/trail';
import { CLI } from '../../test-support/cli';

const dir = mkdtempSync(join(tmpdir(), 'log-command-'));
const log = join(dir, 'audit.jsonl');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [CLI, 'log', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

beforeAll(async () => {
  const runs: [string, string, string][] = [
    ['s3-unlock', '111111111111', '2026-11-20T10:00:00.000Z'],
    ['audit', '222222222222', '2026-11-21T10:00:00.000Z'],
    ['s3-unlock', '222222222222', '2026-11-22T10:00:00.000Z'],
  ];
  for (const [runbook, account] of runs) {
    await withRun(
      log,
      {
        runbook,
        parameters: {},
        account,
        region: 'eu-west-1',
        task: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
        plan: `${runbook} ${account}`,
      },
      async (run) => {
        run.identify({ arn: 'arn:aws:iam::999999999999:user/alice', account: '999999999999' });
        await run.session({ kind: 'caller', account: '999999999999', region: 'eu-west-1', accessKeyId: 'AKIACALLER' });
        await run.session({
          kind: 'root',
          account,
          region: 'eu-west-1',
          accessKeyId: `ASIA${account}`,
          task: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
        });
        if (runbook === 's3-unlock') {
          await run.change({
            account,
            resource: 'b',
            action: 's3:DeleteBucketPolicy',
            beforeSha256: 'x',
            backup: '/b.json',
          });
        }
      },
      () => ({ outcome: runbook === 'audit' ? 'unchanged' : 'changed' }),
    );
  }
});

/** A copy of the log (and its head) with `edit` applied to its lines. */
function damaged(name: string, edit: (lines: string[]) => string[], keepHead = true): string {
  const copy = join(dir, `${name}.jsonl`);
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
  writeFileSync(copy, `${edit(lines).join('\n')}\n`);
  if (keepHead) copyFileSync(`${log}.head`, `${copy}.head`);
  return copy;
}

describe('log verify', () => {
  it('exits 0 for the intact log', () => {
    const out = cli('verify', '--audit-log', log);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toContain('intact: 14 records of 3 runs');
    expect(JSON.parse(cli('verify', '--audit-log', log, '--json').stdout)).toMatchObject({
      ok: true,
      lines: 14,
      problem: null,
    });
  });

  const edit = (line: string) => line.replace('"outcome":"unchanged"', '"outcome":"changed"');
  it.each([
    ['an edited line (still valid JSON)', (l: string[]) => l.map((x, i) => (i === 8 ? edit(x) : x)), 'edited', 9],
    [
      'an edited line that is no longer JSON',
      (l: string[]) => l.map((x, i) => (i === 4 ? x.slice(0, -5) : x)),
      'edited',
      5,
    ],
    ['a deleted line', (l: string[]) => l.filter((_, i) => i !== 6), 'deleted', 7],
    ['two reordered lines', (l: string[]) => [...l.slice(0, 5), l[6], l[5], ...l.slice(7)], 'reordered', 6],
    ['lines cut off at the end', (l: string[]) => l.slice(0, 11), 'truncated', 11],
    [
      'the last line edited',
      (l: string[]) => [...l.slice(0, -1), l[l.length - 1].replace('changed', 'unchanged')],
      'edited',
      14,
    ],
  ])('exits 1 and names the first bad line for %s', (name, change, kind, line) => {
    const copy = damaged(name.replace(/\W+/g, '-'), change);
    const out = cli('verify', '--audit-log', copy);
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 1, stderr: '' });
    expect(out.stdout).toContain('NOT intact');
    const report = JSON.parse(cli('verify', '--audit-log', copy, '--json').stdout) as {
      problem: { kind: string; line: number };
    };
    expect(report.problem).toMatchObject({ kind, line });
    expect(out.stdout).toContain(`line ${line}`);
  });

  it('exits 1 for a last line cut short (no newline)', () => {
    const copy = join(dir, 'torn.jsonl');
    const text = readFileSync(log, 'utf8');
    writeFileSync(copy, text.slice(0, text.length - 40));
    const report = JSON.parse(cli('verify', '--audit-log', copy, '--json').stdout) as {
      ok: boolean;
      problem: { kind: string; line: number };
    };
    expect(report).toMatchObject({ ok: false, problem: { kind: 'truncated', line: 14 } });
  });

  it('a whole re-chained forgery is caught by the head, unless the head is forged too (anchor it elsewhere)', () => {
    // Re-computing every hash after an edit makes the chain consistent again; only the head still disagrees.
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    let prev = sha('');
    const forged = lines.map((line, i) => {
      const record: Record<string, unknown> = { ...(JSON.parse(line) as Record<string, unknown>), prev };
      if (i === 8) record.outcome = 'changed';
      const text = JSON.stringify(record);
      prev = sha(text);
      return text;
    });
    const copy = damaged('forged', () => forged);
    expect(JSON.parse(cli('verify', '--audit-log', copy, '--json').stdout)).toMatchObject({
      ok: false,
      problem: { kind: 'edited', line: 14 },
    });
  });

  it('exits 2 for a log that does not exist, and for an unknown subcommand or option', () => {
    expect(cli('verify', '--audit-log', join(dir, 'none.jsonl')).code).toBe(2);
    expect(cli('check', '--audit-log', log).code).toBe(2);
    expect(cli('verify', '--account', '111111111111', '--audit-log', log).code).toBe(2);
  });
});

describe('log show', () => {
  it('lists each run with its sessions and the CloudTrail lookup of each', () => {
    const out = cli('show', '--audit-log', log);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('s3-unlock  changed');
    expect(out.stdout).toContain('caller   arn:aws:iam::999999999999:user/alice');
    expect(out.stdout).toContain(
      'aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=ASIA111111111111',
    );
    expect(out.stdout).toContain('userIdentity.assumedRoot = "true"');
    expect(out.stdout).toContain('AttributeValue=AKIACALLER (in the caller');
  });

  it('filters by --account, --runbook and --since, and prints one JSON object with --json', () => {
    const show = (...args: string[]) =>
      (
        JSON.parse(cli('show', '--audit-log', log, '--json', ...args).stdout) as {
          runs: { runbook: string; accounts: string[]; sessions: { accessKeyId: string }[] }[];
        }
      ).runs;
    expect(show()).toHaveLength(3);
    expect(show('--account', '222222222222').map((r) => r.runbook)).toEqual(['audit', 's3-unlock']);
    expect(show('--account', '222222222222')[0].sessions.map((s) => s.accessKeyId)).toEqual([
      'AKIACALLER',
      'ASIA222222222222',
    ]);
    expect(show('--runbook', 'audit')).toHaveLength(1);
    expect(show('--since', '2999-01-01')).toEqual([]);
    expect(show('--since', '30m')).toHaveLength(3);
  });

  it('refuses a bad --since or --account with exit 2, naming the value', () => {
    for (const args of [
      ['--since', 'yesterday'],
      ['--account', '12'],
    ]) {
      const out = cli('show', '--audit-log', log, ...args);
      expect({ code: out.code, named: out.stderr.includes(args[1]) }).toEqual({ code: 2, named: true });
    }
  });
});
