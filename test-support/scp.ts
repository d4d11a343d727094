/** SCP documents the suites attach in the sandbox. */

/**
 * Denies everything to the root user of member accounts; with `exempt`, AssumeRoot sessions are spared (the
 * scp-guardrails module's DenyRootExceptAssumeRoot), without it they are blocked too.
 */
export function denyRootScp(exempt: boolean, sid = exempt ? 'DenyRootExceptAssumeRoot' : 'DenyRootUser'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: {
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' },
          ...(exempt ? { Null: { 'aws:AssumedRoot': 'true' } } : {}),
        },
      },
    ],
  });
}
