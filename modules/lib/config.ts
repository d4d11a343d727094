/**
 * The `cdktf deploy` configuration: parsed from YAML or JSON and checked field by field, so an error names the
 * bad field (`guardrails.targets[1]`) and what is allowed. Value formats (ids, ARNs, task names) are then checked
 * by the constructs themselves, and their messages are prefixed with the field's path.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface DeployConfig {
  readonly region: string;
  /** Sandbox endpoint; `sandbox: true` takes it from AWS_ENDPOINT_URL instead. */
  readonly endpoint?: string;
  readonly sandbox?: boolean;
  readonly backend: { type: 'local'; path?: string } | { type: 's3'; bucket: string; key: string; region: string };
  readonly organization?: {
    manage?: boolean;
    features?: string[];
    servicePrincipals?: string[];
    delegatedAdministratorAccountId?: string;
  };
  readonly guardrails?: {
    statements?: string[];
    targets?: string[];
    allowedRegions?: string[];
    excludePrincipalArns?: string[];
  };
  readonly operators?: {
    name: string;
    profile?: string;
    tasks?: string[];
    trustedPrincipalArns?: string[];
    trustedPrincipalArnPatterns?: string[];
    requireMfa?: boolean;
    /** Deploy into another account (e.g. the IAM delegated administrator) through this role. */
    assumeRoleArn?: string;
  }[];
  readonly hubSpoke?: {
    organizationId: string;
    hubTrustedPrincipalArns: string[];
    targetOuIds: string[];
    hubRoleName?: string;
    spokeRoleName?: string;
    spokeManagedPolicyArns?: string[];
    externalId?: string;
    callAs?: string;
    createManagementSpoke?: boolean;
    /** Deploy the hub into another account through this role. */
    assumeRoleArn?: string;
  };
}

/** A bad configuration: the message names the field. Exit code 2 (bad input). */
export class ConfigError extends Error {
  readonly exitCode = 2;
}

type Shape =
  | 'string'
  | 'boolean'
  | 'string[]'
  | { readonly object: Record<string, Shape>; readonly required?: readonly string[] }
  | { readonly list: Shape }
  | { readonly oneOf: readonly string[] };

const operator: Shape = {
  object: {
    name: 'string',
    profile: { oneOf: ['audit-only', 'unlock-only', 'full', 'custom'] },
    tasks: 'string[]',
    trustedPrincipalArns: 'string[]',
    trustedPrincipalArnPatterns: 'string[]',
    requireMfa: 'boolean',
    assumeRoleArn: 'string',
  },
  required: ['name'],
};

const SCHEMA: Shape = {
  object: {
    region: 'string',
    endpoint: 'string',
    sandbox: 'boolean',
    backend: {
      object: { type: { oneOf: ['local', 's3'] }, path: 'string', bucket: 'string', key: 'string', region: 'string' },
      required: ['type'],
    },
    organization: {
      object: {
        manage: 'boolean',
        features: 'string[]',
        servicePrincipals: 'string[]',
        delegatedAdministratorAccountId: 'string',
      },
    },
    guardrails: {
      object: {
        statements: 'string[]',
        targets: 'string[]',
        allowedRegions: 'string[]',
        excludePrincipalArns: 'string[]',
      },
    },
    operators: { list: operator },
    hubSpoke: {
      object: {
        organizationId: 'string',
        hubTrustedPrincipalArns: 'string[]',
        targetOuIds: 'string[]',
        hubRoleName: 'string',
        spokeRoleName: 'string',
        spokeManagedPolicyArns: 'string[]',
        externalId: 'string',
        callAs: { oneOf: ['SELF', 'DELEGATED_ADMIN'] },
        createManagementSpoke: 'boolean',
        assumeRoleArn: 'string',
      },
      required: ['organizationId', 'hubTrustedPrincipalArns', 'targetOuIds'],
    },
  },
  required: ['region', 'backend'],
};

function check(value: unknown, shape: Shape, path: string): void {
  const got = Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
  if (shape === 'string' || shape === 'boolean') {
    if (typeof value !== shape) throw new ConfigError(`${path}: expected a ${shape}, got ${got}`);
  } else if (shape === 'string[]') {
    check(value, { list: 'string' }, path);
  } else if ('oneOf' in shape) {
    if (typeof value !== 'string' || !shape.oneOf.includes(value)) {
      throw new ConfigError(`${path}: got ${JSON.stringify(value)}; allowed: ${shape.oneOf.join(', ')}`);
    }
  } else if ('list' in shape) {
    if (!Array.isArray(value)) throw new ConfigError(`${path}: expected a list, got ${got}`);
    value.forEach((item, i) => check(item, shape.list, `${path}[${i}]`));
  } else {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`${path}: expected an object, got ${got}`);
    }
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      if (!(k in shape.object)) {
        throw new ConfigError(`${path}.${k}: unknown field; allowed: ${Object.keys(shape.object).join(', ')}`);
      }
      check(record[k], shape.object[k], `${path}.${k}`);
    }
    for (const k of shape.required ?? []) {
      if (record[k] === undefined) throw new ConfigError(`${path}.${k}: required`);
    }
  }
}

/** Parses and checks a config text; `source` names it in messages. */
export function parseConfig(text: string, source = 'config'): DeployConfig {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML/JSON: ${(error as Error).message}`);
  }
  check(data, SCHEMA, 'config');
  const config = data as DeployConfig;
  if (config.backend.type === 's3') {
    for (const k of ['bucket', 'key', 'region'] as const) {
      if (!(config.backend as Record<string, unknown>)[k])
        throw new ConfigError(`config.backend.${k}: required for an s3 backend`);
    }
  }
  return config;
}

export function loadConfig(file: string): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${file}: ${(error as Error).message}`);
  }
  return parseConfig(text, file);
}
