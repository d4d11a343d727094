/**
 * The engine's ordering and safety rules, with a fake root session and a fake policy store: the real
 * sandbox cannot make a backup write or an fsync fail, and these rules must hold even then.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { PolicyStore } from '../../runbooks/policy/apis/policy-store';
import type { RootSession } from '../../runbooks/engine/assume-root';
import { durableFs, type DurableFs as BackupFs } from '../../runbooks/lib/durable-file';
import { RunbookError } from '../../runbooks/engine/errors';
import { policyRunbook } from '../../runbooks/policy/policy-runbook';
import { redact, Secrets } from '../../runbooks/engine/redact';
import { executeRunbook, type RunbookContext } from '../../runbooks/engine/runbook';
import { parseCommon } from '../../runbooks/cli/options';
import { s3Unlock, type S3UnlockParams } from '../../runbooks/policy/s3-unlock';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKESECRET';
const TOKEN = 'IQoJb3JpZ2luX2VjEFAKESESSIONTOKEN';
const LOCKING = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyAllExceptPipeline',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::project-prod-1', 'arn:aws:s3:::project-prod-1/*'],
      Condition: { StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/pipeline' } },
    },
  ],
});

interface Harness {
  events: string[];
  stdout: string[];
  stderr: string[];
  dir: string;
  store: { policy: string | null };
  run(options?: {
    values?: Record<string, unknown>;
    tty?: string;
    fs?: BackupFs;
    ignoreWrites?: boolean;
    failRead?: Error;
    /** Called on the n-th read (1-based) before it answers: another administrator acting meanwhile. */
    onRead?: (n: number) => void;
    /** Called once the root session is taken, before it is used. */
    afterSession?: () => void;
  }): Promise<number>;
  /** Every record of the audit log. */
  audit(): Record<string, unknown>[];
  /** The records of one type. */
  records(type: string): Record<string, unknown>[];
}

function harness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-engine-'));
  const h: Harness = {
    events: [],
    stdout: [],
    stderr: [],
    dir,
    store: { policy: LOCKING },
    audit: () =>
      readFileSync(join(dir, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    records: (type) => h.audit().filter((record) => record.type === type),
    async run(options = {}) {
      let reads = 0;
      const fake: PolicyStore = {
        read: async (bucket) => {
          h.events.push(`read ${bucket}`);
          if (options.failRead) throw options.failRead;
          options.onRead?.(++reads);
          return h.store.policy;
        },
        write: async (bucket, policy) => {
          h.events.push(`write ${bucket} ${policy === null ? 'null' : 'policy'}`);
          if (!options.ignoreWrites) h.store.policy = policy;
        },
      };
      const params: S3UnlockParams = { account: '111122223333', bucket: 'project-prod-1' };
      const runbook = policyRunbook({ ...s3Unlock, connect: async () => fake }, params);
      const stdin = Object.assign(new PassThrough(), { isTTY: options.tty !== undefined });
      if (options.tty !== undefined) stdin.end(`${options.tty}\n`);
      const fs = options.fs ?? durableFs;
      const io: RunbookContext = {
        settings: parseCommon(
          { 'audit-log': join(dir, 'audit.jsonl'), 'backup-dir': join(dir, 'backups'), ...options.values },
          {},
          dir,
        ),
        env: {},
        stdout: { write: (text) => void h.stdout.push(text) },
        stderr: { write: (text) => void h.stderr.push(text) },
        stdin,
        log: () => undefined,
        backupFs: {
          write(path, text) {
            h.events.push('backup write');
            fs.write(path, text);
          },
          read(path) {
            h.events.push('backup read');
            return fs.read(path);
          },
        },
        openSession: async ({ account, run }) => {
          h.events.push('session');
          const root = fakeRoot(account);
          run.identify({ arn: 'arn:aws:iam::123456789012:user/operator', account: '123456789012' });
          await run.session({ kind: 'root', account, task: root.taskPolicyArn, accessKeyId: root.accessKeyId }, [
            SECRET,
            TOKEN,
          ]);
          options.afterSession?.();
          return { callerArn: 'arn:aws:iam::123456789012:user/operator', root };
        },
      };
      return executeRunbook(runbook, params, io);
    },
  };
  return h;
}

function fakeRoot(account: string): RootSession {
  return {
    settings: { region: 'us-east-1', env: {}, log: () => undefined },
    label: 'root',
    account,
    taskPolicyArn: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
    accessKeyId: 'ASIAFAKEROOTSESSION1',
    credentials: { accessKeyId: 'ASIAFAKEROOTSESSION1', secretAccessKey: SECRET, sessionToken: TOKEN },
  };
}

async function failure(promise: Promise<unknown>): Promise<RunbookError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('expected the run to fail');
}

describe('a confirmed change', () => {
  it('backs up, then changes, then verifies, and audits all of it', async () => {
    const h = harness();
    expect(await h.run({ values: { yes: true, json: true } })).toBe(0);
    expect(h.events).toEqual([
      'session',
      'read project-prod-1',
      'backup write',
      'backup read',
      'read project-prod-1',
      'write project-prod-1 null',
      'read project-prod-1',
    ]);
    expect(h.stdout).toHaveLength(1);
    const result = JSON.parse(h.stdout[0]) as Record<string, unknown>;
    expect(result).toMatchObject({ runbook: 's3-unlock', account: '111122223333', status: 'changed' });
    const backup = JSON.parse(readFileSync(result.backup as string, 'utf8')) as Record<string, unknown>;
    expect(backup).toMatchObject({ resource: 'project-prod-1', policy: LOCKING, account: '111122223333' });
    expect(h.audit().map((record) => record.type)).toEqual(['intent', 'session', 'change', 'outcome']);
    expect(h.records('intent')[0]).toMatchObject({ runbook: 's3-unlock', account: '111122223333' });
    expect(h.records('session')[0]).toMatchObject({
      kind: 'root',
      accessKeyId: 'ASIAFAKEROOTSESSION1',
      callerArn: 'arn:aws:iam::123456789012:user/operator',
    });
    const [change] = h.records('change');
    expect(change).toMatchObject({
      action: 's3:DeleteBucketPolicy',
      resource: 'project-prod-1',
      backup: result.backup,
    });
    expect(change.backupSha256).toBe(
      createHash('sha256')
        .update(readFileSync(result.backup as string))
        .digest('hex'),
    );
    const [outcome] = h.records('outcome');
    expect(outcome).toMatchObject({
      outcome: 'changed',
      callerArn: 'arn:aws:iam::123456789012:user/operator',
      backup: result.backup,
      errorCode: null,
      beforeSha256: change.beforeSha256,
      afterSha256: change.expectSha256,
    });
    expect(outcome.beforeSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(outcome.afterSha256).not.toBe(outcome.beforeSha256);
  });

  it('asks on a terminal and proceeds on "y"', async () => {
    const h = harness();
    expect(await h.run({ tty: 'y' })).toBe(0);
    expect(h.stderr.join('')).toContain('[y/N]');
    expect(h.store.policy).toBeNull();
  });
});

describe('confirmation', () => {
  it('refuses with exit 3 and changes nothing when there is no terminal and no --yes', async () => {
    const h = harness();
    const err = await failure(h.run());
    expect(err.code).toBe('NotConfirmed');
    expect(err.exitCode).toBe(3);
    expect(err.hint).toContain('--yes');
    expect(h.events).toEqual(['session', 'read project-prod-1']);
    expect(h.store.policy).toBe(LOCKING);
    expect(h.records('change')).toEqual([]);
    expect(h.records('outcome')[0]).toMatchObject({
      outcome: 'not-confirmed',
      errorCode: 'NotConfirmed',
      backup: null,
    });
  });

  it('refuses with exit 3 when the answer is not yes', async () => {
    const h = harness();
    expect((await failure(h.run({ tty: 'n' }))).exitCode).toBe(3);
    expect(h.store.policy).toBe(LOCKING);
  });
});

describe('backup before change', () => {
  it('changes nothing when the backup cannot be written', async () => {
    const h = harness();
    const broken: BackupFs = {
      write: () => {
        throw new Error('ENOSPC: no space left on device');
      },
      read: durableFs.read,
    };
    const err = await failure(h.run({ values: { yes: true }, fs: broken }));
    expect(err.code).toBe('BackupFailed');
    expect(err.exitCode).toBe(1);
    expect(err.hint).toContain('nothing was changed');
    expect(h.events).not.toContain('write project-prod-1 null');
    expect(h.store.policy).toBe(LOCKING);
    expect(h.records('change')).toEqual([]);
    expect(h.records('outcome')[0]).toMatchObject({ outcome: 'failed', errorCode: 'BackupFailed' });
  });

  it('changes nothing when the backup reads back differently', async () => {
    const h = harness();
    const corrupting: BackupFs = {
      write: durableFs.write,
      read: (path) => durableFs.read(path).replace('Deny', 'Allow'),
    };
    expect((await failure(h.run({ values: { yes: true }, fs: corrupting }))).code).toBe('BackupFailed');
    expect(h.store.policy).toBe(LOCKING);
  });

  it('changes nothing when the backup directory cannot be created', async () => {
    const h = harness();
    const blocker = join(h.dir, 'a-file');
    writeFileSync(blocker, '');
    const err = await failure(h.run({ values: { yes: true, 'backup-dir': join(blocker, 'backups') } }));
    expect(err.code).toBe('BackupFailed');
    expect(h.store.policy).toBe(LOCKING);
  });

  it('leaves no half-written backup behind', async () => {
    const h = harness();
    await h.run({ values: { yes: true } });
    expect(readdirSync(join(h.dir, 'backups')).filter((f) => !f.endsWith('.json'))).toEqual([]);
  });
});

describe('dry run and preconditions', () => {
  it('--dry-run reads, reports the locking statements, and writes nothing', async () => {
    const h = harness();
    expect(await h.run({ values: { 'dry-run': true, json: true } })).toBe(0);
    expect(h.events).toEqual(['session', 'read project-prod-1']);
    const result = JSON.parse(h.stdout.join('')) as {
      status: string;
      backup: unknown;
      details: Record<string, unknown>;
    };
    expect(result.status).toBe('dry-run');
    expect(result.backup).toBeNull();
    expect(result.details.currentPolicy).toBe(LOCKING);
    expect(result.details.lockingStatements).toEqual([
      expect.objectContaining({ statement: 'DenyAllExceptPipeline', exemptions: ['StringNotLike aws:PrincipalArn'] }),
    ]);
    expect(existsSync(join(h.dir, 'backups'))).toBe(false);
  });

  it('reports unchanged when there is no policy, without confirmation or backup', async () => {
    const h = harness();
    h.store.policy = null;
    expect(await h.run({ values: { json: true } })).toBe(0);
    expect(JSON.parse(h.stdout.join(''))).toMatchObject({ status: 'unchanged', backup: null });
    expect(h.events).toEqual(['session', 'read project-prod-1']);
  });

  it('fails verification when the policy is still there after the change', async () => {
    const h = harness();
    const err = await failure(h.run({ values: { yes: true, json: true }, ignoreWrites: true }));
    expect(err.code).toBe('VerifyFailed');
    const result = JSON.parse(h.stdout.join('')) as { status: string; backup: string; error: { code: string } };
    expect(result.status).toBe('failed');
    expect(result.error.code).toBe('VerifyFailed');
    expect(existsSync(result.backup)).toBe(true);
  });
});

describe('redaction', () => {
  it('drops secret-named fields and masks known secret values', () => {
    expect(
      redact(
        { accessKeyId: 'ASIA1', SecretAccessKey: 'x', sessionToken: 'y', nested: [{ note: `key ${SECRET} end` }] },
        [SECRET],
      ),
    ).toEqual({ accessKeyId: 'ASIA1', nested: [{ note: 'key [redacted] end' }] });
  });

  it('masks thousands of secrets that share a prefix (session tokens do), the longest match first', () => {
    const tokens = Array.from({ length: 3000 }, (_, i) => `IQoJb3JpZ2luX2VjEFAKEFAKEFAKEFAKEFAKE${i}x`);
    const secrets = new Secrets(tokens);
    expect(secrets.mask(`a ${tokens[12]} b ${tokens[1234]}c IQoJb3JpZ2luX2VjEFAKEFAKEFAKEFAKEFAKE-not`)).toBe(
      'a [redacted] b [redacted]c IQoJb3JpZ2luX2VjEFAKEFAKEFAKEFAKEFAKE-not',
    );
    expect(new Secrets(['short', '']).mask('a short one')).toBe('a [redacted] one');
  });

  it('keeps a leaked secret out of the output and the audit log even when an error message carries it', async () => {
    const h = harness();
    const leak = new Error(`signature mismatch for token ${TOKEN} and key ${SECRET}`);
    await failure(h.run({ values: { yes: true, json: true }, failRead: leak }));
    const written = [h.stdout.join(''), readFileSync(join(h.dir, 'audit.jsonl'), 'utf8')].join('\n');
    expect(written).toContain('[redacted]');
    expect(written).not.toContain(SECRET);
    expect(written).not.toContain(TOKEN);
  });
});

describe('race safety: the state is read again right before the change', () => {
  const ADMIN = JSON.stringify({
    Statement: [
      {
        Sid: 'AdminFix',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::project-prod-1/*',
      },
    ],
  });

  it('stops with changed-since-plan, changes nothing, when the policy moved after it was read (--yes)', async () => {
    const h = harness();
    const err = await failure(
      h.run({ values: { yes: true, json: true }, onRead: (n) => void (n === 2 && (h.store.policy = ADMIN)) }),
    );
    expect(err.code).toBe('ChangedSincePlan');
    expect(err.exitCode).toBe(1);
    expect(h.events).not.toContain('write project-prod-1 null');
    expect(h.store.policy).toBe(ADMIN);
    expect(h.records('change')).toEqual([]);
    expect(h.records('outcome')[0]).toMatchObject({ outcome: 'changed-since-plan', errorCode: 'ChangedSincePlan' });
    expect(JSON.parse(h.stdout.join(''))).toMatchObject({ status: 'changed-since-plan' });
  });

  it('stops when the policy moved while the prompt waited', async () => {
    const h = harness();
    const err = await failure(h.run({ tty: 'y', onRead: (n) => void (n === 2 && (h.store.policy = ADMIN)) }));
    expect(err.code).toBe('ChangedSincePlan');
    expect(h.store.policy).toBe(ADMIN);
  });
});

describe('write-ahead records', () => {
  it('takes no session and reads nothing when the audit log cannot be written', async () => {
    const h = harness();
    mkdirSync(join(h.dir, 'audit.jsonl'));
    const err = await failure(h.run({ values: { yes: true } }));
    expect(err.code).toBe('AuditLogFailed');
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(join(h.dir, 'audit.jsonl'));
    expect(h.events).toEqual([]);
  });

  it('changes nothing when the log breaks after the session: no change without its record', async () => {
    const h = harness();
    const log = join(h.dir, 'audit.jsonl');
    const err = await failure(
      h.run({
        values: { yes: true },
        afterSession: () => {
          rmSync(log);
          mkdirSync(log);
        },
      }),
    );
    expect(err.code).toBe('AuditLogFailed');
    expect(h.events).not.toContain('write project-prod-1 null');
    expect(h.store.policy).toBe(LOCKING);
  });
});
