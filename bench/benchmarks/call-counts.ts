/**
 * AWS calls per single-account runbook, read from the proxy log: every round trip the CLI makes, in order.
 * These are deterministic (no faults, one account), so __tests__/reliability asserts them too; here they are
 * recorded for BENCHMARKS.md. Goals: s3-unlock makes the sequence of test-support/expected-calls.ts (AssumeRoot,
 * GetBucketPolicy, DeleteBucketPolicy, the verifying GetBucketPolicy) and nothing else (the backup is a local
 * file); a clean account's audit and a delete-root-credentials of every kind make exactly their expected phases.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy, type ProxyLogEntry } from '../../emulator/proxy';
import { startSandbox } from '../../emulator/sandbox';
import { seedLockedBucket, seedLockedQueue, seedOrganization, seedRootCredentials } from '../../emulator/seed';
import { cliEnv } from '../../test-support/cli-env';
import {
  AUDIT_CLEAN_ACCOUNT_CALLS,
  DELETE_ALL_KINDS_CALLS,
  inPhases,
  S3_UNLOCK_CALLS,
  sortedPhases,
  type CallPhases,
} from '../../test-support/expected-calls';
import { queueUrlVia } from '../../test-support/sandbox';
import { runMeasured } from '../lib/measure';
import { CLI, ROOT } from '../lib/paths';
import { NotRun, type Benchmark, type Figure } from '../lib/result';

interface Scenario {
  runbook: string;
  args: string[];
}

function describeCalls(log: ProxyLogEntry[]): string[] {
  return log.map((entry) => `${entry.service} ${entry.action}`);
}

export const callCounts: Benchmark = {
  name: 'call-counts',
  title: 'AWS calls per single-account runbook',
  async run() {
    if (!existsSync(CLI)) throw new NotRun(`${CLI} does not exist (npm run build did not produce the CLI)`);
    const sandbox = await startSandbox();
    const scratch = mkdtempSync(join(tmpdir(), 'bench-calls-'));
    const proxy = await startFaultProxy({ target: sandbox.endpoint });
    try {
      const org = await seedOrganization(sandbox.endpoint, { accounts: 4 });
      const [a, b, c, clean] = org.accounts.map((account) => account.id);
      await seedLockedBucket(sandbox.endpoint, a, { bucket: 'bench-locked-bucket' });
      const seeded = await seedLockedQueue(sandbox.endpoint, b, { queueName: 'bench-locked-queue' });
      const queueUrl = queueUrlVia(seeded.queueUrl, proxy.endpoint);
      await seedRootCredentials(sandbox.endpoint, c, {
        loginProfile: true,
        accessKeys: 1,
        mfaDevices: 1,
        signingCertificates: 1,
      });
      const scenarios: Scenario[] = [
        {
          runbook: 's3-unlock',
          args: ['s3-unlock', '--account', a, '--bucket', 'bench-locked-bucket', '--yes', '--json'],
        },
        { runbook: 'sqs-unlock', args: ['sqs-unlock', '--account', b, '--queue-url', queueUrl, '--yes', '--json'] },
        { runbook: 'root-password-reset', args: ['root-password-reset', '--account', a, '--yes', '--json'] },
        {
          runbook: 'audit (1 account, every kind of credential)',
          args: ['audit', '--accounts', c, '--output', 'json'],
        },
        { runbook: 'audit (1 clean account)', args: ['audit', '--accounts', clean, '--output', 'json'] },
        {
          runbook: 'delete-root-credentials (1 account, every kind of credential)',
          args: ['delete-root-credentials', '--accounts', c, '--yes', '--json'],
        },
      ];
      const figures: Figure[] = [];
      const sequences: Record<string, string[] | string> = {};
      for (const scenario of scenarios) {
        proxy.clearLog();
        const run = await runMeasured(process.execPath, [CLI, ...scenario.args, '--endpoint-url', proxy.endpoint], {
          cwd: ROOT,
          env: cliEnv(proxy.endpoint, scratch),
          timeoutMs: 120_000,
        });
        if (run.exitCode !== 0) {
          const why = `not run: exited ${run.exitCode}: ${run.stderr.trim().split('\n').slice(-2).join(' ')}`;
          sequences[scenario.runbook] = why;
          figures.push({ label: `${scenario.runbook}`, value: why });
          continue;
        }
        const calls = describeCalls(proxy.log());
        sequences[scenario.runbook] = calls;
        figures.push({ label: `${scenario.runbook}: ${calls.length} calls`, value: calls.join(' → ') });
      }
      const s3 = sequences['s3-unlock'];
      const met = Array.isArray(s3) ? JSON.stringify(s3) === JSON.stringify(S3_UNLOCK_CALLS) : null;
      const phased = (runbook: string, expected: CallPhases): boolean | null => {
        const calls = sequences[runbook];
        if (!Array.isArray(calls)) return null;
        return JSON.stringify(inPhases(calls, expected)) === JSON.stringify(sortedPhases(expected));
      };
      const show = (expected: CallPhases) => expected.map((phase) => phase.join(' + ')).join(' → ');
      const calls = (expected: CallPhases) => expected.reduce((n, phase) => n + phase.length, 0);
      return {
        figures,
        goals: [
          { text: `s3-unlock makes exactly ${S3_UNLOCK_CALLS.join(' → ')} (the backup is a local file)`, met },
          {
            text: `audit of a clean account makes exactly ${calls(AUDIT_CLEAN_ACCOUNT_CALLS)} calls: ${show(AUDIT_CLEAN_ACCOUNT_CALLS)}`,
            met: phased('audit (1 clean account)', AUDIT_CLEAN_ACCOUNT_CALLS),
          },
          {
            text:
              `delete-root-credentials of every kind makes exactly ${calls(DELETE_ALL_KINDS_CALLS)} calls (21 before ` +
              `issue 14, DescribeOrganization twice, and before the re-read that proves the plan still holds): ` +
              show(DELETE_ALL_KINDS_CALLS),
            met: phased('delete-root-credentials (1 account, every kind of credential)', DELETE_ALL_KINDS_CALLS),
          },
        ],
        reading:
          'Each runbook was run once against a fresh locked resource with no faults; the list is every request ' +
          'the proxy saw, in order (calls sent together may arrive in either order). Reads before AssumeRoot are ' +
          'the caller checks; everything after it runs in the member account under the task policy. The audit ' +
          'reads GetAccountSummary first and lists only the kinds it reports present; the deletion plan, the re-read ' +
          'right before the deletes and the verifying re-read need ids only (no GetAccessKeyLastUsed).',
        details: { sequences },
      };
    } finally {
      await proxy.stop();
      await sandbox.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
