/**
 * A virtual MFA device deactivated by a run that crashed before deleting it is invisible to the audit
 * (ListMFADevices lists assigned devices only); the deletion records must carry its serial to the next run, and a
 * confirmation must stop later runs from deleting it again. Also: naming the management account is bad input.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectAccounts, type AccountSelection, type OrgAccountsReader } from '../../runbooks/fleet/accounts';
import { auditAccount } from '../../runbooks/fleet/audit';
import { deleteAccountCredentials, planFromAudit, withPendingMfa, CREDENTIAL_KINDS } from '../../runbooks/fleet/delete';
import { pendingMfaSerials, writeMfaConfirmation } from '../../runbooks/fleet/mfa-pending';
import { RunbookError } from '../../runbooks/engine/errors';
import { fakeFleet } from './fakes';

const A = '222222222222';
const B = '333333333333';
const ALL = [...CREDENTIAL_KINDS];
const none = { loginProfile: false, accessKeys: [], mfaDevices: [], signingCertificates: [] };

/** A deletion record as the command writes it (the crash test checks the real one end to end). */
function recordIn(dir: string, takenAt: string, mfa: Record<string, string[]>): void {
  const record = {
    runbook: 'delete-root-credentials',
    takenAt,
    callerArn: null,
    only: ALL,
    accounts: Object.entries(mfa).map(([account, mfaDevices]) => ({
      account,
      name: null,
      exists: null,
      delete: { ...none, mfaDevices },
    })),
  };
  writeFileSync(
    join(dir, `${takenAt.replace(/[:.]/g, '-')}-delete-root-credentials-abc123.json`),
    JSON.stringify(record),
  );
}

describe('pendingMfaSerials', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'mfa-pending-'));

  it('names recorded serials until a confirmation from the same run or later covers them', () => {
    const backups = dir();
    expect(pendingMfaSerials(join(backups, 'missing'))).toEqual(new Map());
    recordIn(backups, '2026-11-22T05:00:00.000Z', { [A]: ['M1'], [B]: [] });
    // Not a deletion record: an s3 backup and a half-written file are ignored.
    writeFileSync(join(backups, 'x-s3-unlock-222222222222-bucket-abc.json'), '{"accounts": [{"account": "x"}]}');
    writeFileSync(join(backups, 'x-delete-root-credentials-bad.json'), '{"runbook": "delete-root-cred');
    expect(pendingMfaSerials(backups)).toEqual(new Map([[A, ['M1']]]));

    const confirmed = writeMfaConfirmation(backups, '2026-11-22T05:00:00.000Z', [
      { account: A, deleted: { mfaDevices: ['M1'] } },
    ]);
    expect(confirmed).toMatch(/delete-root-credentials-mfa-deleted/);
    expect(pendingMfaSerials(backups)).toEqual(new Map());

    // A later run planned a device of the same name again (re-enrolled): the older confirmation does not cover it.
    recordIn(backups, '2026-11-22T06:00:00.000Z', { [A]: ['M1'] });
    expect(pendingMfaSerials(backups)).toEqual(new Map([[A, ['M1']]]));
  });

  it('writes no confirmation when no MFA device went', () => {
    const backups = dir();
    expect(writeMfaConfirmation(backups, '2026-11-22T05:00:00.000Z', [{ account: A, deleted: none }])).toBeNull();
    expect(readdirSync(backups)).toEqual([]);
  });
});

describe('withPendingMfa', () => {
  it('adds a recorded serial the audit cannot see, turning "nothing" into a delete; never plans failed audits', async () => {
    const fleet = fakeFleet({ [A]: {} });
    const plan = planFromAudit(await auditAccount(fleet, { id: A, state: 'ACTIVE' }), ALL);
    expect(plan.status).toBe('nothing');
    expect(withPendingMfa(plan, [])).toBe(plan);
    expect(withPendingMfa(plan, ['M1'])).toMatchObject({ status: 'delete', delete: { ...none, mfaDevices: ['M1'] } });
    fleet.failNext(A, 'GetLoginProfile', 'AccessDenied');
    const failed = planFromAudit(await auditAccount(fleet, { id: A, state: 'ACTIVE' }), ALL);
    expect(withPendingMfa(failed, ['M1'])).toMatchObject({ status: 'failed', delete: null });
  });

  it('deleting an already deactivated device: DeleteVirtualMFADevice confirms it, an unconfirmed one remains', async () => {
    // After a crash M1 is deactivated, so DeactivateMFADevice answers NoSuchEntity (the fake keeps one device list,
    // so it still lists M1; a real audit would not, which is what the plan's `exists` says below).
    const listed = {
      account: A,
      name: null,
      exists: { ...none, mfaDevices: ['M1'] },
      delete: { ...none, mfaDevices: ['M1'] },
    };
    const plan = { ...listed, exists: none };
    const fleet = fakeFleet({ [A]: { mfa: ['M1'] } });
    fleet.failNext(A, 'DeactivateMFADevice', 'NoSuchEntity');
    expect(await deleteAccountCredentials(fleet, listed, ALL)).toMatchObject({
      status: 'clean',
      deleted: { mfaDevices: ['M1'] },
      remaining: none,
    });
    expect(fleet.calls.map((c) => c.action)).toContain('DeleteVirtualMFADevice');

    const failing = fakeFleet({ [A]: {} });
    failing.failNext(A, 'DeleteVirtualMFADevice', 'AccessDenied');
    expect(await deleteAccountCredentials(failing, plan, ALL)).toMatchObject({
      status: 'failed',
      remaining: { mfaDevices: ['M1'] },
    });
  });
});

describe('selectAccounts for a command that changes accounts', () => {
  const org = {
    organization: async () => ({ id: 'o-test', managementAccountId: '111111111111' }),
    describeAccount: async ({ AccountId }: { AccountId: string }) => ({
      Account: { Id: AccountId, State: 'ACTIVE' },
      $metadata: {},
    }),
    listAccounts: async () => ({ Accounts: [{ Id: '111111111111', State: 'ACTIVE' }], $metadata: {} }),
    listAccountsForParent: async () => ({ Accounts: [{ Id: A, State: 'ACTIVE' }], $metadata: {} }),
    listOrganizationalUnitsForParent: async () => ({ OrganizationalUnits: [], $metadata: {} }),
  } as unknown as OrgAccountsReader;

  async function ids(selection: AccountSelection): Promise<string[]> {
    const seen: string[] = [];
    for await (const account of selectAccounts(org, selection, { refuseManagementAccount: true }))
      seen.push(account.id);
    return seen;
  }

  it('refuses an explicitly named management account with exit 2, naming it and why', async () => {
    await expect(ids({ accounts: [A, '111111111111'] })).rejects.toBeInstanceOf(RunbookError);
    await expect(ids({ accounts: ['111111111111'] })).rejects.toMatchObject({
      code: 'BadInput',
      message: expect.stringMatching(/"111111111111".*AssumeRoot reaches only member accounts/),
    });
  });

  it('accepts member accounts, --ou and --all (those list the management account as skipped)', async () => {
    await expect(ids({ accounts: [A, B] })).resolves.toEqual([A, B]);
    await expect(ids({ all: true })).resolves.toEqual(['111111111111']);
    await expect(ids({ ou: ['r-root'] })).resolves.toEqual([A]);
  });
});
