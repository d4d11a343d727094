/**
 * runbook credentials, the core: a root session's credentials, for eval, for tools that read JSON, or as a
 * credential_process. Printing them is the command's whole purpose, so stdout is the one place they go;
 * nothing about them reaches stderr, -v or the audit log beyond the access key id.
 *
 * As a credential_process the session is cached (credential-cache.ts): the SDKs run the process again and again
 * while a root session lives, and each call hands out the same session until it nears its end.
 */
import type { SessionCredentials } from '../engine/clients';
import { callerAccessKeyId } from '../engine/credentials';
import type { RunIo } from '../engine/io';
import type { RunSettings } from '../engine/settings';
import { TASKS, taskPolicyArn, type TaskAlias } from '../engine/tasks';
import { withRun, type TrailRun } from '../engine/trail';
import { badValue, optionalString, parseAccountId } from '../engine/validate';
import { CREDENTIAL_FORMATS, formatCredentials, type CredentialFormat } from './credential-format';
import { cacheKey, credentialCacheDir, throughCache, type CachedSession } from './credential-cache';
import { openRootSession } from './root-session';
import { parseTask } from './task';

export interface CredentialsParams {
  readonly account: string;
  readonly task: TaskAlias;
  readonly partition: string;
  readonly format: CredentialFormat;
  /** Hand out a cached session while it lives (credential-process format, unless --no-cache). */
  readonly cache: boolean;
}

export function parseCredentialsParams(values: Record<string, unknown>, runPartition?: string): CredentialsParams {
  const account = parseAccountId(optionalString(values, 'account') ?? '');
  const { task, partition } = parseTask(optionalString(values, 'task'), runPartition);
  const format = optionalString(values, 'format') ?? 'env';
  if (!(CREDENTIAL_FORMATS as readonly string[]).includes(format)) {
    throw badValue('--format', format, CREDENTIAL_FORMATS.join(', '));
  }
  const cache = format === 'credential-process' && values['no-cache'] !== true;
  return { account, task, partition, format: format as CredentialFormat, cache };
}

type CredentialsIo = Pick<RunIo, 'env' | 'log' | 'stderr'>;

/** Takes the session (or the cached one), records it in the trail before it is handed out, and returns the text. */
export async function issueCredentials(
  params: CredentialsParams,
  settings: RunSettings,
  io: CredentialsIo,
): Promise<string> {
  const { account, task, partition, format } = params;
  return withRun(
    settings.auditLog,
    {
      runbook: 'credentials',
      parameters: { task, format, cache: params.cache },
      account,
      region: settings.region ?? null,
      task: taskPolicyArn(TASKS[task], partition),
      plan: `hand out root session credentials (${task}) of ${account} as ${format}`,
    },
    async (run) => {
      const session = params.cache
        ? await cachedSession(params, settings, io, run)
        : await newSession(params, settings, io, run);
      return formatCredentials(format, session, {
        account,
        region: session.region,
        taskPolicyArn: session.taskPolicyArn,
      });
    },
    () => ({ outcome: 'unchanged' }),
  );
}

async function newSession(
  params: CredentialsParams,
  settings: RunSettings,
  io: CredentialsIo,
  run: TrailRun,
): Promise<CachedSession> {
  const { account, task, partition } = params;
  const opened = await openRootSession(settings, io, { account, task, partition }, run);
  const c: SessionCredentials = opened.credentials;
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken ?? '',
    // AssumeRoot always answers with an Expiration; without one the session counts as ending at its duration.
    expiration: c.expiration ?? new Date(Date.now() + settings.duration * 1000),
    issued: new Date(),
    callerArn: opened.callerArn,
    callerRole: opened.callerRole,
    account,
    region: opened.root.settings.region,
    taskPolicyArn: opened.root.taskPolicyArn,
  };
}

async function cachedSession(params: CredentialsParams, settings: RunSettings, io: CredentialsIo, run: TrailRun) {
  const { account, task, partition } = params;
  const env = io.env;
  let callerKey: string;
  try {
    callerKey = await callerAccessKeyId(settings);
  } catch {
    // No usable caller credentials: the uncached path fails with the engine's own error and hint.
    return newSession(params, settings, io, run);
  }
  const key = cacheKey([
    account,
    task,
    partition,
    settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    settings.endpointUrl ?? env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL,
    settings.profile ?? env.AWS_PROFILE,
    settings.roleArn,
    settings.externalId,
    String(settings.duration),
    callerKey,
  ]);
  const { session, reused } = await throughCache(
    {
      dir: credentialCacheDir(env),
      key,
      log: io.log,
      warn: (message) => io.stderr.write(`warning: ${message}\n`),
    },
    () => newSession(params, settings, io, run),
  );
  if (reused) {
    // The same key again, no new AssumeRoot: the trail says who was handed it, and when.
    run.identify({
      arn: session.callerArn,
      account: session.callerArn.split(':')[4] || null,
      role: session.callerRole,
    });
    await run.session(
      {
        kind: 'root',
        account,
        region: session.region,
        task: session.taskPolicyArn,
        accessKeyId: session.accessKeyId,
        expiration: session.expiration,
        reused: true,
      },
      [session.secretAccessKey, session.sessionToken],
    );
  }
  return session;
}
