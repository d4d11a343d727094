import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { parseEndpointUrl } from '../engine/endpoints';
import { badInput } from '../engine/errors';
import type { RunSettings } from '../engine/settings';
import {
  badValue,
  optionalString,
  parseDuration,
  parseRegion,
  ROOT_SESSION_DURATION,
  type DurationLimit,
} from '../engine/validate';

/** The option table of a command, in node:util parseArgs' shape (read strictly by argv.ts). */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Values parsed by parseArgs, keyed by long option name. */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Options every command accepts: where the credentials come from, where AWS is, where the audit log goes. */
export const GLOBAL_OPTIONS = {
  profile: { type: 'string' },
  region: { type: 'string' },
  'role-arn': { type: 'string' },
  'external-id': { type: 'string' },
  duration: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'audit-log': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionsConfig;

/** Spread into a command's options when it can print exactly one JSON object. */
export const JSON_OPTION = { json: { type: 'boolean' } } as const satisfies OptionsConfig;
/** Spread into a command's options when it changes something. */
export const CHANGE_OPTIONS = {
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
} as const satisfies OptionsConfig;
/** Spread into a command's options when it writes backups. */
export const BACKUP_OPTION = { 'backup-dir': { type: 'string' } } as const satisfies OptionsConfig;
/** Spread into a command's options when it can be told to go ahead despite a warning it would otherwise refuse on. */
export const FORCE_OPTION = { force: { type: 'boolean' } } as const satisfies OptionsConfig;

export const GLOBAL_USAGE = `Common options:
  --profile <name>         use a profile from the shared AWS config/credentials files
  --region <region>        region for STS and the target resource (default: AWS_REGION, the profile, us-east-1)
  --role-arn <arn>         assume this operator role first, then AssumeRoot with its credentials
  --external-id <id>       external id for --role-arn (spoke exec: for the hub and spoke roles)
  --duration <seconds>     root session duration, 1..900 (default 900; spoke exec: 900..3600, default 3600)
  --endpoint-url <url>     send every AWS call to this endpoint (also AWS_ENDPOINT_URL[_<SERVICE>])
  --audit-log <file>       the audit trail (default: RUNBOOK_AUDIT_LOG, else
                           $XDG_STATE_HOME/runbook/audit.jsonl, else ~/.local/state/runbook/audit.jsonl)
  -v, --verbose            log each step and each AWS call to stderr
  -h, --help               show help`;

/**
 * What --external-id and --duration mean for a command. For the root-session commands (the default) the external
 * id belongs to the operator role of --role-arn and the duration is the AssumeRoot session's; a command that
 * assumes roles itself (spoke exec) sends the external id on its own hops and has its own duration range.
 */
export interface CommonRules {
  readonly externalId: 'role-arn' | 'command';
  readonly duration: DurationLimit & { readonly default: number };
}

export const ROOT_SESSION_RULES: CommonRules = {
  externalId: 'role-arn',
  duration: { ...ROOT_SESSION_DURATION, default: 900 },
};

const flag = (v: ParsedValues[string]): boolean => v === true;

/** Validates the common options into the run's settings; an invalid one throws BadInput before anything else happens. */
export function parseCommon(
  values: ParsedValues,
  env: NodeJS.ProcessEnv,
  cwd: string,
  rules: CommonRules = ROOT_SESSION_RULES,
): RunSettings {
  const duration = optionalString(values, 'duration');
  const endpointUrl = optionalString(values, 'endpoint-url');
  if (endpointUrl !== undefined) parseEndpointUrl(endpointUrl, '--endpoint-url');
  const roleArn = optionalString(values, 'role-arn');
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
    throw badValue('--role-arn', roleArn, 'an IAM role ARN such as arn:aws:iam::111122223333:role/RootOperator');
  }
  const externalId = optionalString(values, 'external-id');
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    throw badValue('--external-id', externalId, '2..1224 characters of letters, digits and +=,.@:/-');
  }
  if (externalId !== undefined && roleArn === undefined && rules.externalId === 'role-arn') {
    throw badInput('--external-id needs --role-arn', 'the external id is sent when assuming the operator role');
  }
  const region = optionalString(values, 'region');
  if (region !== undefined) parseRegion(region, '--region');
  return {
    profile: optionalString(values, 'profile'),
    region,
    roleArn,
    externalId,
    duration: duration === undefined ? rules.duration.default : parseDuration(duration, '--duration', rules.duration),
    endpointUrl,
    auditLog: pathSetting(values, 'audit-log', 'RUNBOOK_AUDIT_LOG', env, cwd, () => join(stateDir(env), 'audit.jsonl')),
    backupDir: pathSetting(values, 'backup-dir', 'RUNBOOK_BACKUP_DIR', env, cwd, () => join(stateDir(env), 'backups')),
    verbose: flag(values.verbose),
    json: flag(values.json),
    yes: flag(values.yes),
    dryRun: flag(values['dry-run']),
  };
}

/**
 * The per-user state folder: $XDG_STATE_HOME/runbook, else ~/.local/state/runbook (the XDG base directory
 * rules: a relative XDG_STATE_HOME is ignored). Never the working directory: credential_process runs anywhere.
 */
export function stateDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'runbook');
  const home = env.HOME !== undefined && isAbsolute(env.HOME) ? env.HOME : homedir();
  return join(home, '.local', 'state', 'runbook');
}

/** A path from its option, else its variable, else the default; an empty value is a mistake, not "here". */
function pathSetting(
  values: ParsedValues,
  option: string,
  variable: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  fallback: () => string,
): string {
  const given = optionalString(values, option);
  if (given === '') throw badValue(`--${option}`, given, 'a path', `leave --${option} out for the default`);
  const fromEnv = given === undefined ? env[variable] : undefined;
  if (fromEnv === '') {
    throw badInput(`${variable} is set but empty: expected a path`, `unset ${variable} for the default ${fallback()}`);
  }
  const path = given ?? fromEnv ?? fallback();
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/** An IAM role ARN; the first group is its partition. */
export const ROLE_ARN = /^arn:(aws[a-z-]*):iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
