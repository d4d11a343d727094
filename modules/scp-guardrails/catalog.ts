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
export function renderStatements(options: GuardrailOptions): Statement[] {
  const refs: CatalogRefs = {
    partition: options.partition ?? 'aws',
    allowedRegions: [...(options.allowedRegions ?? [])],
    globalServiceActions: [...(options.globalServiceActions ?? DEFAULT_GLOBAL_SERVICE_ACTIONS)],
  };
  return options.statements.map((sid) => {
    const entry = CATALOG.find((c) => c.sid === sid);
    if (!entry) throw new Error(`scp-guardrails: unknown statement "${sid}"; allowed: ${SIDS.join(', ')}`);
    const s = entry.statement(refs) as Statement;
    const exclude = options.excludePrincipalArns ?? [];
    const Condition = exclude.length
      ? { ...s.Condition, ArnNotLike: { 'aws:PrincipalArn': [...exclude] } }
      : s.Condition;
    return { ...s, Condition };
  });
}

/**
 * Next-fit packing in selection order, the same algorithm the module's locals run: a statement opens a new
 * policy when it does not fit in the current one. Throws naming any statement that cannot fit alone.
 */
export function packStatements(statements: Statement[]): Statement[][] {
  const budget = SCP_MAX_CHARS - SCP_ENVELOPE_CHARS;
  const policies: Statement[][] = [];
  let used = Infinity;
  for (const s of statements) {
    const size = JSON.stringify(s).length;
    if (size > budget) {
      throw new Error(
        `scp-guardrails: statement ${String(s.Sid)} is ${size} characters minified and cannot fit in one SCP (at most ${budget} besides the policy envelope); shorten its lists (allowed regions, global services, excluded principals)`,
      );
    }
    if (used + 1 + size > budget) {
      policies.push([s]);
      used = size;
    } else {
      policies[policies.length - 1].push(s);
      used += 1 + size;
    }
  }
  return policies;
}

/** The SCP documents (minified JSON) for a selection: what the module creates, rendered in TypeScript. */
export function renderGuardrailPolicies(options: GuardrailOptions): string[] {
  return packStatements(renderStatements(options)).map((statements) =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements }),
  );
}
