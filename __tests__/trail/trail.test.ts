/**
 * The audit trail's writer on its own, on real files: the chain, group commit, two processes appending at once,
 * the lock, the refusals at open, damage left by crashes or edits, a write error mid-run, and the synchronous
 * interrupt path. No AWS here: what the runbooks do with it is tested against the sandbox in __tests__/reliability.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunbookError } from '../../runbooks/engine/errors';
import { interruptOpenRuns, openRun, trailStats, withRun } from '../../runbooks/engine/trail';
import { verifyTrail } from '../../runbooks/engine/trail-verify';
import { lockSync, LockTimeout } from '../../runbooks/lib/file-lock';
import { CLI } from '../../test-support/cli';
import { trailRecords } from '../../test-support/trail';

const intent = { runbook: 'test', parameters: { n: 1 }, region: 'us-east-1', task: null, plan: 'a test run' };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fresh = () => join(mkdtempSync(join(tmpdir(), 'trail-')), 'audit.jsonl');

async function rejection(promise: Promise<unknown>): Promise<RunbookError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('expected a RunbookError');
}

async function threeRuns(log: string): Promise<void> {
  for (const account of ['111111111111', '222222222222', '333333333333']) {
    await withRun(
      log,
      { ...intent, account },
      async (run) => {
        await run.session({ kind: 'root', account, accessKeyId: `ASIA${account}` });
        await run.change({ account, resource: 'b', action: 's3:DeleteBucketPolicy', beforeSha256: 'x', backup: null });
      },
      () => ({ outcome: 'changed' }),
    );
  }
}

describe('the chain', () => {
  it('numbers every line, chains it to the one before by sha256, and keeps the head at the last line', async () => {
    const log = fresh();
    await threeRuns(log);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(12);
    let prev = sha('');
    lines.forEach((line, i) => {
      const record = JSON.parse(line) as { v: number; seq: number; prev: string };
      expect({ v: record.v, seq: record.seq, prev: record.prev }).toEqual({ v: 1, seq: i + 1, prev });
      prev = sha(line);
    });
    expect(JSON.parse(readFileSync(`${log}.head`, 'utf8'))).toEqual({ seq: 12, sha256: prev });
    expect(verifyTrail(log)).toMatchObject({ ok: true, lines: 12, runs: 3, openRuns: [] });
  });

  it('creates the log 0600 in a 0700 folder, and tightens an existing log of its owner to 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'trail-')), 'state', 'runbook');
    const log = join(dir, 'audit.jsonl');
    await threeRuns(log);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    chmodSync(log, 0o644);
    await threeRuns(log);
    expect(statSync(log).mode & 0o777).toBe(0o600);
  });

  it('never writes a secret it was told about, whatever field carries it', async () => {
    const log = fresh();
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    await withRun(
      log,
      intent,
      async (run) => {
        await run.session({ kind: 'root', account: '1', accessKeyId: 'ASIA1' }, [secret, undefined, '']);
        await run.change({
          account: '1',
          resource: 'b',
          action: 'x',
          beforeSha256: null,
          backup: null,
          details: { note: `leaked ${secret}`, secretAccessKey: 'dropped by name' },
        });
      },
      () => ({ outcome: 'changed' }),
    );
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('leaked [redacted]');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('dropped by name');
  });
});

describe('group commit', () => {
  it("writes the records queued while the event loop runs in one fsync'd write", async () => {
    const log = fresh();
    const run = await openRun(log, intent);
    const before = trailStats();
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        run.outcome({ account: String(i).padStart(12, '0'), outcome: 'unchanged' }),
      ),
    );
    const after = trailStats();
    expect(after.records - before.records).toBe(500);
    expect(after.flushes - before.flushes).toBe(1);
    await run.finish({ outcome: 'unchanged' });
    expect(verifyTrail(log)).toMatchObject({ ok: true, lines: 502 });
  });

  it("lets a fleet's per-account outcomes ride with the next session's fsync, and still writes every one", async () => {
    const log = fresh();
    const run = await openRun(log, intent);
    await run.session({ kind: 'root', account: '1', accessKeyId: 'ASIA1' });
    const before = trailStats();
    const outcomes = ['1', '2', '3'].map((account) => run.outcome({ account, outcome: 'unchanged' }));
    // The next account's session comes a turn later; unheld, the outcomes would have had a flush of their own by then.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    await run.session({ kind: 'root', account: '4', accessKeyId: 'ASIA4' });
    await Promise.all(outcomes);
    expect(trailStats().flushes - before.flushes).toBe(1);
    await run.finish({ outcome: 'unchanged' });
    expect(trailRecords(log).map((r) => r.outcome ?? r.type)).toEqual([
      'intent',
      'session',
      'unchanged',
      'unchanged',
      'unchanged',
      'session',
      'unchanged',
    ]);
  });

  it('an outcome with no session coming is written at once, not held back', async () => {
    const log = fresh();
    const run = await openRun(log, intent);
    await new Promise((resolve) => setTimeout(resolve, 80)); // longer than any session traffic keeps it waiting
    const written = run.outcome({ account: '1', outcome: 'unchanged' });
    await new Promise((resolve) => setImmediate(resolve)); // the flush started at the end of that turn
    expect(trailRecords(log).map((r) => r.outcome ?? r.type)).toEqual(['intent', 'unchanged']);
    await written;
    await run.finish({ outcome: 'unchanged' });
  });
});

describe('several processes on one log', () => {
  it('two processes appending at once (a flush each record) leave one intact chain with every record', async () => {
    const log = fresh();
    const trail = join(__dirname, '../../dist/runbooks/engine/trail.js');
    const script = `
      const { openRun } = require(${JSON.stringify(trail)});
      (async () => {
        const run = await openRun(process.argv[1], { runbook: 'p', parameters: {}, region: null, task: null, plan: 'p' });
        for (let i = 0; i < 150; i++) await run.outcome({ account: String(i), outcome: 'unchanged' });
        await run.finish({ outcome: 'unchanged' });
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const child = () =>
      new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, ['-e', script, log], { stdio: ['ignore', 'ignore', 'inherit'] });
        p.on('close', resolve);
      });
    expect(await Promise.all([child(), child()])).toEqual([0, 0]);
    const report = verifyTrail(log);
    expect(report).toMatchObject({ ok: true, lines: 2 * 152, runs: 2, openRuns: [] });
  }, 60_000);

  it('breaks a lock left by a process that died, and waits for (then names) a live holder', async () => {
    const log = fresh();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${log}.lock`, `${dead.stdout} ${hostname()} feedface\n`);
    await threeRuns(log);
    expect(verifyTrail(log).ok).toBe(true);

    const release = lockSync(`${log}.lock`);
    let error: unknown;
    try {
      lockSync(`${log}.lock`, { timeoutMs: 200 });
    } catch (err) {
      error = err;
    } finally {
      release();
    }
    expect(error).toBeInstanceOf(LockTimeout);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    lockSync(`${log}.lock`, { timeoutMs: 200 })();
  });
});

describe('refusals at open: no run starts, nothing is written', () => {
  it.each([
    [
      'a symbolic link',
      (dir: string) => {
        writeFileSync(join(dir, 'real.jsonl'), '');
        symlinkSync(join(dir, 'real.jsonl'), join(dir, 'audit.jsonl'));
      },
      'symbolic link',
    ],
    ['a directory', (dir: string) => mkdirSync(join(dir, 'audit.jsonl')), 'is a directory'],
    ['a FIFO', (dir: string) => spawnSync('mkfifo', [join(dir, 'audit.jsonl')]), 'not a regular file'],
    ['a folder others can write', (dir: string) => chmodSync(dir, 0o777), 'can be written by its group and others'],
    [
      'another kind of file',
      (dir: string) => writeFileSync(join(dir, 'audit.jsonl'), 'PATH=/usr/bin\n'),
      'not a runbook audit trail',
    ],
    [
      'a log of an older format',
      (dir: string) => writeFileSync(join(dir, 'audit.jsonl'), '{"time":"2026-01-01","runbook":"s3-unlock"}\n'),
      'not a runbook audit trail',
    ],
  ])('%s', async (_what, make, reason) => {
    const dir = mkdtempSync(join(tmpdir(), 'trail-'));
    make(dir);
    const err = await rejection(openRun(join(dir, 'audit.jsonl'), intent));
    expect(err.code).toBe('AuditLogFailed');
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(join(dir, 'audit.jsonl'));
    expect(err.message).toContain(reason);
    expect(err.hint).toContain('no AWS request was made');
  });

  it('/dev/full and a file in /proc (EIO on write even for root)', async () => {
    for (const path of ['/dev/full', '/proc/version']) {
      const err = await rejection(openRun(path, intent));
      expect({ path, code: err.code }).toEqual({ path, code: 'AuditLogFailed' });
    }
  });
});

describe('damage', () => {
  it('continues a log that ends mid-line (a cut-short write); verify names that line and nothing else', async () => {
    const log = fresh();
    await threeRuns(log);
    appendFileSync(log, '{"v":1,"seq":13,"prev":"ab');
    await threeRuns(log);
    const report = verifyTrail(log);
    expect(report.problem).toMatchObject({ line: 13, kind: 'edited' });
    expect(report.problems).toBe(1);
    expect(report.lines).toBe(25);
  });

  it('records a notice when the log is shorter than its head says, so the cut stays on the record', async () => {
    const log = fresh();
    await threeRuns(log);
    const lines = readFileSync(log, 'utf8').split('\n');
    writeFileSync(log, `${lines.slice(0, 8).join('\n')}\n`);
    expect(verifyTrail(log).problem).toMatchObject({ kind: 'truncated', line: 8 });
    await threeRuns(log);
    const records = trailRecords(log);
    expect(records[8]).toMatchObject({ seq: 9, type: 'notice', problem: expect.stringContaining('12 lines') });
    expect(verifyTrail(log).problem).toMatchObject({ kind: 'damage-noted', line: 9 });
  });

  it('a line edited while a run is open: the run goes on, and verify names the edited line', async () => {
    const log = fresh();
    await threeRuns(log);
    const run = await openRun(log, intent);
    const lines = readFileSync(log, 'utf8').split('\n');
    lines[1] = lines[1].replace('"kind":"root"', '"kind":"user"');
    writeFileSync(log, lines.join('\n'));
    await run.session({ kind: 'root', account: '1', accessKeyId: 'ASIA1' });
    await run.finish({ outcome: 'unchanged' });
    expect(verifyTrail(log)).toMatchObject({ ok: false, problem: { kind: 'edited', line: 2 }, problems: 1 });
  });

  it('a log moved away (rotated) while a run is open: the run goes on in a new file that says what is missing', async () => {
    const log = fresh();
    await threeRuns(log);
    const run = await openRun(log, intent);
    rmSync(log);
    await run.session({ kind: 'root', account: '1', accessKeyId: 'ASIA1' });
    await run.finish({ outcome: 'unchanged' });
    const records = trailRecords(log);
    expect(records.map((r) => r.type)).toEqual(['notice', 'session', 'outcome']);
    expect(records[0]).toMatchObject({ seq: 1, problem: expect.stringContaining('its head says 13 lines') });
  });

  it('a write error breaks the run: every later record and assertWritable fail, so nothing can change', async () => {
    const log = fresh();
    const run = await openRun(log, intent);
    rmSync(log);
    mkdirSync(log);
    const err = await rejection(run.session({ kind: 'root', account: '1', accessKeyId: 'ASIA1' }));
    expect(err.code).toBe('AuditLogFailed');
    expect(err.message).toContain(log);
    rmSync(log, { recursive: true });
    expect(() => run.assertWritable()).toThrow(RunbookError);
    expect(
      (await rejection(run.change({ account: '1', resource: 'b', action: 'x', beforeSha256: null, backup: null })))
        .code,
    ).toBe('AuditLogFailed');
    expect((await rejection(run.finish({ outcome: 'failed' }))).code).toBe('AuditLogFailed');
  });
});

describe('interrupts', () => {
  it('interruptOpenRuns writes interrupted for each open run before it returns', async () => {
    const log = fresh();
    const open = await openRun(log, intent);
    const done = await openRun(log, intent);
    await done.finish({ outcome: 'unchanged' });
    void open.session({ kind: 'root', account: '1', accessKeyId: 'ASIA1' }).catch(() => undefined);
    expect(interruptOpenRuns('SIGTERM')).toBe(1);
    // Read synchronously: the records are on disk now, not after the event loop turns.
    const records = readFileSync(log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      records.filter((r) => r.run === open.id).map((r) => [r.type, r.outcome ?? null, r.errorCode ?? null]),
    ).toEqual([
      ['intent', null, null],
      ['session', null, null],
      ['outcome', 'interrupted', 'SIGTERM'],
    ]);
    expect(verifyTrail(log)).toMatchObject({ ok: true, openRuns: [] });
  });
});

describe("interrupts while a batch is being fsync'd", () => {
  it('continues the chain from the batch in flight and makes both durable before returning', async () => {
    const log = fresh();
    const run = await openRun(log, intent);
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the group-commit gap: the next flush starts at once
    const written = run.session({ kind: 'root', account: '111111111111', accessKeyId: 'ASIA1' });
    await new Promise((resolve) => setImmediate(resolve)); // the batch is written; its fsync is on the thread pool
    expect(interruptOpenRuns('SIGINT')).toBe(1);
    const types = readFileSync(log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => {
        const record = JSON.parse(line) as { type: string; outcome?: string };
        return record.outcome ?? record.type;
      });
    expect(types).toEqual(['intent', 'session', 'interrupted']);
    await written;
    expect(verifyTrail(log)).toMatchObject({ ok: true, lines: 3, head: { seq: 3 } });
  });
});

describe('log verify through the CLI', () => {
  it('is exit 0 for an intact log and lists a run SIGKILLed after recording a change', async () => {
    const log = fresh();
    await threeRuns(log);
    const trail = join(__dirname, '../../dist/runbooks/engine/trail.js');
    const script = `
      const { openRun } = require(${JSON.stringify(trail)});
      openRun(process.argv[1], { runbook: 'killed', parameters: {}, region: null, task: null, plan: 'k' })
        .then((run) => run.change({ account: '1', resource: 'b', action: 'x', beforeSha256: null, backup: null }))
        .then(() => { process.stdout.write('recorded'); setInterval(() => undefined, 1000); });`;
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, ['-e', script, log], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.once('data', () => child.kill('SIGKILL'));
      child.on('close', () => resolve());
    });
    const out = spawnSync(process.execPath, [CLI, 'log', 'verify', '--audit-log', log], { encoding: 'utf8' });
    expect({ code: out.status, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
    expect(out.stdout).toContain('intact: 14 records of 4 runs');
    expect(out.stdout).toMatch(/killed {2}run .*MAY HAVE CHANGED/);
  });
});
