/**
 * The environment and the shared AWS config files, checked before the first AWS call: region variables, endpoint
 * variables, the runbooks' numeric settings, the config file paths, and the profile (it must exist; its region and
 * endpoint_url must be valid). Every failure names the variable, or the profile and the file, that holds the bad
 * value. Nothing here sends a request: the profile is looked up with the SDK's own shared-ini-file loader.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { badInput } from './errors';
import { checkEndpointVariables, parseEndpointUrl } from './endpoints';
import { kindOf } from './input-file';
import { HTTP_TIMEOUT, httpTimeoutMs } from './clients';
import { FALLBACK_REGION, parseRegion, quote, REGION } from './validate';

/**
 * Variables whose empty value is a mistake rather than a choice (`export AWS_REGION=` left over in a shell): the
 * SDK would quietly fall back to something else, so the run would go somewhere nobody asked for.
 */
const NOT_EMPTY = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  HTTP_TIMEOUT.variable,
] as const;

/** Larger shared config files exist nowhere but in an attack or an accident (a log file named as the config). */
const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;

export interface EnvironmentFlags {
  /** --profile, already read from argv. */
  readonly profile?: string;
  /** --region, already validated. */
  readonly region?: string;
}

export interface EnvironmentFacts {
  /** The region when the target names none: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1. */
  readonly defaultRegion: string;
}

export async function checkEnvironment(flags: EnvironmentFlags, env: NodeJS.ProcessEnv): Promise<EnvironmentFacts> {
  for (const name of NOT_EMPTY) {
    if (env[name] === '') throw badInput(`${name} is set but empty`, `unset ${name}, or give it a value`);
  }
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = env[name];
    if (value !== undefined) parseRegion(value, name);
  }
  checkEndpointVariables(env);
  httpTimeoutMs(env);

  const files = sharedFiles(env);
  for (const file of [files.config, files.credentials]) checkSharedFile(file);
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    configFilepath: files.config.path,
    filepath: files.credentials.path,
    ignoreCache: true,
  });
  const named = flags.profile ?? env.AWS_PROFILE;
  // AWS_PROFILE=default names what the SDK uses anyway, present or not (credentials may come from the environment).
  const optional = flags.profile === undefined && named === 'default';
  const known = named === undefined || Object.hasOwn(configFile, named) || Object.hasOwn(credentialsFile, named);
  if (!known && !optional) {
    const source = flags.profile !== undefined ? '--profile' : 'AWS_PROFILE';
    throw badInput(
      `unknown profile ${quote(named)} (${source}): it is in neither ${describe(files.config)} nor ${describe(files.credentials)}`,
      'list the profiles with "aws configure list-profiles", or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the right files',
    );
  }
  const profile = named ?? 'default';
  const section = Object.hasOwn(configFile, profile) ? configFile[profile] : undefined;
  // A config file's values are its content: the message says which setting is wrong, not what it holds.
  const refuse = (setting: string, allowed: string) =>
    badInput(
      `the ${setting} of profile ${quote(profile)} in ${files.config.path} is not ${allowed}`,
      `fix it in ${files.config.path}, or choose another profile`,
    );
  if (section?.region !== undefined && !REGION.test(section.region)) {
    throw refuse('region', 'an AWS region name such as us-east-1');
  }
  if (section?.endpoint_url !== undefined) {
    try {
      parseEndpointUrl(section.endpoint_url, 'endpoint_url');
    } catch {
      throw refuse('endpoint_url', 'an http:// or https:// URL of a host and an optional port');
    }
  }
  return {
    defaultRegion: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? section?.region ?? FALLBACK_REGION,
  };
}

interface SharedFile {
  readonly path: string;
  /** The variable that named it, or undefined for the default location. */
  readonly variable?: string;
}

/** The files the SDK reads, by its rules: the variable, else ~/.aws/<name> (HOME first, as the SDK does). */
function sharedFiles(env: NodeJS.ProcessEnv): { config: SharedFile; credentials: SharedFile } {
  const home = env.HOME || homedir();
  const file = (variable: string, name: string): SharedFile => {
    const given = env[variable];
    if (given === undefined) return { path: join(home, '.aws', name) };
    return { path: given.startsWith('~/') ? join(home, given.slice(2)) : resolve(given), variable };
  };
  return { config: file('AWS_CONFIG_FILE', 'config'), credentials: file('AWS_SHARED_CREDENTIALS_FILE', 'credentials') };
}

function describe(file: SharedFile): string {
  return file.variable === undefined ? `${file.path} (the default)` : `${file.path} (${file.variable})`;
}

/**
 * A shared file may be missing (the SDK treats it as empty) or /dev/null, but nothing the SDK's loader would block
 * on or read without end: a FIFO, a directory, a device such as /dev/zero, or something enormous.
 */
function checkSharedFile(file: SharedFile): void {
  let stat;
  try {
    stat = statSync(file.path);
  } catch {
    return;
  }
  const source = file.variable ?? 'the shared AWS config';
  const isNull = stat.isCharacterDevice() && stat.rdev === statSync('/dev/null').rdev;
  if (!stat.isFile() && !isNull) {
    throw badInput(
      `${source} names ${quote(file.path)}, which is ${kindOf(stat)}: expected a regular file (or /dev/null)`,
      file.variable === undefined ? undefined : `point ${file.variable} at an AWS config file, or unset it`,
    );
  }
  if (stat.size > MAX_CONFIG_FILE_BYTES) {
    throw badInput(
      `${source} names ${quote(file.path)}, which has ${stat.size} bytes: expected an AWS config file of at most ${MAX_CONFIG_FILE_BYTES} bytes`,
    );
  }
}
