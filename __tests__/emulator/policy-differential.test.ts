/**
 * The sandbox's one policy evaluator (emulator/moto_ext/policy_eval.py, behind every request the sandbox
 * serves) against an independent one, @cloud-copilot/iam-simulate, on generated request/policy/SCP cases.
 * The sandbox evaluates them through /_sandbox/evaluate, the same function its request gate calls.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { evaluatePolicies, type EvaluationResult } from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { generateCases, type PolicyCase } from './policy-cases';

const CASES = 500;
const SEED = 20_260_601;

function simulation(c: PolicyCase): Simulation {
  return {
    request: {
      principal: c.principal.arn,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount },
      contextVariables: c.context,
    },
    // A task policy only denies; iam-simulate has no such slot, so it joins the identity policies (as a
    // root user's implicit full access is one of them), which is how AWS combines them.
    identityPolicies: [...c.identityPolicies, ...c.taskPolicies].map((policy, i) => ({
      name: `identity-${i}`,
      policy,
    })),
    sessionPolicy: c.sessionPolicy ?? undefined,
    permissionBoundaryPolicies: c.permissionsBoundary
      ? [{ name: 'boundary', policy: c.permissionsBoundary }]
      : undefined,
    serviceControlPolicies: (c.scps ?? []).map((level, i) => ({
      orgIdentifier: i === 0 ? 'r-ab12' : `ou-ab12-${String(i).padStart(8, '0')}`,
      policies: level.map((policy, j) => ({ name: `scp-${i}-${j}`, policy })),
    })),
    resourceControlPolicies: [],
    resourcePolicy: c.resourcePolicy ?? undefined,
  };
}

async function simulate(c: PolicyCase): Promise<string> {
  // iam-data knows no root-user resource type for IAM actions: the validating entry point would refuse it.
  if (c.resource.endsWith(':root') && !c.action.startsWith('sts:')) return runUnsafeSimulation(simulation(c), {});
  const result = await runSimulation(simulation(c), {});
  if (result.resultType === 'error') throw new Error(`invalid generated case: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

describeWithSandbox('the policy evaluator agrees with iam-simulate', () => {
  const sandbox = useSandbox();
  let cases: PolicyCase[];
  let sandboxResults: EvaluationResult[];
  let simulated: string[];

  beforeAll(async () => {
    cases = generateCases(CASES, SEED);
    sandboxResults = await evaluatePolicies(sandbox.endpoint, cases);
    simulated = await Promise.all(cases.map(simulate));
  });

  it(`decides all ${CASES} generated cases as iam-simulate does`, () => {
    const disagreements = cases
      .map((c, i) => ({ i, sandbox: sandboxResults[i].result, simulator: simulated[i], case: c }))
      .filter((d) => d.sandbox !== d.simulator);
    expect(disagreements.slice(0, 3)).toEqual([]);
    expect(disagreements).toHaveLength(0);
  });

  it('covers every outcome, every policy kind and the account boundary (the generator is not trivial)', () => {
    const outcomes = new Map<string, number>();
    for (const r of sandboxResults) outcomes.set(r.result, (outcomes.get(r.result) ?? 0) + 1);
    for (const outcome of ['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']) {
      expect([outcome, (outcomes.get(outcome) ?? 0) >= CASES / 10]).toEqual([outcome, true]);
    }
    const deciders = new Set(sandboxResults.map((r) => r.policyType).filter(Boolean));
    expect([...deciders].sort()).toEqual(['boundary', 'identity', 'resource', 'scp', 'session']);
    const cross = cases
      .map((c, i) => [c, sandboxResults[i].result] as const)
      .filter(([c]) => c.resourceAccount !== c.principal.account);
    expect(cross.filter(([, r]) => r === 'Allowed').length).toBeGreaterThanOrEqual(3);
    expect(cross.filter(([, r]) => r !== 'Allowed').length).toBeGreaterThanOrEqual(CASES / 10);
  });

  it('matches hostile wildcard patterns without backtracking (a regular expression would take ages here)', async () => {
    const account = '111111111111';
    const [result] = await evaluatePolicies(sandbox.endpoint, [
      {
        principal: { arn: `arn:aws:iam::${account}:user/alice`, account },
        action: 's3:GetObject',
        resource: `arn:aws:s3:::bucket/${'a'.repeat(5000)}`,
        resourceAccount: account,
        context: {},
        identityPolicies: [
          {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket/${'a*'.repeat(30)}b*a` },
            ],
          },
        ],
      },
    ]);
    expect(result.result).toBe('ImplicitlyDenied');
  });
});
