/**
 * The validation layer's entry (loaded on first use, like the commands: `runbook --help` needs none of it). Every
 * command passes through it before it runs: the common flags (parseCommon), then the environment and the profile
 * (without any AWS request), the partition of --role-arn, and the backup folder of a command that writes backups.
 * The command's own flags and files are checked next, by its behaviour's parse function, with the shared checks of
 * the engine; only then does anything talk to AWS.
 */
import { checkBackupDir } from '../engine/backup-dir';
import { checkEnvironment } from '../engine/environment';
import type { RunSettings } from '../engine/settings';
import { badValue, optionalString, partitionOf } from '../engine/validate';
import { parseCommon, ROLE_ARN, type CommonRules, type ParsedValues } from './options';

export async function runSettings(
  values: ParsedValues,
  env: NodeJS.ProcessEnv,
  cwd: string,
  options: { readonly rules?: CommonRules; readonly writesBackups: boolean },
): Promise<RunSettings> {
  const settings = parseCommon(values, env, cwd, options.rules);
  const { defaultRegion } = await checkEnvironment({ profile: settings.profile, region: settings.region }, env);
  const partition = partitionOf(settings.region ?? defaultRegion);
  const rolePartition = settings.roleArn === undefined ? undefined : ROLE_ARN.exec(settings.roleArn)?.[1];
  if (rolePartition !== undefined && rolePartition !== partition) {
    throw badValue(
      '--role-arn',
      settings.roleArn as string,
      `a role ARN of partition ${partition}, the partition of the region ${settings.region ?? defaultRegion}`,
    );
  }
  if (options.writesBackups) {
    const source =
      optionalString(values, 'backup-dir') !== undefined
        ? '--backup-dir'
        : env.RUNBOOK_BACKUP_DIR !== undefined
          ? 'RUNBOOK_BACKUP_DIR'
          : 'the default backup folder';
    checkBackupDir(settings.backupDir, source);
  }
  return { ...settings, defaultRegion };
}
