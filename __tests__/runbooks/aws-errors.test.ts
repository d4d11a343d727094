import { isExpiredSession, toRunbookError } from '../../runbooks/engine/aws-errors';
import { RunbookError } from '../../runbooks/engine/errors';

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

const assumeRoot = { action: 'sts:AssumeRoot', target: 'account 111122223333' };

describe('AWS errors become RunbookErrors with a code and a hint', () => {
  it.each([
    [
      awsError('AccessDenied', 'not authorized ... because the organization feature RootSessions is not enabled'),
      'FeatureNotEnabled',
      1,
    ],
    [awsError('AccessDenied', 'because trusted access for iam.amazonaws.com is not enabled'), 'FeatureNotEnabled', 1],
    [awsError('ServiceAccessNotEnabledException', 'x'), 'FeatureNotEnabled', 1],
    [
      awsError(
        'AccessDenied',
        'because the caller is neither the management account nor the IAM delegated administrator',
      ),
      'NotManagementOrDelegatedAdmin',
      1,
    ],
    [awsError('AccountNotManagementOrDelegatedAdministratorException', 'x'), 'NotManagementOrDelegatedAdmin', 1],
    [awsError('CallerIsNotManagementAccountException', 'x'), 'CallerIsNotManagementAccount', 1],
    [awsError('AccessDenied', 'because the target is the management account'), 'TargetIsManagementAccount', 2],
    [awsError('AccessDenied', 'because the target is not a member account of the organization'), 'BadInput', 2],
    [awsError('AccessDenied', 'User: x is not authorized to perform: sts:AssumeRoot'), 'AccessDenied', 1],
    [awsError('ExpiredToken', 'The security token included in the request is expired'), 'SessionExpired', 1],
    [awsError('ThrottlingException', 'Rate exceeded'), 'Throttled', 1],
    [awsError('SlowDown', 'Please reduce your request rate.'), 'Throttled', 1],
    [awsError('NoSuchBucket', 'The specified bucket does not exist'), 'NoSuchResource', 1],
    [awsError('AWS.SimpleQueueService.NonExistentQueue', 'x'), 'NoSuchResource', 1],
    [awsError('InternalError', 'boom'), 'Failed', 1],
  ])('%s → %s (exit %d)', (err, code, exitCode) => {
    const mapped = toRunbookError(err, assumeRoot);
    expect(mapped).toBeInstanceOf(RunbookError);
    expect(mapped.code).toBe(code);
    expect(mapped.exitCode).toBe(exitCode);
    expect(mapped.message).toContain('sts:AssumeRoot on account 111122223333');
    expect(mapped.hint).toBeTruthy();
  });

  it('an Organizations read denied to a member says who Organizations answers', () => {
    const denied = awsError('AccessDeniedException', "You don't have permissions to access this resource.");
    const mapped = toRunbookError(denied, { action: 'organizations:ListAccounts', target: 'the organization' });
    expect(mapped).toMatchObject({ code: 'AccessDenied', exitCode: 1 });
    expect(mapped.hint).toMatch(/management account and delegated administrators only/);
    expect(toRunbookError(denied, { action: 's3:GetBucketPolicy', target: 'b' }).hint).not.toMatch(/delegated/);
  });

  it('passes a RunbookError through unchanged', () => {
    const original = new RunbookError('BackupFailed', 'x');
    expect(toRunbookError(original, assumeRoot)).toBe(original);
  });

  it.each(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'])(
    'one expiry predicate: %s is an expired session, raw and as the RunbookError made from it',
    (name) => {
      const raw = awsError(name, 'expired');
      expect(isExpiredSession(raw)).toBe(true);
      expect(isExpiredSession(toRunbookError(raw, assumeRoot))).toBe(true);
    },
  );

  it('no other error counts as an expired session', () => {
    for (const err of [awsError('AccessDenied', 'x'), new RunbookError('Throttled', 'x'), undefined, null, 'x']) {
      expect(isExpiredSession(err)).toBe(false);
    }
  });
});
