/**
 * The five AWS-managed root-task policies that STS AssumeRoot accepts, and the CLI's short alias of each. AssumeRoot
 * refuses any other TaskPolicyArn, so the list is closed on purpose. The data lives in root-tasks.json, the one
 * source that the runbooks, the modules (TypeScript) and the sandbox (Python) all read; this file gives it types.
 */
import data from './root-tasks.json';

/** What a task policy lets a root session touch: the root user's credentials, a bucket policy or a queue policy. */
export type TaskScope = 'root-credentials' | 'bucket-policy' | 'queue-policy';
export type TaskPolicyName = keyof typeof data.policies;
export type TaskAlias = keyof typeof data.aliases;

/** Non-empty by construction (the loader checks the aliases against it), which schema enums need. */
export const TASK_POLICY_NAMES = Object.keys(data.policies) as unknown as readonly [
  TaskPolicyName,
  ...TaskPolicyName[],
];

/** Alias → policy name; loading fails when an alias names no listed policy or a policy has no alias. */
export const TASKS: Readonly<Record<TaskAlias, TaskPolicyName>> = checkedAliases(data.aliases);

function checkedAliases(aliases: Record<TaskAlias, string>): Record<TaskAlias, TaskPolicyName> {
  const named = Object.values(aliases);
  const unknown = named.filter((name) => !(TASK_POLICY_NAMES as readonly string[]).includes(name));
  const missing = TASK_POLICY_NAMES.filter((name) => !named.includes(name));
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(`aws/root-tasks.json: aliases name unknown policies [${unknown}] and miss [${missing}]`);
  }
  return aliases as Record<TaskAlias, TaskPolicyName>;
}

export function taskPolicyArn(name: TaskPolicyName, partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/root-task/${name}`;
}
