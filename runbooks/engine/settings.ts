/**
 * The settings of one run, already validated: where the credentials come from, where AWS is, where the audit
 * log and the backups go, and how the run behaves (JSON output, confirmation, dry run). The CLI builds them from
 * the global options; the engine and the behaviours only read them.
 */
export interface RunSettings {
  readonly profile?: string;
  readonly region?: string;
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
