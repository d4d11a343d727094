/**
 * The one error type of the runbook CLI. Every failure a user can act on is a RunbookError with a stable
 * code, a message that names the bad value, and a hint that says what to do next. Only the entry point
 * turns it into an exit code.
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  BadInput: 2,
  NotConfirmed: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'BadInput'
  | 'NotConfirmed'
  | 'FeatureNotEnabled'
  | 'NotManagementOrDelegatedAdmin'
  | 'CallerIsNotManagementAccount'
  | 'TargetIsManagementAccount'
  | 'AccessDenied'
  | 'NoSuchResource'
  | 'NoPolicy'
  | 'SessionExpired'
  | 'Throttled'
  | 'BackupFailed'
  | 'AuditLogFailed'
  | 'ChangedSincePlan'
  | 'VerifyFailed'
  | 'CommandFailed'
  | 'Failed';

const EXIT_BY_CODE: Partial<Record<ErrorCode, ExitCode>> = {
  BadInput: ExitCode.BadInput,
  NotConfirmed: ExitCode.NotConfirmed,
  // Naming the management account as the target is a wrong argument, not a failure of the run.
  TargetIsManagementAccount: ExitCode.BadInput,
};

export class RunbookError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunbookError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = EXIT_BY_CODE[code] ?? ExitCode.Failed;
  }
}

/** Shorthand for the most common error: a value the user gave that is not allowed. */
export function badInput(message: string, hint?: string): RunbookError {
  return new RunbookError('BadInput', message, { hint });
}
