/**
 * Policy proof for the root-operator role: with the permissions policy the module creates, the role can start
 * exactly the root tasks of its profile (sts:AssumeRoot with that sts:TaskPolicyArn) and no others.
 */
import { runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { renderOperatorPolicy, TASK_POLICIES, TASK_PROFILES, type TaskProfile } from '../../modules/root-operator';
import { taskPolicyArn } from '../../runbooks/engine/tasks';

const OPERATOR = 'arn:aws:iam::999999999999:role/RootOperator';

function canStart(policy: string, task: string): string {
  const simulation: Simulation = {
    request: {
      principal: OPERATOR,
      action: 'sts:AssumeRoot',
      // The target is a member's root user, a resource type iam-data does not model: the unvalidated engine.
      // AssumeRoot needs no resource policy on the member side (organization membership stands in for it), so
      // the request is evaluated as same-account: only the identity policy decides, which is what is proved.
      resource: { resource: 'arn:aws:iam::111111111111:root', accountId: '999999999999' },
      contextVariables: {
        'aws:PrincipalArn': OPERATOR,
        'sts:TaskPolicyArn': taskPolicyArn(task as never),
      },
    },
    identityPolicies: [{ name: 'operator', policy: JSON.parse(policy) as object }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  return runUnsafeSimulation(simulation, {});
}

const profiles: [TaskProfile, string[]][] = [
  ...(Object.entries(TASK_PROFILES) as [TaskProfile, readonly string[]][]).map(
    ([p, tasks]) => [p, [...tasks]] as [TaskProfile, string[]],
  ),
  ['custom', ['IAMAuditRootUserCredentials', 'IAMCreateRootUserPassword']],
];

describe('root-operator policy proofs', () => {
  test.each(profiles)('profile %s starts exactly its tasks', (profile, tasks) => {
    const policy = renderOperatorPolicy({ profile, tasks: profile === 'custom' ? tasks : undefined });
    for (const task of TASK_POLICIES) {
      expect([task, canStart(policy, task)]).toEqual([task, tasks.includes(task) ? 'Allowed' : 'ImplicitlyDenied']);
    }
  });

  test('a custom task policy ARN is never allowed', () => {
    const policy = renderOperatorPolicy({ profile: 'full' });
    expect(canStart(policy, 'MyOwnTaskPolicy')).toBe('ImplicitlyDenied');
  });
});
