/**
 * The `cdktf deploy` configuration: a zod schema whose inferred type is the config type, so the two cannot drift.
 * Parsing reports every problem at once, each under its field's path (`config.guardrails.targets[1]`) with what is
 * allowed. The value formats are the constructs' own (PATTERNS, the catalogs); the field descriptions are the
 * module variables' own, so the published JSON Schema (config/schema.json) documents what the modules document.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import * as centralizeRootAccess from '../centralize-root-access';
import * as hubSpokeRoles from '../hub-spoke-roles';
import * as rootActivityAlerts from '../root-activity-alerts';
import { type Check, type ModuleInfo, PATTERNS } from '../lib/module';
import * as rootOperator from '../root-operator';
import * as scpGuardrails from '../scp-guardrails';
import { SIDS } from '../scp-guardrails/catalog';

/** A bad configuration: the message names every bad field. Exit code 2 (bad input). */
export class ConfigError extends Error {
  readonly exitCode = 2;
}

/** The description of a module variable, so the config documents a field exactly as the module does. */
function doc(info: ModuleInfo, variable: string): string {
  const spec = info.variables.find((v) => v.name === variable);
  if (!spec) throw new Error(`${info.name} has no variable ${variable}`);
  return spec.description;
}

const matching = (check: Extract<Check, { kind: 'pattern' }>) =>
  z.string().regex(new RegExp(check.pattern), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a valid ${check.what}` +
      (check.what.includes('(') ? '' : ` (expected ${check.pattern})`),
  });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values);
const list = <T extends z.ZodType>(item: T) => z.array(item);
const tags = z.record(z.string(), z.string());
const roleArn = matching(PATTERNS.iamArn).describe('Role the provider assumes to deploy into another account.');

const ROA = centralizeRootAccess.INFO;
const organization = z
  .strictObject({
    manage: z.boolean().describe(doc(ROA, 'manage_organization')),
    features: list(oneOf(centralizeRootAccess.FEATURES)).min(1).describe(doc(ROA, 'enabled_features')),
    servicePrincipals: list(z.string()).describe(doc(ROA, 'aws_service_access_principals')),
    enabledPolicyTypes: list(
      oneOf([
        'AISERVICES_OPT_OUT_POLICY',
        'BACKUP_POLICY',
        'RESOURCE_CONTROL_POLICY',
        'SERVICE_CONTROL_POLICY',
        'TAG_POLICY',
      ]),
    ).describe(doc(ROA, 'enabled_policy_types')),
    delegatedAdministratorAccountId: matching(PATTERNS.accountId).describe(
      doc(ROA, 'delegated_administrator_account_id'),
    ),
  })
  .partial()
  .describe('The centralize-root-access module: trusted access for IAM and the organization features.');

const SCP = scpGuardrails.INFO;
const guardrails = z
  .strictObject({
    statements: list(oneOf(SIDS as [string, ...string[]]))
      .min(1)
      .describe(doc(SCP, 'statements')),
    targets: list(matching(PATTERNS.target)).describe(doc(SCP, 'target_ids')),
    allowedRegions: list(matching(PATTERNS.region)).describe(doc(SCP, 'allowed_regions')),
    globalServiceActions: list(z.string()).describe(doc(SCP, 'global_service_actions')),
    excludePrincipalArns: list(matching(PATTERNS.iamArn)).describe(doc(SCP, 'exclude_principal_arns')),
    name: z.string().min(1).describe(doc(SCP, 'name')),
    tags: tags.describe(doc(SCP, 'tags')),
  })
  .partial()
  .describe('The scp-guardrails module: SCPs from the catalog, packed and attached.');

const OP = rootOperator.INFO;
const operator = z
  .strictObject({
    name: matching(PATTERNS.roleName).describe(doc(OP, 'name')),
    profile: oneOf(['audit-only', 'unlock-only', 'full', 'custom']).optional().describe(doc(OP, 'task_profile')),
    tasks: list(oneOf(rootOperator.TASK_POLICIES)).optional().describe(doc(OP, 'tasks')),
    trustedPrincipalArns: list(matching(PATTERNS.iamArn)).optional().describe(doc(OP, 'trusted_principal_arns')),
    trustedPrincipalArnPatterns: list(matching(PATTERNS.iamArn))
      .optional()
      .describe(doc(OP, 'trusted_principal_arn_patterns')),
    requireMfa: z.boolean().optional().describe(doc(OP, 'require_mfa')),
    maxSessionDuration: z.int().min(3600).max(43200).optional().describe(doc(OP, 'max_session_duration')),
    createRole: z.boolean().optional().describe(doc(OP, 'create_role')),
    createPermissionSet: z.boolean().optional().describe(doc(OP, 'create_permission_set')),
    ssoInstanceArn: matching(PATTERNS.ssoInstanceArn).optional().describe(doc(OP, 'sso_instance_arn')),
    tags: tags.optional().describe(doc(OP, 'tags')),
    assumeRoleArn: roleArn.optional(),
  })
  .describe('One root-operator module: the role (or permission set) that may call sts:AssumeRoot.');

const HUB = hubSpokeRoles.INFO;
const hubSpoke = z
  .strictObject({
    organizationId: matching(PATTERNS.organizationId).describe(doc(HUB, 'organization_id')),
    hubTrustedPrincipalArns: list(matching(PATTERNS.iamArn)).min(1).describe(doc(HUB, 'hub_trusted_principal_arns')),
    targetOuIds: list(matching(PATTERNS.ouOrRoot)).min(1).describe(doc(HUB, 'target_ou_ids')),
    hubRoleName: matching(PATTERNS.roleName).optional().describe(doc(HUB, 'hub_role_name')),
    spokeRoleName: matching(PATTERNS.roleName).optional().describe(doc(HUB, 'spoke_role_name')),
    spokeManagedPolicyArns: list(matching(PATTERNS.policyArn))
      .optional()
      .describe(doc(HUB, 'spoke_managed_policy_arns')),
    externalId: z.string().min(2).max(1224).optional().describe(doc(HUB, 'external_id')),
    callAs: oneOf(['SELF', 'DELEGATED_ADMIN']).optional().describe(doc(HUB, 'call_as')),
    stackSetName: z.string().min(1).optional().describe(doc(HUB, 'stack_set_name')),
    stackSetRegion: matching(PATTERNS.region).optional().describe(doc(HUB, 'stack_set_region')),
    createManagementSpoke: z.boolean().optional().describe(doc(HUB, 'create_management_spoke')),
    maxSessionDuration: z.int().min(3600).max(43200).optional().describe(doc(HUB, 'max_session_duration')),
    tags: tags.optional().describe(doc(HUB, 'tags')),
    assumeRoleArn: roleArn.optional(),
  })
  .describe('The hub-spoke-roles module: a hub role and spoke roles through a service-managed StackSet.');

const RAA = rootActivityAlerts.INFO;
const rootActivity = z
  .strictObject({
    organizationId: matching(PATTERNS.organizationId).describe(doc(RAA, 'organization_id')),
    targetOuIds: list(matching(PATTERNS.ouOrRoot)).min(1).describe(doc(RAA, 'target_ou_ids')),
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,42}$/, {
        error: (i) =>
          `${JSON.stringify(i.input)} is not a valid name (a letter, then letters, digits, hyphens; at most 43)`,
      })
      .optional()
      .describe(doc(RAA, 'name')),
    callAs: oneOf(['SELF', 'DELEGATED_ADMIN']).optional().describe(doc(RAA, 'call_as')),
    stackSetRegions: list(matching(PATTERNS.region)).optional().describe(doc(RAA, 'stack_set_regions')),
    rootCredentialsTargetArns: list(matching(PATTERNS.regionalArn))
      .optional()
      .describe(doc(RAA, 'root_credentials_target_arns')),
    assumeRootSessionTargetArns: list(matching(PATTERNS.regionalArn))
      .optional()
      .describe(doc(RAA, 'assume_root_session_target_arns')),
    assumeRootCallTargetArns: list(matching(PATTERNS.regionalArn))
      .optional()
      .describe(doc(RAA, 'assume_root_call_target_arns')),
    kmsMasterKeyId: z.string().min(1).optional().describe(doc(RAA, 'kms_master_key_id')),
    tags: tags.optional().describe(doc(RAA, 'tags')),
    centralAssumeRoleArn: matching(PATTERNS.iamArn)
      .optional()
      .describe(
        'Role in the security account that the central part (bus, rules, topics) is deployed with; default: the management account.',
      ),
    stackSetAssumeRoleArn: matching(PATTERNS.iamArn)
      .optional()
      .describe(
        'Role in the CloudFormation delegated administrator account the StackSet is deployed with (callAs: DELEGATED_ADMIN).',
      ),
  })
  .refine((c) => c.stackSetAssumeRoleArn === undefined || c.centralAssumeRoleArn !== undefined, {
    path: ['centralAssumeRoleArn'],
    message: 'required with stackSetAssumeRoleArn: the StackSet must know the account of the central bus',
  })
  .describe(
    'The root-activity-alerts module: the central bus and topics (in the security account) and the forwarding rules of every account.',
  );

const s3Required = (issue: { input?: unknown }) =>
  issue.input === undefined ? 'required for an s3 backend' : undefined;
const backend = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('local'),
      path: z.string().min(1).optional().describe('Folder of the state files (one <stack>.tfstate per stack).'),
    }),
    z.strictObject({
      type: z.literal('s3'),
      bucket: z.string({ error: s3Required }).min(3).describe('The state bucket.'),
      key: z.string({ error: s3Required }).min(1).describe('Key prefix: each stack writes <key>/<stack>.tfstate.'),
      region: matching(PATTERNS.region).describe('Region of the state bucket.'),
      dynamodbTable: z.string().min(3).optional().describe('DynamoDB table for state locking.'),
      useLockfile: z.boolean().optional().describe('S3-native state locking (Terraform >= 1.10).'),
      encrypt: z.boolean().optional().describe('Server-side encryption of the state objects.'),
      kmsKeyId: z.string().optional().describe('KMS key for the state objects.'),
      roleArn: matching(PATTERNS.iamArn).optional().describe('Role to assume for the state bucket.'),
    }),
  ])
  .describe('Where Terraform keeps the state: local files (default) or an S3 bucket.');

const provider = z
  .strictObject({
    profile: z.string().min(1).describe('Shared-config profile for the AWS provider (default: the credential chain).'),
    endpoints: z
      .record(z.string(), z.url({ protocol: /^https?$/ }))
      .describe('Service → URL overrides of the AWS provider (e.g. VPC endpoints), such as { sts: "https://…" }.'),
    maxRetries: z.int().min(0).describe('Retries of a failed AWS call (the provider defaults to 25).'),
  })
  .partial()
  .describe('Settings of the AWS provider of every stack.');

export const DeployConfigSchema = z
  .strictObject({
    region: matching(PATTERNS.region).describe('Region of the AWS provider.'),
    backend,
    sandbox: z
      .boolean()
      .optional()
      .describe('Deploy into the local sandbox (npm run sandbox): its endpoint, test credentials and switches.'),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('The sandbox URL, with sandbox: true (default: AWS_ENDPOINT_URL).'),
    provider: provider.optional(),
    organization: organization.optional(),
    guardrails: guardrails.optional(),
    operators: list(operator).optional().describe('Operator roles; one with assumeRoleArn gets its own stack.'),
    hubSpoke: hubSpoke.optional(),
    rootActivityAlerts: rootActivity.optional(),
  })
  .refine((c) => c.endpoint === undefined || c.sandbox === true, {
    path: ['endpoint'],
    message: 'only with sandbox: true (for real endpoint overrides use provider.endpoints)',
  })
  .refine((c) => new Set((c.operators ?? []).map((o) => o.name)).size === (c.operators ?? []).length, {
    path: ['operators'],
    message: 'two operators have the same name; each name is a role and a stack',
  })
  .describe('centralized-root: the cdktf deploy configuration (main.ts reads it from CENTRALIZED_ROOT_CONFIG).');

/** The config type: what the schema accepts, nothing written beside it. */
export type DeployConfig = z.infer<typeof DeployConfigSchema>;

/** The JSON Schema published as config/schema.json, for editors (yaml-language-server) and other tools. */
export function configJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(DeployConfigSchema), title: 'centralized-root deploy configuration' };
}

/** `config.guardrails.targets[1]`: the path as a user reads it. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${String(k)}`), 'config');
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = { array: 'a list', object: 'an object', int: 'a whole number' };

/**
 * The message of a problem, for the issues whose schema gives none of its own (zod asks the schema first, then
 * this parse-level map). `data` is the parsed document, to find the allowed keys of an object.
 */
function message(issue: z.core.$ZodRawIssue, data: unknown): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field; allowed: ${Object.keys(schemaAt(issue.path ?? [], data)).join(', ')}`;
    case 'invalid_type':
      if (input === undefined) return 'required';
      return `expected ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}, got ${kind(input)}`;
    case 'invalid_value':
      return `got ${JSON.stringify(input)}; allowed: ${issue.values.map(String).join(', ')}`;
    case 'invalid_union':
      // The input is the whole object; the message names its discriminating field's value.
      return issue.discriminator !== undefined
        ? `got ${JSON.stringify((input as Record<string, unknown> | undefined)?.[issue.discriminator])}; allowed: ${discriminators(issue.path ?? []).join(', ')}`
        : undefined;
    // Lengths are stated without the value: a too short or too long string may be a secret (externalId).
    case 'too_small':
      if (issue.origin === 'array')
        return Number(issue.minimum) <= 1 ? 'must not be empty' : `needs at least ${issue.minimum} items`;
      if (issue.origin === 'string') return `must be at least ${issue.minimum} characters long`;
      return `${JSON.stringify(input)} is too small (minimum ${issue.minimum})`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      return `${JSON.stringify(input)} is too large (maximum ${issue.maximum})`;
    case 'invalid_format':
      return issue.format === 'url' ? `${JSON.stringify(input)} is not an http(s) URL` : undefined;
    default:
      return undefined;
  }
}

/** One line per problem, each under its field's path; each unknown key gets its own line. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => `${fieldPath([...issue.path, k])}: ${issue.message}`)
      : [`${fieldPath(issue.path)}: ${issue.message}`],
  );
}

/** The allowed keys of the object schema at `path` (for "unknown field" messages). */
function schemaAt(path: readonly PropertyKey[], data: unknown): Record<string, unknown> {
  let schema: z.ZodType = DeployConfigSchema;
  let value = data;
  for (const key of path) {
    schema = unwrap(schema, value);
    if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodObject) schema = schema.shape[key as string] as z.ZodType;
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  }
  schema = unwrap(schema, value);
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, unknown>) : {};
}

/** Through optional/describe/refine wrappers, and into the union member the value's `type` selects. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  for (;;) {
    if (schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
    else if (schema instanceof z.ZodDiscriminatedUnion) {
      const type = (value as { type?: unknown } | undefined)?.type;
      const member = (schema.options as z.ZodObject[]).find((o) => (o.shape.type as z.ZodLiteral).value === type);
      return member ?? schema;
    } else return schema;
  }
}

function discriminators(path: readonly PropertyKey[]): string[] {
  const parent = path.slice(0, -1);
  let schema: z.ZodType = DeployConfigSchema;
  for (const key of parent) schema = (unwrap(schema, undefined) as z.ZodObject).shape[key as string] as z.ZodType;
  schema = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return schema instanceof z.ZodDiscriminatedUnion
    ? (schema.options as z.ZodObject[]).map((o) => String((o.shape.type as z.ZodLiteral).value))
    : [];
}

/** Parses and checks a config text; `source` names it in messages. Every problem is reported in one error. */
export function parseConfig(text: string, source = 'config'): DeployConfig {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    // Only the first line: the parser's message goes on with a frame of the file's text.
    throw new ConfigError(`${source}: not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = DeployConfigSchema.safeParse(data ?? {}, { error: (issue) => message(issue, data) });
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues).join('\n'));
  return result.data;
}

export function loadConfig(file: string): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseConfig(text, file);
}
