/**
 * The engine's task vocabulary: the five root-task policies and their aliases, from the project's one list
 * (aws/root-tasks.json, shared with the modules and the sandbox).
 */
export { TASKS, taskPolicyArn, type TaskAlias, type TaskPolicyName } from '../../aws/root-tasks';
