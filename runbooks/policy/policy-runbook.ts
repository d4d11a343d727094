/**
 * The shape shared by s3-unlock, sqs-unlock and restore: make one resource policy equal to a desired
 * text, or remove it (desired = null). The prior policy is backed up before the write, and the write is
 * verified by reading the policy again.
 */
import type { PolicyStore } from './apis/policy-store';
import type { RootSession } from '../engine/assume-root';
import type { ResourceType } from '../engine/backup';
import { RunbookError } from '../engine/errors';
import { lockingStatements } from './lockout';
import { executeRunbook, type Plan, type Runbook, type RunbookContext, type RunbookState } from '../engine/runbook';
import type { TaskAlias } from '../engine/tasks';

export interface PolicySpec<P, A extends PolicyStore> {
  readonly name: string;
  readonly task: TaskAlias;
  readonly actions: readonly string[];
  readonly service: 's3' | 'sqs';
  account(params: P): string;
  region?(params: P): string | undefined;
  parameters(params: P): Record<string, unknown>;
  connect(root: RootSession, params: P): Promise<A>;
  /** The bucket name or queue URL (a queue name is resolved here, in the member account). */
  resource(api: A, params: P): Promise<string>;
  /** The policy the resource should end with; null removes it. */
  desired(params: P): string | null;
  /** The resource as the parameters name it (before any lookup), for the intent record. */
  target(params: P): string;
  /** A refusal of the change on what was gathered (restore: the policy moved since the run it undoes). */
  check?(state: RunbookState, params: P): void;
}

const NOUN = { s3: 'bucket policy', sqs: 'queue policy' } as const;
const WRITE_ACTION = {
  s3: (desired: string | null) => (desired === null ? 's3:DeleteBucketPolicy' : 's3:PutBucketPolicy'),
  sqs: () => 'sqs:SetQueueAttributes',
} as const;
const BACKUP_TYPE: Record<'s3' | 'sqs', ResourceType> = { s3: 's3-bucket', sqs: 'sqs-queue' };

/** Builds the runbook declaration; the connect step needs the parameters (the bucket owner), so it is bound per run. */
export function policyRunbook<P, A extends PolicyStore>(
  spec: PolicySpec<P, A>,
  params: P,
): Runbook<P, A, RunbookState> {
  const noun = NOUN[spec.service];
  return {
    name: spec.name,
    task: spec.task,
    actions: spec.actions,
    backupType: BACKUP_TYPE[spec.service],
    account: spec.account,
    region: spec.region,
    parameters: spec.parameters,
    purpose: (p) =>
      spec.desired(p) === null
        ? `remove the ${noun} of ${spec.target(p)} in ${spec.account(p)}`
        : `put a ${noun} on ${spec.target(p)} in ${spec.account(p)}`,
    changeAction: (p) => WRITE_ACTION[spec.service](spec.desired(p)),
    connect: (root) => spec.connect(root, params),
    async gather(api, p) {
      const resource = await spec.resource(api, p);
      return { resource, snapshot: await api.read(resource) };
    },
    reread: async (api, before) => ({ resource: before.resource, snapshot: await api.read(before.resource) }),
    check: spec.check,
    expected: (before, p) => ({ resource: before.resource, snapshot: spec.desired(p) }),
    plan(state, p): Plan {
      const desired = spec.desired(p);
      if (samePolicy(state.snapshot, desired)) {
        return {
          change: false,
          summary:
            desired === null
              ? `${state.resource} has no ${noun}; nothing to remove`
              : `the ${noun} of ${state.resource} already matches`,
        };
      }
      return {
        change: true,
        summary:
          desired === null
            ? `remove the ${noun} of ${state.resource}`
            : `${state.snapshot === null ? 'put' : 'replace'} the ${noun} of ${state.resource} (${desired.length} bytes)`,
      };
    },
    change: (api, state, p) => api.write(state.resource, spec.desired(p)),
    async verify(api, state, p) {
      const after = { resource: state.resource, snapshot: await api.read(state.resource) };
      if (!samePolicy(after.snapshot, spec.desired(p))) {
        throw new RunbookError('VerifyFailed', `the ${noun} of ${state.resource} is not what was written`, {
          hint: 'inspect it with --dry-run; the prior policy is in the backup (runbook restore --backup <file>)',
        });
      }
      return after;
    },
    details(before, after, p, status) {
      const locking = lockingStatements(before.snapshot, { service: spec.service, account: spec.account(p) });
      if (status === 'changed') {
        return { removedLockout: locking.map((s) => s.statement), policy: after?.snapshot ?? null };
      }
      const desired = spec.desired(p);
      return {
        currentPolicy: before.snapshot,
        lockingStatements: locking,
        ...(status === 'dry-run' && desired !== null ? { newPolicy: desired } : {}),
      };
    },
  };
}

/** Runs the policy runbook of `spec` for `params` through the engine; returns the exit code. */
export function runPolicyRunbook<P, A extends PolicyStore>(
  spec: PolicySpec<P, A>,
  params: P,
  ctx: RunbookContext,
): Promise<number> {
  return executeRunbook(policyRunbook(spec, params), params, ctx);
}

/** Policies are compared by text, then by JSON value, because a service may re-serialise what it stores. */
function samePolicy(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
