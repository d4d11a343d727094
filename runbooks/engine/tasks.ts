/**
 * The five AWS-managed root-task policies that STS AssumeRoot accepts, with the CLI's short aliases.
 * AssumeRoot refuses any other TaskPolicyArn, so this list is closed on purpose.
 */
export const TASKS = {
  audit: 'IAMAuditRootUserCredentials',
  'create-password': 'IAMCreateRootUserPassword',
  'delete-credentials': 'IAMDeleteRootUserCredentials',
  's3-unlock': 'S3UnlockBucketPolicy',
  'sqs-unlock': 'SQSUnlockQueuePolicy',
} as const;

export type TaskAlias = keyof typeof TASKS;
export type TaskPolicyName = (typeof TASKS)[TaskAlias];

export function taskPolicyArn(name: TaskPolicyName, partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/root-task/${name}`;
}
