/**
 * The settings of one run, already validated: where the credentials come from, where AWS is, where the audit
 * log and the backups go, and how the run behaves (JSON output, confirmation, dry run). The CLI builds them from
 * the global options; the engine and the behaviours only read them.
 */
export interface RunSettings {
  readonly profile?: string;
  /** --region: wins over every other source, and a queue URL's region must agree with it. */
  readonly region?: string;
  /**
   * The region when neither --region nor the target names one (AWS_REGION, AWS_DEFAULT_REGION, the profile's, or
   * us-east-1), resolved by the CLI's validation layer without any request. Absent when the settings were built
   * without that layer; the engine then resolves it the same way itself.
   */
  readonly defaultRegion?: string;
  readonly roleArn?: string;
  readonly externalId?: string;
  /** Session duration in seconds, within the range the command allows (root sessions: 1..900). */
  readonly duration: number;
  readonly endpointUrl?: string;
  /** Absolute path. */
  readonly auditLog: string;
  /** Absolute path. */
  readonly backupDir: string;
  readonly verbose: boolean;
  readonly json: boolean;
  readonly yes: boolean;
  readonly dryRun: boolean;
}
