/**
 * root-password-reset: re-enables password recovery for a member account's root user. CreateLoginProfile
 * with a root session and no Password (and no UserName) lets the owner of the root e-mail complete
 * "forgot password"; it restores neither the old password nor MFA. An existing profile means there is
 * nothing to do.
 */
import { rootLoginProfileApi, type RootLoginProfileApi } from './apis/iam';
import { RunbookError } from '../engine/errors';
import type { Runbook, RunbookState } from '../engine/runbook';
import { parseAccountId, requireOption } from '../engine/validate';

export interface RootPasswordResetParams {
  readonly account: string;
}

export function parseRootPasswordResetParams(values: Record<string, unknown>): RootPasswordResetParams {
  return { account: parseAccountId(requireOption(values, 'account', 'an AWS account id of exactly 12 digits')) };
}

const PRESENT = 'login profile: present';
const ABSENT = 'login profile: absent';

export const rootPasswordReset: Runbook<RootPasswordResetParams, RootLoginProfileApi, RunbookState> = {
  name: 'root-password-reset',
  task: 'create-password',
  actions: ['iam:GetLoginProfile', 'iam:CreateLoginProfile'],
  account: (p) => p.account,
  parameters: () => ({}),
  purpose: (p) => `create the root login profile (no password) of ${p.account}, if it has none`,
  changeAction: () => 'iam:CreateLoginProfile',
  expected: () => ({ resource: 'root user', snapshot: PRESENT }),
  connect: (root) => rootLoginProfileApi(root),
  gather: async (api) => ({ resource: 'root user', snapshot: (await api.exists()) ? PRESENT : ABSENT }),
  plan: (state) =>
    state.snapshot === PRESENT
      ? { change: false, summary: 'already enabled: the root user has a login profile' }
      : {
          change: true,
          summary: 'create the root login profile without a password, so the root e-mail owner can reset it',
        },
  change: (api) => api.create(),
  async verify(api) {
    if (!(await api.exists())) {
      throw new RunbookError('VerifyFailed', 'the root login profile is still missing after CreateLoginProfile');
    }
    return { resource: 'root user', snapshot: PRESENT };
  },
  details: (before, after) => ({
    loginProfile: after === null ? before.snapshot === PRESENT : true,
    next:
      after === null
        ? null
        : 'the owner of the root e-mail address signs in with "Forgot password" to set a new one (MFA is not restored)',
  }),
};
