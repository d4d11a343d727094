/**
 * `npm run demo`: the whole story on the local sandbox, with no AWS account. An organization with member
 * accounts; centralized root access enabled (see enable.ts); a bucket and a queue whose policies lock everyone out,
 * the member account's own administrator included (the sandbox enforces the policies, see member-admin.ts), and
 * an account without a root password; the built `runbook` CLI fixing all three, after which the administrator is
 * back in; the backups and the audit log it leaves. Exits 0 only when every check against the sandbox's ground
 * truth passed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../emulator/sandbox';
import {
  readBucketPolicy,
  readQueuePolicy,
  readRootCredentials,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
} from '../emulator/seed';
import { enableCentralizedRootAccess } from './enable';
import { describeOutcomes, memberAdmin, type MemberAdmin } from './member-admin';

// The SDK's notice that future releases need node 22 is noise in a demo report.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const CLI = resolve(__dirname, '../dist/runbooks/cli/main.js');
const REGION = 'us-east-1';
// The sandbox's fixed management-account credentials (not a secret: any unknown key acts as that account).
const MANAGEMENT = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const checks: Check[] = [];
const say = (text = '') => process.stdout.write(`${text}\n`);

function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  say(`  ${ok ? '✓' : '✗'} ${name}: ${detail}`);
}

interface CliRun {
  readonly code: number | null;
  readonly result: Record<string, unknown> | null;
  readonly stderr: string;
}

function runbook(env: NodeJS.ProcessEnv, cwd: string, args: string[]): CliRun {
  say(`  $ runbook ${args.join(' ')}`);
  const run = spawnSync(process.execPath, [CLI, ...args, '--json'], { env, cwd, encoding: 'utf8', timeout: 60_000 });
  let result: Record<string, unknown> | null = null;
  try {
    result = JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    result = null;
  }
  if (run.status !== 0) say(run.stderr.replace(/^/gm, '    '));
  return { code: run.status, result, stderr: run.stderr };
}

const admins: MemberAdmin[] = [];

async function demo(sandbox: Sandbox, work: string): Promise<void> {
  const endpoint = sandbox.endpoint;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: MANAGEMENT.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MANAGEMENT.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    RUNBOOK_BACKUP_DIR: join(work, 'backups'),
    RUNBOOK_AUDIT_LOG: join(work, 'audit.jsonl'),
  };

  say('1. Organization');
  // An existing organization with trusted access for IAM, but centralized root access not yet enabled.
  const org = await seedOrganization(endpoint, { accounts: 3, trustedAccessForIam: true, features: [] });
  const [bucketAccount, queueAccount, passwordAccount] = org.accounts.map((a) => a.id);
  check(
    'organization',
    org.accounts.length === 3,
    `${org.organizationId}, management ${org.managementAccountId}, members ${org.accounts.map((a) => a.id).join(', ')}`,
  );

  say('2. Centralized root access');
  const enabled = await enableCentralizedRootAccess(endpoint, REGION);
  check(
    'features enabled',
    ['RootCredentialsManagement', 'RootSessions'].every((f) => enabled.features.includes(f)),
    `${enabled.features.join(' + ')} (${enabled.how})`,
  );

  say('3. The locked-out resources');
  const bucket = await seedLockedBucket(endpoint, bucketAccount, { bucket: 'project-prod-1', region: REGION });
  const queue = await seedLockedQueue(endpoint, queueAccount, { queueName: 'orders', region: REGION });
  await seedRootCredentials(endpoint, passwordAccount, {});
  say(
    `  bucket project-prod-1 in ${bucketAccount}: policy "${firstSid(bucket.policy)}" denies s3:* to everyone but the pipeline role`,
  );
  say(`  queue ${queue.queueUrl}: policy "${firstSid(queue.policy)}" denies sqs:* to everyone but the pipeline role`);
  say(`  account ${passwordAccount}: the root user has no password`);
  const bucketAdmin = await memberAdmin(endpoint, REGION, MANAGEMENT, bucketAccount);
  const queueAdmin = await memberAdmin(endpoint, REGION, MANAGEMENT, queueAccount);
  admins.push(bucketAdmin, queueAdmin);
  const lockedBucket = await bucketAdmin.bucket('project-prod-1', false);
  check(
    'bucket locks out the member admin',
    Object.values(lockedBucket).every((o) => o === 'AccessDenied'),
    `${bucketAdmin.arn}: ${describeOutcomes(lockedBucket)}`,
  );
  const lockedQueue = await queueAdmin.queue(queue.queueUrl);
  check(
    'queue locks out the member admin',
    Object.values(lockedQueue).every((o) => o === 'AccessDenied'),
    `${queueAdmin.arn}: ${describeOutcomes(lockedQueue)}`,
  );

  say('4. The runbooks');
  const dry = runbook(env, work, ['s3-unlock', '--account', bucketAccount, '--bucket', 'project-prod-1', '--dry-run']);
  const locking =
    (dry.result?.details as { lockingStatements?: { statement: string }[] } | undefined)?.lockingStatements ?? [];
  check(
    's3-unlock --dry-run',
    dry.code === 0 &&
      dry.result?.status === 'dry-run' &&
      (await readBucketPolicy(endpoint, bucketAccount, 'project-prod-1')) === bucket.policy,
    `would remove the policy; locking statements: ${locking.map((s) => s.statement).join(', ') || 'none'}; nothing changed`,
  );

  const s3 = runbook(env, work, ['s3-unlock', '--account', bucketAccount, '--bucket', 'project-prod-1', '--yes']);
  const s3Policy = await readBucketPolicy(endpoint, bucketAccount, 'project-prod-1');
  check(
    's3-unlock',
    s3.code === 0 && s3.result?.status === 'changed' && s3Policy === null,
    `bucket policy removed (root session ${String(s3.result?.rootAccessKeyId)})`,
  );
  const openBucket = await bucketAdmin.bucket('project-prod-1', true);
  check(
    'member admin back in the bucket',
    openBucket.GetObject === 'ok' && openBucket.GetBucketPolicy === 'NoSuchBucketPolicy',
    `${describeOutcomes(openBucket)} (the bucket has no policy left)`,
  );

  const sqs = runbook(env, work, ['sqs-unlock', '--account', queueAccount, '--queue-url', queue.queueUrl, '--yes']);
  const sqsPolicy = await readQueuePolicy(endpoint, queueAccount, queue.queueUrl);
  check(
    'sqs-unlock',
    sqs.code === 0 && sqs.result?.status === 'changed' && sqsPolicy === null,
    `queue policy removed (root session ${String(sqs.result?.rootAccessKeyId)})`,
  );
  const openQueue = await queueAdmin.queue(queue.queueUrl);
  check(
    'member admin back in the queue',
    Object.values(openQueue).every((o) => o === 'ok'),
    describeOutcomes(openQueue),
  );

  const pw = runbook(env, work, ['root-password-reset', '--account', passwordAccount, '--yes']);
  const creds = await readRootCredentials(endpoint, passwordAccount);
  check(
    'root-password-reset',
    pw.code === 0 && pw.result?.status === 'changed' && creds.loginProfile,
    'root login profile created without a password; the root e-mail owner can now use "Forgot password"',
  );

  say('5. Backups and audit log');
  const backupDir = join(work, 'backups');
  for (const [label, run, original] of [
    ['bucket', s3, bucket.policy],
    ['queue', sqs, queue.policy],
  ] as const) {
    const path = run.result?.backup;
    const saved =
      typeof path === 'string' ? (JSON.parse(readFileSync(path, 'utf8')) as { policy?: string }).policy : undefined;
    check(
      `${label} backup`,
      saved === original,
      `${String(path)} holds the exact original policy (${original.length} bytes)`,
    );
  }
  // The audit trail: every run, its root session (the CloudTrail join key) and its outcome, and an intact chain.
  const shown = runbook(env, work, ['log', 'show']);
  const runs = (shown.result?.runs ?? []) as {
    runbook: string;
    time: string;
    outcome: string | null;
    callerArn: string | null;
    sessions: { kind: string; accessKeyId: string }[];
  }[];
  for (const run of runs) {
    const root = run.sessions.find((s) => s.kind === 'root')?.accessKeyId ?? 'none';
    say(
      `    ${run.time} ${run.runbook.padEnd(20)} ${String(run.outcome).padEnd(10)} caller ${String(run.callerArn)} root key ${root}`,
    );
  }
  const verified = runbook(env, work, ['log', 'verify']);
  check(
    'audit log',
    runs.length === 4 &&
      runs.every((r) => r.outcome === 'dry-run' || r.outcome === 'changed') &&
      verified.code === 0 &&
      verified.result?.ok === true,
    `${runs.length} runs in ${join(work, 'audit.jsonl')}, hash chain intact (runbook log verify); backups in ${backupDir} (${readdirSync(backupDir).length} files)`,
  );
}

function firstSid(policy: string): string {
  const statements = (JSON.parse(policy) as { Statement: { Sid?: string }[] }).Statement;
  return statements[0]?.Sid ?? 'statement 1';
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'runbook-demo-'));
  say(`Centralized root access demo (sandbox; working directory ${work})`);
  const sandbox = await startSandbox();
  say(`Sandbox: ${sandbox.endpoint}`);
  try {
    await demo(sandbox, work);
  } catch (err) {
    check('demo', false, (err as Error).message);
  } finally {
    for (const admin of admins) admin.destroy();
    await sandbox.stop();
  }
  const failed = checks.filter((c) => !c.ok);
  say();
  say(
    failed.length === 0
      ? `Report: all ${checks.length} checks passed.`
      : `Report: ${failed.length} of ${checks.length} checks FAILED: ${failed.map((c) => c.name).join(', ')}`,
  );
  say(`Backups: ${join(work, 'backups')}`);
  say(`Audit log: ${join(work, 'audit.jsonl')}`);
  return failed.length === 0 ? 0 : 1;
}

void main().then((code) => {
  process.exitCode = code;
});
