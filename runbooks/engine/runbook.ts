/**
 * A runbook is a declaration (parameters, task policy, the IAM actions it calls, and its steps); this
 * module is the engine that runs one: credentials → AssumeRoot → gather → precondition → dry-run or
 * confirmation → backup → change → verify → audit log → result. Runbooks never build SDK clients
 * themselves: `connect` turns a root session into the narrow API the steps use, so tests can fake it.
 */
import { assumeRoot, type RootSession } from './assume-root';
import { appendAuditRecord, sha256, type AuditFacts, type Outcome } from './audit-log';
import { durableFs, type DurableFs } from '../lib/durable-file';
import { writeBackup, type ResourceType } from './backup';
import { createClient } from './clients';
import { confirm } from './confirm';
import { resolveCaller } from './credentials';
import { RunbookError } from './errors';
import type { RunIo } from './io';
import { writeResult, type RunResult, type Status } from './output';
import type { RunSettings } from './settings';
import { TASKS, taskPolicyArn, type TaskAlias } from './tasks';

/** The state a runbook reads in `gather` and again in `verify`. */
export interface RunbookState {
  /** The resolved resource: bucket name, queue URL, or `root user`. */
  readonly resource: string;
  /** The state as text (a policy, or a description); digested in the audit log and backed up when declared. */
  readonly snapshot: string | null;
}

export interface Plan {
  /** False: the precondition says there is nothing to do (status `unchanged`). */
  readonly change: boolean;
  /** What will be (or was) done, or why nothing needs doing. */
  readonly summary: string;
}

export interface Runbook<P, A, S extends RunbookState> {
  readonly name: string;
  readonly task: TaskAlias;
  /** Every IAM action the steps call with the root session; proved against the task policy in tests. */
  readonly actions: readonly string[];
  /** When set, the prior snapshot is backed up (durably, read back) before the change. */
  readonly backupType?: ResourceType;
  account(params: P): string;
  /** A region implied by the parameters (queue URL, backup file); it wins over --region's default. */
  region?(params: P): string | undefined;
  /** The parameters as recorded in the audit log. */
  parameters(params: P): Record<string, unknown>;
  connect(root: RootSession): Promise<A>;
  gather(api: A, params: P): Promise<S>;
  plan(state: S, params: P): Plan;
  change(api: A, state: S, params: P): Promise<void>;
  /** Re-reads the state and throws VerifyFailed unless it is what the change intended. */
  verify(api: A, state: S, params: P): Promise<S>;
  /** Shown in the result; for a dry run, the current state and what locks everyone out. `after` is null unless changed. */
  details(before: S, after: S | null, params: P, status: Status): Record<string, unknown>;
}

/** What a run of a runbook receives: its settings and I/O (a command passes its context as is), plus test seams. */
export interface RunbookContext extends RunIo {
  readonly settings: RunSettings;
  /** Replaces the real credential resolution + AssumeRoot (unit tests). */
  readonly openSession?: OpenSession;
  readonly backupFs?: DurableFs;
}

export type OpenSession = (request: {
  settings: RunSettings;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
  account: string;
  task: TaskAlias;
}) => Promise<{ callerArn: string | null; root: RootSession }>;

export async function executeRunbook<P, A, S extends RunbookState>(
  runbook: Runbook<P, A, S>,
  params: P,
  io: RunbookContext,
): Promise<number> {
  const started = Date.now();
  const account = runbook.account(params);
  const settings: RunSettings = { ...io.settings, region: runbook.region?.(params) ?? io.settings.region };
  // Filled in as the run learns; recorded once, whatever happens (see the finally below).
  const audit: AuditFacts & { backup: string | null } = {
    time: new Date(started).toISOString(),
    runbook: runbook.name,
    callerArn: null,
    account,
    region: settings.region ?? null,
    taskPolicy: taskPolicyArn(TASKS[runbook.task]),
    rootAccessKeyId: null,
    parameters: runbook.parameters(params),
    backup: null,
    outcome: 'failed',
  };
  const secrets: string[] = [];
  let resource: string | null = null;
  let details: Record<string, unknown> = {};
  let summary = '';
  try {
    const { callerArn, root } = await (io.openSession ?? openRootSession)({
      settings,
      env: io.env,
      log: io.log,
      account,
      task: runbook.task,
    });
    secrets.push(...sessionSecrets(root));
    audit.callerArn = callerArn;
    audit.rootAccessKeyId = root.accessKeyId;
    audit.region = root.settings.region;
    audit.taskPolicy = root.taskPolicyArn;

    const api = await runbook.connect(root);
    io.log(`${runbook.name}: gather`);
    const before = await runbook.gather(api, params);
    resource = before.resource;
    audit.beforeSha256 = digest(before);
    const plan = runbook.plan(before, params);
    summary = plan.summary;
    io.log(`${runbook.name}: precondition: ${plan.summary}`);

    if (!plan.change || settings.dryRun) {
      const status: Status = plan.change ? 'dry-run' : 'unchanged';
      audit.outcome = status;
      details = runbook.details(before, null, params, status);
      return finish(status);
    }

    await confirm(`${runbook.name}: ${plan.summary} in account ${account}?`, {
      yes: settings.yes,
      stdin: io.stdin,
      stderr: io.stderr,
    });
    if (runbook.backupType !== undefined) {
      audit.backup = writeBackup(
        settings.backupDir,
        {
          runbook: runbook.name,
          account,
          region: root.settings.region,
          resourceType: runbook.backupType,
          resource: before.resource,
          policy: before.snapshot,
          takenAt: new Date().toISOString(),
          taskPolicy: root.taskPolicyArn,
          rootAccessKeyId: root.accessKeyId,
        },
        io.backupFs ?? durableFs,
      );
      io.log(`${runbook.name}: backup written and read back: ${audit.backup}`);
    }
    io.log(`${runbook.name}: change`);
    await runbook.change(api, before, params);
    io.log(`${runbook.name}: verify`);
    const after = await runbook.verify(api, before, params);
    audit.afterSha256 = digest(after);
    audit.outcome = 'changed';
    details = runbook.details(before, after, params, 'changed');
    return finish('changed');
  } catch (err) {
    const error =
      err instanceof RunbookError
        ? err
        : new RunbookError('Failed', (err as Error).message ?? String(err), { cause: err });
    const outcome: Outcome = error.code === 'NotConfirmed' ? 'not-confirmed' : 'failed';
    audit.outcome = outcome;
    audit.errorCode = error.code;
    if (settings.json) {
      const { code, message, hint } = error;
      writeResult(
        io.stdout,
        true,
        result(outcome, { code, message, ...(hint === undefined ? {} : { hint }) }),
        secrets,
      );
    }
    throw error;
  } finally {
    appendAuditRecord(settings.auditLog, { ...audit, durationMs: Date.now() - started }, secrets);
  }

  function result(status: Status, error?: RunResult['error']): RunResult {
    return {
      runbook: runbook.name,
      account,
      region: audit.region,
      resource,
      status,
      summary,
      backup: audit.backup,
      rootAccessKeyId: audit.rootAccessKeyId,
      details,
      ...(error === undefined ? {} : { error }),
    };
  }

  function finish(status: Status): number {
    writeResult(io.stdout, settings.json, result(status), secrets);
    return 0;
  }
}

function digest(state: RunbookState): string {
  return sha256(JSON.stringify({ resource: state.resource, snapshot: state.snapshot }));
}

function sessionSecrets(root: RootSession): string[] {
  return [root.credentials.secretAccessKey, root.credentials.sessionToken].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
}

/**
 * The real session: resolve the caller, then AssumeRoot and (for the audit log) the caller's ARN
 * concurrently, so the identity lookup costs no extra latency. Naming the caller's own account as the
 * target is refused: AssumeRoot only reaches member accounts.
 */
export const openRootSession: OpenSession = async ({ settings, env, log, account, task }) => {
  const caller = await resolveCaller(settings, env, log);
  const sts = await createClient('sts', caller.session);
  const [arn, root] = await Promise.allSettled([
    caller.callerArn(),
    assumeRoot(sts, caller.session, { account, task, duration: settings.duration }),
  ]);
  const callerArn = arn.status === 'fulfilled' ? arn.value : null;
  if (callerArn !== null && callerArn.split(':')[4] === account) {
    throw new RunbookError('TargetIsManagementAccount', `--account ${account} is the caller's own account`, {
      hint: 'AssumeRoot targets member accounts; name a member account of the organization',
    });
  }
  if (root.status === 'rejected') throw root.reason;
  if (arn.status === 'rejected') throw arn.reason;
  return { callerArn, root: root.value };
};
