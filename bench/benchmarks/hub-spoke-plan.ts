/**
 * `terraform plan` of the hub-spoke-roles module for organizations of 1,000 and 10,000 member accounts, on the
 * sandbox. The spokes go out through one service-managed StackSet aimed at the OUs, so the resource count
 * should not depend on the number of accounts; this measures that, and the plan time, with the real
 * terraform binary and the hashicorp/aws provider.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../../emulator/sandbox';
import { seedOrganization } from '../../emulator/seed';
import {
  init,
  makeWorkdir,
  terraform,
  terraformAvailable,
  writeSandboxProvider,
  writeSandboxRoot,
} from '../../emulator/terraform';
import { median, round } from '../lib/measure';
import { ROOT } from '../lib/paths';
import { NotRun, type Benchmark, type Figure } from '../lib/result';

const SIZES = [1_000, 10_000];
const OUS = ['Workloads', 'Sandbox', 'Security', 'Infrastructure'];
const PLAN_RUNS = 2;

interface PlanJson {
  resource_changes?: { mode: string; change: { actions: string[] } }[];
}

/** Median wall time of `terraform plan` in an initialized root. */
async function timePlans(dir: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < PLAN_RUNS; i += 1) {
    const started = Date.now();
    await terraform(dir, ['plan', '-no-color', '-input=false', '-out=plan.bin']);
    samples.push((Date.now() - started) / 1000);
  }
  return samples;
}

/** The same provider with nothing to plan: what terraform and the provider cost before any resource. */
async function emptyPlan(endpoint: string): Promise<number[]> {
  const work = makeWorkdir('bench-empty-plan-');
  try {
    writeSandboxProvider(work.dir, endpoint);
    await init(work.dir);
    return await timePlans(work.dir);
  } finally {
    await work.cleanup();
  }
}

interface SizeResult {
  accounts: number;
  resources: number;
  medianS: number;
  samplesS: number[];
  emptyS: number[] | null;
}

async function planSize(accounts: number, withEmpty: boolean): Promise<SizeResult> {
  const sandbox = await startSandbox();
  const work = makeWorkdir('bench-hub-spoke-');
  try {
    const org = await seedOrganization(sandbox.endpoint, { accounts, ous: OUS });
    writeSandboxRoot(work.dir, sandbox.endpoint, [
      {
        label: 'hub_spoke_roles',
        module: 'hub-spoke-roles',
        inputs: {
          organization_id: org.organizationId,
          hub_trusted_principal_arns: [`arn:aws:iam::${org.managementAccountId}:role/Operations`],
          target_ou_ids: org.ous.map((ou) => ou.id),
        },
      },
    ]);
    await init(work.dir);
    const samples = await timePlans(work.dir);
    const emptyS = withEmpty ? await emptyPlan(sandbox.endpoint) : null;
    const shown = await terraform(work.dir, ['show', '-json', 'plan.bin']);
    const plan = JSON.parse(shown.stdout) as PlanJson;
    const resources = (plan.resource_changes ?? []).filter(
      (change) => change.mode === 'managed' && !change.change.actions.includes('no-op'),
    ).length;
    return {
      accounts,
      resources,
      medianS: round(median(samples), 2),
      samplesS: samples.map((s) => round(s, 2)),
      emptyS: emptyS?.map((s) => round(s, 2)) ?? null,
    };
  } finally {
    await work.cleanup();
    await sandbox.stop();
  }
}

export const hubSpokePlan: Benchmark = {
  name: 'hub-spoke-plan',
  title: 'hub-spoke-roles terraform plan at 1,000 and 10,000 member accounts',
  async run() {
    if (!existsSync(join(ROOT, 'modules', 'hub-spoke-roles', 'main.tf'))) {
      throw new NotRun('modules/hub-spoke-roles has not been generated (npm run generate)');
    }
    if (!terraformAvailable()) throw new NotRun('no terraform binary on PATH (or TERRAFORM_BIN)');
    const results = [];
    for (const [index, accounts] of SIZES.entries()) results.push(await planSize(accounts, index === 0));
    const figures: Figure[] = results.flatMap((r) => [
      { label: `${r.accounts.toLocaleString('en-US')} accounts: resources to create`, value: r.resources },
      {
        label: `${r.accounts.toLocaleString('en-US')} accounts: \`terraform plan\` median wall time`,
        value: r.medianS,
        unit: `s (runs: ${r.samplesS.join(', ')})`,
      },
    ]);
    const [small, large] = results;
    const emptyMedian = small.emptyS ? round(median(small.emptyS), 2) : null;
    figures.push({
      label: '`terraform plan` of the provider alone, no resources (baseline)',
      value: emptyMedian,
      unit: `s (runs: ${small.emptyS?.join(', ') ?? 'n/a'})`,
    });
    const flat = small.resources === large.resources;
    return {
      figures,
      goals: [
        {
          text: `the resource count does not grow with the accounts (${small.resources} at ${small.accounts}, ${large.resources} at ${large.accounts})`,
          met: flat,
        },
      ],
      reading:
        `The module was planned against the sandbox organization with its ${OUS.length} OUs as targets. ` +
        `With ${small.accounts.toLocaleString('en-US')} member accounts the plan creates ${small.resources} resources ` +
        `in ${small.medianS} s; with ${large.accounts.toLocaleString('en-US')} it creates ${large.resources} in ` +
        `${large.medianS} s. ` +
        (flat
          ? 'The StackSet reaches every account of the OUs, so Terraform never enumerates the accounts and ' +
            `the plan stays the same size. A plan with the provider alone takes ${emptyMedian} s, so most of ` +
            'the plan time is terraform loading the 700 MB provider, not the module.'
          : 'The resource count changed with the number of accounts, which the StackSet design should avoid.'),
      details: { ous: OUS, planRuns: PLAN_RUNS, results },
    };
  },
};
