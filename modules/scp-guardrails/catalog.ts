/**
 * The guardrail catalog: SCP statements kept as data, keyed by Sid. Each statement is written once, against
 * references that are either concrete values (TypeScript rendering: early checks, policy proofs) or HCL
 * expressions (the module's locals), so both renderings come from the same text.
 */
import { HclValue } from '../lib/hcl';

export interface CatalogRefs {
  /** The partition: "aws" or an HCL template reference. */
  readonly partition: string;
  readonly allowedRegions: HclValue;
  readonly globalServiceActions: HclValue;
}

export interface CatalogEntry {
  readonly sid: string;
  readonly description: string;
  readonly statement: (refs: CatalogRefs) => { [key: string]: HclValue };
}

/** SCP documents are limited to 5,120 characters, whitespace included: policies are packed minified. */
export const SCP_MAX_CHARS = 5120;
/** `{"Version":"2012-10-17","Statement":[` + `]}`: the characters a policy adds around its statements. */
export const SCP_ENVELOPE_CHARS = '{"Version":"2012-10-17","Statement":[]}'.length;

export const CATALOG: readonly CatalogEntry[] = [
  {
    sid: 'DenyRootExceptAssumeRoot',
    description:
      'Denies every action to the root user of member accounts, except AssumeRoot sessions (aws:AssumedRoot present).',
    statement: (r) => ({
      Sid: 'DenyRootExceptAssumeRoot',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        ArnLike: { 'aws:PrincipalArn': `arn:${r.partition}:iam::*:root` },
        Null: { 'aws:AssumedRoot': 'true' },
      },
    }),
  },
  {
    sid: 'DenyLeaveOrganization',
    description: 'Denies leaving the organization.',
    statement: () => ({
      Sid: 'DenyLeaveOrganization',
      Effect: 'Deny',
      Action: 'organizations:LeaveOrganization',
      Resource: '*',
      Condition: {},
    }),
  },
  {
    sid: 'DenyIamUserAndAccessKeyCreation',
    description: 'Denies creating IAM users and access keys (long-lived credentials).',
    statement: () => ({
      Sid: 'DenyIamUserAndAccessKeyCreation',
      Effect: 'Deny',
      Action: ['iam:CreateUser', 'iam:CreateAccessKey'],
      Resource: '*',
      Condition: {},
    }),
  },
  {
    sid: 'DenyLoginProfileCreation',
    description:
      'Denies creating or changing console passwords, except in AssumeRoot sessions (the root password recovery task).',
    statement: () => ({
      Sid: 'DenyLoginProfileCreation',
      Effect: 'Deny',
      Action: ['iam:CreateLoginProfile', 'iam:UpdateLoginProfile'],
      Resource: '*',
      Condition: { Null: { 'aws:AssumedRoot': 'true' } },
    }),
  },
  {
    sid: 'DenyOutsideAllowedRegions',
    description: 'Denies requests outside allowed_regions, except the global services in global_service_actions.',
    statement: (r) => ({
      Sid: 'DenyOutsideAllowedRegions',
      Effect: 'Deny',
      NotAction: r.globalServiceActions,
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': r.allowedRegions } },
    }),
  },
  {
    sid: 'DenyCentralizedRootChanges',
    description:
      'Denies disabling the centralized root features, IAM trusted access or the IAM delegated administrator.',
    statement: () => ({
      Sid: 'DenyCentralizedRootChanges',
      Effect: 'Deny',
      Action: [
        'iam:DisableOrganizationsRootCredentialsManagement',
        'iam:DisableOrganizationsRootSessions',
        'organizations:DisableAWSServiceAccess',
        'organizations:DeregisterDelegatedAdministrator',
      ],
      Resource: '*',
      // IfExists: the IAM actions carry no service principal and stay denied; the Organizations ones only for IAM.
      Condition: { StringEqualsIfExists: { 'organizations:ServicePrincipal': 'iam.amazonaws.com' } },
    }),
  },
];

export const SIDS = CATALOG.map((c) => c.sid);

export const DEFAULT_GLOBAL_SERVICE_ACTIONS = [
  'account:*',
  'budgets:*',
  'ce:*',
  'cloudfront:*',
  'health:*',
  'iam:*',
  'organizations:*',
  'route53:*',
  'sts:*',
  'support:*',
  'waf:*',
];

export interface GuardrailOptions {
  readonly statements: readonly string[];
  readonly allowedRegions?: readonly string[];
  readonly globalServiceActions?: readonly string[];
  readonly excludePrincipalArns?: readonly string[];
  readonly partition?: string;
}

type Statement = { [key: string]: unknown; Condition: Record<string, unknown> };

/** The selected statements, concrete, with the exemption condition added as the module does. */
export function renderStatements(options: GuardrailOptions, catalog: readonly CatalogEntry[] = CATALOG): Statement[] {
  const refs: CatalogRefs = {
    partition: options.partition ?? 'aws',
    allowedRegions: [...(options.allowedRegions ?? [])],
    globalServiceActions: [...(options.globalServiceActions ?? DEFAULT_GLOBAL_SERVICE_ACTIONS)],
  };
  return options.statements.map((sid) => {
    const entry = catalog.find((c) => c.sid === sid);
    if (!entry) {
      throw new Error(`scp-guardrails: unknown statement "${sid}"; allowed: ${catalog.map((c) => c.sid).join(', ')}`);
    }
    const s = entry.statement(refs) as Statement;
    const exclude = options.excludePrincipalArns ?? [];
    const Condition = exclude.length
      ? { ...s.Condition, ArnNotLike: { 'aws:PrincipalArn': [...exclude] } }
      : s.Condition;
    return { ...s, Condition };
  });
}

/**
 * Terraform's `jsonencode`: object keys sorted, and `<`, `>`, `&`, U+2028 and U+2029 escaped as Go's encoder
 * does. The twin measures and prints exactly what the module does, so both pack the same way.
 */
export function terraformJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sorted(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The characters a policy can spend on its statements and the commas between them. */
export const SCP_BUDGET = SCP_MAX_CHARS - SCP_ENVELOPE_CHARS;

/**
 * The policy index of each statement, given the statements' minified sizes: the algorithm the module's locals
 * run, written here the same way. Terraform has no fold, so the packing cannot carry a running total; instead
 * each statement goes by where it ends in the comma-joined list of all statements (`ends`), in windows of
 * `stride = budget - largest + 1` characters, and the windows in use are numbered in order. A window's
 * statements start at most `largest` characters before it, so they span at most `stride + largest - 1`, which
 * is the budget: every policy fits. The order of `statements` is kept; with small statements the windows are
 * almost the budget wide, so the count is close to next-fit's.
 */
export function packSizes(sizes: readonly number[], budget = SCP_BUDGET): number[] {
  const stride = Math.max(budget - Math.max(0, ...sizes) + 1, 1);
  const ends = sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0) + i);
  const windows = ends.map((end) => Math.floor(end / stride));
  const used = [...new Set(windows)];
  return windows.map((w) => used.indexOf(w));
}

/**
 * Packs statements into policies in selection order (see packSizes). Throws naming any statement that cannot
 * fit in a policy alone.
 */
export function packStatements(statements: Statement[]): Statement[][] {
  const sizes = statements.map((s) => terraformJson(s).length);
  sizes.forEach((size, i) => {
    if (size > SCP_BUDGET) {
      throw new Error(
        `scp-guardrails: statement ${String(statements[i].Sid)} is ${size} characters minified and cannot fit in one SCP (at most ${SCP_BUDGET} besides the policy envelope); shorten its lists (allowed regions, global services, excluded principals)`,
      );
    }
  });
  const policies: Statement[][] = [];
  packSizes(sizes).forEach((bin, i) => (policies[bin] ??= []).push(statements[i]));
  return policies;
}

/** The SCP documents (minified JSON) for a selection: exactly what the module creates, rendered in TypeScript. */
export function renderGuardrailPolicies(
  options: GuardrailOptions,
  catalog: readonly CatalogEntry[] = CATALOG,
): string[] {
  return packStatements(renderStatements(options, catalog)).map((statements) =>
    terraformJson({ Version: '2012-10-17', Statement: statements }),
  );
}
