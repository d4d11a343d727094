/**
 * The SCP packer: the module's for-expressions and the TypeScript twin (catalog.ts packSizes) are one algorithm.
 * Terraform itself evaluates the module, built by the construct from today's catalog plus a synthetic one five
 * times its size, and must produce exactly the twin's policies and bins for every selection; and every policy of
 * either stays within 5,120 characters minified.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { init, makeWorkdir, runTests } from '../../emulator/terraform';
import { emitModule, VERSIONS_TF } from '../../modules/lib/emit';
import { quoteLiteral } from '../../modules/lib/hcl';
import { synthesizeModule } from '../../modules/lib/module';
import { ScpGuardrails } from '../../modules/scp-guardrails';
import {
  CATALOG,
  type CatalogEntry,
  packSizes,
  renderGuardrailPolicies,
  renderStatements,
  SCP_BUDGET,
  SCP_MAX_CHARS,
  SIDS,
  terraformJson,
} from '../../modules/scp-guardrails/catalog';
import { describeWithTerraform } from '../../test-support/terraform';

/** A small deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** 30 statements of 100 to ~2,800 characters: five times today's catalog, and several policies' worth. */
const SYNTHETIC: CatalogEntry[] = (() => {
  const next = random(7);
  return Array.from({ length: 30 }, (_, i) => {
    const sid = `SyntheticDeny${String(i).padStart(2, '0')}`;
    const actions = Array.from({ length: 1 + Math.floor(next() * 110) }, (_, j) => `service${i}:Action${j}`);
    return {
      sid,
      description: `Synthetic statement ${i}.`,
      statement: () => ({ Sid: sid, Effect: 'Deny', Action: actions, Resource: '*', Condition: {} }),
    };
  });
})();
const BIG_CATALOG = [...CATALOG, ...SYNTHETIC];
const SYNTHETIC_SIDS = SYNTHETIC.map((c) => c.sid);

const exempt = (n: number) =>
  Array.from({ length: n }, (_, i) => `arn:aws:iam::*:role/exempt-role-${String(i).padStart(3, '0')}`);

interface Selection {
  readonly name: string;
  readonly statements: string[];
  readonly allowedRegions?: string[];
  readonly excludePrincipalArns?: string[];
}

const SELECTIONS: Selection[] = [
  {
    name: 'default_statements',
    statements: SIDS.filter((s) => s !== 'DenyOutsideAllowedRegions'),
    excludePrincipalArns: ['arn:aws:iam::*:role/OrganizationAccountAccessRole'],
  },
  {
    name: 'three_large_statements',
    statements: ['DenyRootExceptAssumeRoot', 'DenyLeaveOrganization', 'DenyLoginProfileCreation'],
    excludePrincipalArns: exempt(70),
  },
  {
    name: 'whole_catalog_reversed',
    statements: [...SIDS].reverse(),
    allowedRegions: ['eu-west-1', 'us-east-1'],
    excludePrincipalArns: exempt(40),
  },
  { name: 'synthetic_catalog', statements: SYNTHETIC_SIDS },
  { name: 'synthetic_reversed_exempt', statements: [...SYNTHETIC_SIDS].reverse(), excludePrincipalArns: exempt(12) },
  {
    name: 'interleaved',
    statements: BIG_CATALOG.map((c) => c.sid).filter((_, i) => i % 3 !== 1),
    allowedRegions: ['us-east-1'],
    excludePrincipalArns: exempt(5),
  },
];

/** The twin's bins: Sid → policy index. */
function twinBins(selection: Selection): Record<string, number> {
  const sizes = renderStatements(selection, BIG_CATALOG).map((s) => terraformJson(s).length);
  const bins = packSizes(sizes);
  return Object.fromEntries(selection.statements.map((sid, i) => [sid, bins[i]]));
}

const hclList = (items: readonly string[]) => `[${items.map(quoteLiteral).join(', ')}]`;

/** One plan-only run per selection: terraform's outputs must equal the twin's, and every policy must fit. */
function twinTest(): string {
  const runs = SELECTIONS.map((selection) => {
    const policies = renderGuardrailPolicies(selection, BIG_CATALOG);
    const bins = twinBins(selection);
    return `run "${selection.name}" {
  command = plan

  variables {
    statements             = ${hclList(selection.statements)}
    allowed_regions        = ${hclList(selection.allowedRegions ?? [])}
    exclude_principal_arns = ${hclList(selection.excludePrincipalArns ?? [])}
  }

  assert {
    condition     = output.policy_contents == tolist(${hclList(policies)})
    error_message = "The module's policies differ from the twin's (${policies.length} policies)."
  }

  assert {
    condition     = output.statement_bins == { ${Object.entries(bins)
      .map(([sid, bin]) => `${sid} = ${bin}`)
      .join(', ')} }
    error_message = "The module's bins differ from the twin's."
  }

  assert {
    condition     = alltrue([for p in output.policy_contents : length(p) <= ${SCP_MAX_CHARS}])
    error_message = "A policy exceeds ${SCP_MAX_CHARS} characters."
  }
}
`;
  });
  return [
    'mock_provider "aws" {\n  mock_data "aws_partition" {\n    defaults = {\n      partition = "aws"\n    }\n  }\n}\n',
    ...runs,
  ].join('\n');
}

describe('the packing algorithm (TypeScript twin)', () => {
  test('every policy fits, order is kept, and small statements pack nearly as densely as next-fit', () => {
    const next = random(42);
    for (let round = 0; round < 2000; round++) {
      const largest = 1 + Math.floor(next() * SCP_BUDGET);
      const sizes = Array.from({ length: 1 + Math.floor(next() * 60) }, () => 1 + Math.floor(next() * largest));
      const bins = packSizes(sizes);
      // Bins are 0, 1, 2… in selection order: each statement stays in its predecessor's bin or opens the next.
      expect(bins.every((b, i) => b - (i === 0 ? 0 : bins[i - 1]) === 0 || (i > 0 && b - bins[i - 1] === 1))).toBe(
        true,
      );
      const used = new Map<number, number>();
      bins.forEach((b, i) => used.set(b, (used.get(b) ?? -1) + sizes[i] + 1));
      for (const length of used.values()) expect(length).toBeLessThanOrEqual(SCP_BUDGET);
      // No worse than one policy per (budget − largest) characters, plus the first.
      const total = sizes.reduce((a, b) => a + b + 1, -1);
      expect(used.size).toBeLessThanOrEqual(Math.floor(total / Math.max(SCP_BUDGET - Math.max(...sizes) + 1, 1)) + 1);
    }
  });

  test('statements at the limit: one per policy, each exactly full', () => {
    expect(packSizes([SCP_BUDGET, SCP_BUDGET, 1])).toEqual([0, 1, 2]);
    expect(packSizes([1, 1, 1])).toEqual([0, 0, 0]);
    expect(packSizes([])).toEqual([]);
  });

  test('rendered policies of the large catalogs are at most 5,120 characters minified', () => {
    for (const selection of SELECTIONS) {
      const policies = renderGuardrailPolicies(selection, BIG_CATALOG);
      for (const policy of policies) expect(policy.length).toBeLessThanOrEqual(SCP_MAX_CHARS);
      // Nothing lost, nothing repeated, in order.
      expect(
        policies.flatMap((p) => (JSON.parse(p) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid)),
      ).toEqual(selection.statements);
    }
    expect(renderGuardrailPolicies(SELECTIONS[3], BIG_CATALOG).length).toBeGreaterThan(4);
  });
});

describeWithTerraform('the packing in the module (terraform) agrees with the twin', () => {
  test(`terraform produces the twin's policies and bins for ${SELECTIONS.length} selections, on a ${BIG_CATALOG.length}-statement catalog`, async () => {
    const work = makeWorkdir('scp-packing-');
    try {
      // The module as `npm run generate` would emit it, from the same construct, with the larger catalog.
      const { json, declarations } = synthesizeModule(
        'scp-guardrails',
        (s) => new ScpGuardrails(s, 'this', { catalog: BIG_CATALOG }),
      );
      const files = emitModule(json as Record<string, never>, declarations);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(work.dir, name), text);
      writeFileSync(join(work.dir, 'versions.tf'), VERSIONS_TF);
      expect(files['main.tf']).not.toMatch(/pack_\d|5081/);
      mkdirSync(join(work.dir, 'tests'));
      writeFileSync(join(work.dir, 'tests', 'twin.tftest.hcl'), twinTest());
      await init(work.dir);
      const result = await runTests(work.dir);
      expect(result.stdout).toMatch(new RegExp(`Success! ${SELECTIONS.length} passed, 0 failed`));
    } finally {
      await work.cleanup();
    }
  });
});
