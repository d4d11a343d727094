/**
 * scp-guardrails: the selected catalog statements packed into as few SCPs as the packing allows (each ≤ 5,120
 * characters minified) and attached to roots, OUs and accounts. Packing runs in the module's locals, a few
 * for-expressions that work for any catalog size, because the selection is a variable; the TypeScript twin in
 * catalog.ts (packSizes) runs the same algorithm for early checks and the policy proofs.
 */
import { Construct, DataAwsPartition, OrganizationsPolicy, OrganizationsPolicyAttachment } from '../lib/aws';
import { raw, render } from '../lib/hcl';
import { expr, ModuleConstruct, ModuleInfo, PATTERNS, precondition } from '../lib/module';
import {
  CATALOG,
  type CatalogEntry,
  DEFAULT_GLOBAL_SERVICE_ACTIONS,
  packStatements,
  renderStatements,
  SCP_MAX_CHARS,
} from './catalog';

export interface ScpGuardrailsProps {
  /** Create anything at all. @default true */
  readonly create?: boolean;
  /** Name prefix of the policies; each gets "-1", "-2"… @default "centralized-root-guardrails" */
  readonly name?: string;
  /** Catalog Sids to enforce. @default every statement except DenyOutsideAllowedRegions */
  readonly statements?: string[];
  /** Regions allowed by DenyOutsideAllowedRegions. @default [] */
  readonly allowedRegions?: string[];
  /** Actions exempt from the region guardrail (global services). @default IAM, Organizations, STS, … */
  readonly globalServiceActions?: string[];
  /** Principals exempt from every statement, e.g. OrganizationAccountAccessRole. @default [] */
  readonly excludePrincipalArns?: string[];
  /** Roots, OUs and accounts to attach the policies to. @default [] */
  readonly targetIds?: string[];
  /** Tags on the policies. @default {} */
  readonly tags?: Record<string, string>;
  /** The statements to choose from. @default CATALOG, the project's catalog */
  readonly catalog?: readonly CatalogEntry[];
}

/** Every statement of a catalog except the region guardrail, which needs allowed_regions. */
const defaultStatements = (catalog: readonly CatalogEntry[]) =>
  catalog.map((c) => c.sid).filter((s) => s !== 'DenyOutsideAllowedRegions');

/** The module's description and variables for a catalog (the published module uses CATALOG). */
export function guardrailsInfo(catalog: readonly CatalogEntry[]): ModuleInfo {
  const sids = catalog.map((c) => c.sid);
  return {
    name: 'scp-guardrails',
    purpose:
      'Service control policies that protect centralized root access, chosen from a catalog of statements keyed ' +
      'by Sid: ' +
      catalog.map((c) => `\`${c.sid}\` (${c.description.replace(/\.$/, '')})`).join('; ') +
      '. The selected statements are packed in order into SCPs of at most 5,120 characters minified; ' +
      'a statement that cannot fit alone fails the plan with its Sid. The policies are attached to the given roots, ' +
      'OUs and accounts. SCPs never apply to the management account.',
    variables: [
      { name: 'create', type: 'bool', description: 'Whether to create any resource.', default: true },
      {
        name: 'name',
        type: 'string',
        description: 'Name prefix of the policies; each policy gets a "-<n>" suffix.',
        default: 'centralized-root-guardrails',
      },
      {
        name: 'statements',
        type: 'list(string)',
        description: 'Catalog statements (Sids) to enforce, in packing order.',
        default: defaultStatements(catalog),
        checks: [{ kind: 'nonEmpty' }, { kind: 'oneOf', values: sids }],
      },
      {
        name: 'allowed_regions',
        type: 'list(string)',
        description: 'Regions allowed by DenyOutsideAllowedRegions (required when that statement is selected).',
        default: [],
        checks: [PATTERNS.region],
      },
      {
        name: 'global_service_actions',
        type: 'list(string)',
        description: 'Actions of global services exempt from DenyOutsideAllowedRegions.',
        default: DEFAULT_GLOBAL_SERVICE_ACTIONS,
      },
      {
        name: 'exclude_principal_arns',
        type: 'list(string)',
        description:
          'Principal ARN patterns exempt from every statement (ArnNotLike aws:PrincipalArn), e.g. arn:aws:iam::*:role/OrganizationAccountAccessRole.',
        default: [],
        checks: [PATTERNS.iamArn],
      },
      {
        name: 'target_ids',
        type: 'list(string)',
        description: 'Roots (r-…), OUs (ou-…) and accounts (12 digits) to attach every policy to.',
        default: [],
        checks: [PATTERNS.target],
      },
      { name: 'tags', type: 'map(string)', description: 'Tags for the policies.', default: {} },
    ],
    examples: [
      {
        name: 'root-guardrails',
        description: 'The default guardrails on the organization root, exempting OrganizationAccountAccessRole.',
        inputs: {
          target_ids: ['r-ab12'],
          exclude_principal_arns: ['arn:aws:iam::*:role/OrganizationAccountAccessRole'],
        },
      },
      {
        name: 'region-restriction',
        description: 'Every statement including the region guardrail, on two OUs.',
        inputs: {
          statements: sids,
          allowed_regions: ['eu-west-1', 'us-east-1'],
          target_ids: ['ou-ab12-11111111', 'ou-ab12-22222222'],
        },
      },
    ],
    notes: `## Packing

Terraform has no fold, so the module cannot carry a running total from one statement to the next (an exact
next-fit). It packs by position instead, in three locals that work for any number of statements:

- \`ends\`: where each statement ends in the comma-joined list of the selected statements (minified);
- \`windows\`: each statement goes to the window of \`stride\` characters its end falls in, where
  \`stride = budget - largest statement + 1\` and \`budget\` is 5,120 minus the policy envelope;
- \`bins\`: the windows in use, numbered in order, are the policies.

A window's statements start at most one largest statement before the window, so a policy spans at most
\`stride + largest - 1\` characters, which is the budget: every policy fits, and \`statements\` keeps its order.
With small statements the windows are nearly the budget wide, so the count is close to next-fit's; a statement
that cannot fit alone fails the plan with its Sid. \`packSizes\` in catalog.ts is the same algorithm in
TypeScript, and a test checks that the two agree, on this catalog and on larger synthetic ones.

## Limits

At most 5 SCPs can be attached directly to one root, OU or account (FullAWSAccess usually takes one): with
\`target_ids\` set, the plan fails when the selection needs more than 4 policies.`,
  };
}

export const INFO: ModuleInfo = guardrailsInfo(CATALOG);

export class ScpGuardrails extends ModuleConstruct {
  constructor(scope: Construct, id: string, props: ScpGuardrailsProps = {}) {
    const catalog = props.catalog ?? CATALOG;
    super(scope, id, props.catalog ? guardrailsInfo(catalog) : INFO, props);
    if (!this.moduleMode) {
      // Early: the same packing the locals run, so an oversize statement fails at synth, naming its Sid.
      packStatements(
        renderStatements(
          {
            statements: props.statements ?? defaultStatements(catalog),
            allowedRegions: props.allowedRegions,
            globalServiceActions: props.globalServiceActions,
            excludePrincipalArns: props.excludePrincipalArns,
          },
          catalog,
        ),
      );
      if ((props.statements ?? []).includes('DenyOutsideAllowedRegions') && !props.allowedRegions?.length) {
        throw new Error('ScpGuardrails: allowedRegions is empty but DenyOutsideAllowedRegions is selected');
      }
    }
    const partition = this.address(this.declare(DataAwsPartition, 'partition', 'current', {}));
    const exclude = this.v('exclude_principal_arns');
    const exemption = this.local(
      'exemption',
      raw(`{ for k, v in { ArnNotLike = { "aws:PrincipalArn" = ${exclude} } } : k => v if length(${exclude}) > 0 }`),
    );
    const refs = {
      partition: '${' + partition + '.partition}',
      allowedRegions: raw(this.v('allowed_regions')),
      globalServiceActions: raw(this.v('global_service_actions')),
    };
    const statementsBySid = this.local(
      'catalog',
      Object.fromEntries(
        catalog.map((c) => {
          const { Condition, ...rest } = c.statement(refs);
          const conditions = Object.keys(Condition as object).length > 0;
          return [
            c.sid,
            { ...rest, Condition: raw(conditions ? `merge(${render(Condition)}, ${exemption})` : exemption) },
          ];
        }),
      ),
    );
    // The packing of catalog.ts (packSizes), as for-expressions: see the module README's "Packing".
    const statements = this.local('statements', raw(`[for sid in ${this.v('statements')} : ${statementsBySid}[sid]]`));
    const sizes = this.local('sizes', raw(`[for s in ${statements} : length(jsonencode(s))]`));
    const budget = this.local(
      'budget',
      raw(`${SCP_MAX_CHARS} - length(jsonencode({ Statement = [], Version = "2012-10-17" }))`),
    );
    const stride = this.local('stride', raw(`max(${budget} - max(0, ${sizes}...) + 1, 1)`));
    const ends = this.local('ends', raw(`[for i in range(length(${sizes})) : sum(slice(${sizes}, 0, i + 1)) + i]`));
    const windows = this.local('windows', raw(`[for end in ${ends} : floor(end / ${stride})]`));
    const bins = this.local('bins', raw(`[for w in ${windows} : index(distinct(${windows}), w)]`));
    const policies = this.local(
      'policies',
      raw(
        `[for b in range(length(distinct(${windows}))) : jsonencode({ Version = "2012-10-17", Statement = [for i, s in ${statements} : s if ${bins}[i] == b] })]`,
      ),
    );
    const oversize = this.local(
      'oversize',
      raw(`[for i, sid in ${this.v('statements')} : sid if ${sizes}[i] > ${budget}]`),
    );

    const policy = this.declare(OrganizationsPolicy, 'policy', 'this', {
      count: expr.number(`${this.v('create')} ? length(${policies}) : 0`),
      name: `\${${this.v('name')}}-\${count.index + 1}`,
      description: expr.string(`join(", ", ${this.v('statements')})`),
      type: 'SERVICE_CONTROL_POLICY',
      content: expr.string(`${policies}[count.index]`),
      tags: this.map('tags'),
      lifecycle: {
        precondition: [
          precondition(
            `length(${oversize}) == 0`,
            `SCP statement \${join(", ", ${oversize})} cannot fit in one SCP (${SCP_MAX_CHARS} characters minified); shorten allowed_regions, global_service_actions or exclude_principal_arns.`,
          ),
          precondition(
            `!contains(${this.v('statements')}, "DenyOutsideAllowedRegions") || length(${this.v('allowed_regions')}) > 0`,
            'DenyOutsideAllowedRegions is selected but allowed_regions is empty.',
          ),
          precondition(
            `length(${this.v('target_ids')}) == 0 || length(${policies}) <= 4`,
            `The selection needs \${length(${policies})} SCPs; at most 5 can be attached to a target and FullAWSAccess takes one.`,
          ),
        ],
      },
    });
    const policyAddress = this.address(policy);
    this.declare(
      OrganizationsPolicyAttachment,
      'attachment',
      'this',
      {
        policyId: expr.string(`${policyAddress}[each.value.policy].id`),
        targetId: expr.string('each.value.target_id'),
      },
      `{ for pair in setproduct(${this.v('target_ids')}, range(length(${policies}))) : "\${pair[0]}/\${pair[1] + 1}" => { target_id = pair[0], policy = pair[1] } if ${this.v('create')} }`,
    );

    this.output({
      name: 'policy_ids',
      description: 'Ids of the SCPs, in packing order.',
      value: `try(${policyAddress}[*].id, [])`,
    });
    this.output({ name: 'policy_arns', description: 'ARNs of the SCPs.', value: `try(${policyAddress}[*].arn, [])` });
    this.output({
      name: 'policy_contents',
      description: 'The packed SCP documents (minified JSON), in order.',
      value: `${this.v('create')} ? ${policies} : []`,
    });
    this.output({
      name: 'statement_bins',
      description: 'Sid → index of the SCP that holds it.',
      value: `{ for i, sid in ${this.v('statements')} : sid => ${bins}[i] }`,
    });
  }
}
