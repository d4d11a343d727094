/**
 * A runbook is a declaration (parameters, task policy, the IAM actions it calls, and its steps); this
 * module is the engine that runs one: intent record → credentials → AssumeRoot (recorded) → gather →
 * precondition → dry-run or confirmation → backup → re-read → change record → change → verify → outcome
 * record → result. Runbooks never build SDK clients themselves: `connect` turns a root session into the narrow
 * API the steps use, so tests can fake it.
 *
 * Race safety: the state is read again right before the change, after the confirmation and the backup. When it
 * differs from what was read (and backed up), the run stops with ChangedSincePlan (outcome changed-since-plan,
 * exit 1) and changes nothing: whatever another administrator put there meanwhile survives untouched.
 */
import { assumeRoot, type RootSession } from './assume-root';
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
import { failureOutcome, withRun, type OutcomeFacts, type TrailRun } from './trail';
import { sha256 } from './trail-record';

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
  /** One sentence for the intent record, written before anything is read: what the run means to do. */
  purpose(params: P): string;
  /** The IAM action of the change, for its record (e.g. s3:DeleteBucketPolicy). */
  changeAction(params: P): string;
  connect(root: RootSession): Promise<A>;
  gather(api: A, params: P): Promise<S>;
  /** Reads the state again right before the change; default: gather. */
  reread?(api: A, before: S, params: P): Promise<S>;
  plan(state: S, params: P): Plan;
  /** Throws (a RunbookError) when the gathered state forbids the change; runs before any confirmation. */
  check?(state: S, params: P): void;
  /** The state the change means to leave (its digest goes into the change record). */
  expected(before: S, params: P): S;
  change(api: A, state: S, params: P): Promise<void>;
  /** Re-reads the state and throws VerifyFailed unless it is what the change intended. */
  verify(api: A, state: S, params: P): Promise<S>;
  /** Shown in the result; for a dry run, the current state and what locks everyone out. `after` is null unless changed. */
  details(before: S, after: S | null, params: P, status: Status): Record<string, unknown>;
}

/** What a run of a runbook receives: its settings and I/O (a command passes its context as is), plus test seams. */
export interface RunbookContext extends RunIo {
  readonly settings: RunSettings;
  /** Replaces the real credential resolution + AssumeRoot (unit tests); it must record its sessions in `run`. */
  readonly openSession?: OpenSession;
  readonly backupFs?: DurableFs;
}

export type OpenSession = (request: {
  settings: RunSettings;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
  account: string;
  task: TaskAlias;
  run: TrailRun;
}) => Promise<{ callerArn: string | null; root: RootSession }>;

/** The digest of a state, as the audit trail records it (before, expected and after a change). */
export function stateDigest(state: RunbookState): string {
  return sha256(JSON.stringify({ resource: state.resource, snapshot: state.snapshot }));
}

export async function executeRunbook<P, A, S extends RunbookState>(
  runbook: Runbook<P, A, S>,
  params: P,
  io: RunbookContext,
): Promise<number> {
  const account = runbook.account(params);
  const settings: RunSettings = { ...io.settings, region: runbook.region?.(params) ?? io.settings.region };
  // What the result shows, filled in as the run learns it (a failed run prints what it got to).
  const seen = {
    region: settings.region ?? null,
    resource: null as string | null,
    summary: '',
    backup: null as string | null,
    rootAccessKeyId: null as string | null,
    beforeSha256: null as string | null,
    details: {} as Record<string, unknown>,
  };
  const secrets: string[] = [];
  const result = (status: Status, error?: RunResult['error']): RunResult => ({
    runbook: runbook.name,
    account,
    region: seen.region,
    resource: seen.resource,
    status,
    summary: seen.summary,
    backup: seen.backup,
    rootAccessKeyId: seen.rootAccessKeyId,
    details: seen.details,
    ...(error === undefined ? {} : { error }),
  });

  const steps = async (run: TrailRun): Promise<OutcomeFacts & { outcome: Status }> => {
    const { root } = await (io.openSession ?? openRootSession)({
      settings,
      env: io.env,
      log: io.log,
      account,
      task: runbook.task,
      run,
    });
    secrets.push(...sessionSecrets(root));
    seen.rootAccessKeyId = root.accessKeyId;
    seen.region = root.settings.region;

    const api = await runbook.connect(root);
    io.log(`${runbook.name}: gather`);
    const before = await runbook.gather(api, params);
    seen.resource = before.resource;
    seen.beforeSha256 = stateDigest(before);
    const plan = runbook.plan(before, params);
    seen.summary = plan.summary;
    io.log(`${runbook.name}: precondition: ${plan.summary}`);
    const done = { resource: before.resource, beforeSha256: seen.beforeSha256 };
    // A refusal stops a real run; a dry run shows it instead, since showing what would happen is its job.
    let refusal: RunbookError | undefined;
    try {
      if (plan.change) runbook.check?.(before, params);
    } catch (err) {
      if (!settings.dryRun || !(err instanceof RunbookError)) throw err;
      refusal = err;
    }

    if (!plan.change || settings.dryRun) {
      const status: Status = plan.change ? 'dry-run' : 'unchanged';
      seen.details = {
        ...runbook.details(before, null, params, status),
        ...(refusal === undefined ? {} : { wouldRefuse: { code: refusal.code, message: refusal.message } }),
      };
      return { outcome: status, ...done };
    }

    await confirm(`${runbook.name}: ${plan.summary} in account ${account}?`, {
      yes: settings.yes,
      stdin: io.stdin,
      stderr: io.stderr,
    });
    let backupSha256: string | null = null;
    if (runbook.backupType !== undefined) {
      const written = writeBackup(
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
          run: run.id,
        },
        io.backupFs ?? durableFs,
      );
      seen.backup = written.path;
      backupSha256 = written.sha256;
      io.log(`${runbook.name}: backup written and read back: ${written.path}`);
    }
    io.log(`${runbook.name}: re-read before the change`);
    const now = await (runbook.reread ?? ((a: A, _s: S, p: P) => runbook.gather(a, p)))(api, before, params);
    const nowSha256 = stateDigest(now);
    if (nowSha256 !== seen.beforeSha256) {
      seen.details = { readSha256: seen.beforeSha256, nowSha256 };
      throw new RunbookError(
        'ChangedSincePlan',
        `${before.resource} changed since it was read (sha256 ${seen.beforeSha256.slice(0, 12)}… is now ` +
          `${nowSha256.slice(0, 12)}…), after the ${settings.yes ? 'plan' : 'confirmation'}: nothing was changed`,
        {
          hint: `someone else changed it meanwhile; their state was left untouched${seen.backup ? ` (the backup ${seen.backup} holds the state read before)` : ''}. Re-run to plan on the new state (--dry-run shows it)`,
        },
      );
    }
    await run.change({
      account,
      resource: before.resource,
      action: runbook.changeAction(params),
      beforeSha256: seen.beforeSha256,
      expectSha256: stateDigest(runbook.expected(before, params)),
      backup: seen.backup,
      backupSha256,
    });
    io.log(`${runbook.name}: change`);
    await runbook.change(api, before, params);
    io.log(`${runbook.name}: verify`);
    const after = await runbook.verify(api, before, params);
    seen.details = runbook.details(before, after, params, 'changed');
    return { outcome: 'changed', ...done, afterSha256: stateDigest(after), backup: seen.backup };
  };

  const purpose = runbook.purpose(params);
  try {
    const outcome = await withRun(
      settings.auditLog,
      {
        runbook: runbook.name,
        parameters: runbook.parameters(params),
        account,
        region: settings.region ?? null,
        task: taskPolicyArn(TASKS[runbook.task]),
        plan: settings.dryRun ? `dry run: ${purpose}` : purpose,
        dryRun: settings.dryRun,
      },
      steps,
      (facts) => facts,
      () => ({ resource: seen.resource, beforeSha256: seen.beforeSha256, backup: seen.backup }),
    );
    writeResult(io.stdout, settings.json, result(outcome.outcome), secrets);
    return 0;
  } catch (err) {
    const error =
      err instanceof RunbookError
        ? err
        : new RunbookError('Failed', (err as Error).message ?? String(err), { cause: err });
    if (settings.json) {
      const { code, message, hint } = error;
      const status = failureOutcome(error).outcome as Status;
      writeResult(io.stdout, true, result(status, { code, message, ...(hint === undefined ? {} : { hint }) }), secrets);
    }
    throw error;
  }
}

function sessionSecrets(root: RootSession): string[] {
  return [root.credentials.secretAccessKey, root.credentials.sessionToken].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
}

/**
 * The real session: resolve the caller, then AssumeRoot and (for the audit trail) the caller's ARN
 * concurrently, so the identity lookup costs no extra latency. Naming the caller's own account as the
 * target is refused: AssumeRoot only reaches member accounts.
 */
export const openRootSession: OpenSession = async ({ settings, env, log, account, task, run }) => {
  const caller = await resolveCaller(settings, env, log, { run });
  const sts = await createClient('sts', caller.session);
  const [arn, root] = await Promise.allSettled([
    caller.callerArn(),
    assumeRoot(sts, caller.session, { account, task, duration: settings.duration }, run),
  ]);
  const callerArn = arn.status === 'fulfilled' ? arn.value : null;
  if (callerArn !== null && callerArn.split(':')[4] === account) {
    throw new RunbookError('TargetIsManagementAccount', `--account ${account} is the caller's own account`, {
      hint: "name another member account: AssumeRoot targets member accounts, never the management account (a delegated administrator's own account is reached from the management account)",
    });
  }
  if (root.status === 'rejected') throw root.reason;
  if (arn.status === 'rejected') throw arn.reason;
  return { callerArn, root: root.value };
};
