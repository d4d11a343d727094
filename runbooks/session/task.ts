/** --task for exec and credentials: one of the five aliases, or the full ARN of one of the five task policies. */
import { badValue } from '../engine/validate';
import { TASKS, type TaskAlias } from '../engine/tasks';

const TASK_ARN = /^arn:(aws[a-z-]*):iam::aws:policy\/root-task\/([A-Za-z0-9]+)$/;

/** `partition`: the run's (of its region); an ARN of another partition would only be refused by AssumeRoot. */
export function parseTask(value: string | undefined, partition = 'aws'): { task: TaskAlias; partition: string } {
  const allowed = `one of ${Object.keys(TASKS).join(', ')}, or a root-task policy ARN such as arn:aws:iam::aws:policy/root-task/${TASKS.audit}`;
  if (value === undefined) throw badValue('--task', '', allowed);
  if (Object.hasOwn(TASKS, value)) return { task: value as TaskAlias, partition };
  const arn = TASK_ARN.exec(value);
  const alias = arn ? (Object.keys(TASKS) as TaskAlias[]).find((a) => TASKS[a] === arn[2]) : undefined;
  if (!arn || alias === undefined) {
    throw badValue('--task', value, allowed, 'AssumeRoot accepts only the five AWS-managed root-task policies');
  }
  if (arn[1] !== partition) {
    throw badValue('--task', value, `a task policy ARN of partition ${partition}, the run's (of its region)`);
  }
  return { task: alias, partition };
}
