import { auditAccount } from '../../runbooks/fleet/audit';
import { deleteAccountCredentials, parseOnly, planFromAudit, CREDENTIAL_KINDS } from '../../runbooks/fleet/delete';
import { fakeFleet } from './fakes';

const A = '222222222222';
const ALL = [...CREDENTIAL_KINDS];

describe('parseOnly', () => {
  it('defaults to every kind and keeps a canonical order', () => {
    expect(parseOnly(undefined)).toEqual(ALL);
    expect(parseOnly('mfa,login-profile')).toEqual(['login-profile', 'mfa']);
  });
  it.each(['', ',', 'keys', 'access-keys,password'])('refuses %j naming the bad value', (value) => {
    expect(() => parseOnly(value)).toThrow(/--only/);
  });
});

describe('planFromAudit', () => {
  it('plans only the chosen kinds, and never plans "nothing" for a failed audit', async () => {
    const fleet = fakeFleet({ [A]: { loginProfile: true, keys: ['K1'], mfa: ['M1'] } });
    const audit = await auditAccount(fleet, { id: A, state: 'ACTIVE' });
    expect(planFromAudit(audit, ['access-keys'])).toMatchObject({
      status: 'delete',
      exists: { loginProfile: true, accessKeys: ['K1'], mfaDevices: ['M1'], signingCertificates: [] },
      delete: { loginProfile: false, accessKeys: ['K1'], mfaDevices: [], signingCertificates: [] },
    });
    expect(planFromAudit(audit, ['signing-certificates']).status).toBe('nothing');
    fleet.failNext(A, 'GetLoginProfile', 'AccessDenied');
    const failed = planFromAudit(await auditAccount(fleet, { id: A, state: 'ACTIVE' }), ALL);
    expect(failed).toMatchObject({ status: 'failed', delete: null, error: { code: 'AccessDenied' } });
  });
});

describe('deleteAccountCredentials', () => {
  const everything = { loginProfile: true, accessKeys: ['K1', 'K2'], mfaDevices: ['M1'], signingCertificates: ['C1'] };
  const plan = { account: A, name: null, exists: everything, delete: everything };

  it('deletes with the delete task, deactivates MFA before deleting it, and verifies nothing remains', async () => {
    const fleet = fakeFleet({ [A]: { loginProfile: true, keys: ['K1', 'K2'], mfa: ['M1'], certs: ['C1'] } });
    const result = await deleteAccountCredentials(fleet, plan, ALL);
    expect(fleet.assumed).toEqual([{ account: A, task: 'delete-credentials' }]);
    expect(result).toMatchObject({ status: 'clean', deleted: plan.delete, error: null });
    const actions = fleet.calls.map((c) => c.action);
    expect(actions.indexOf('DeactivateMFADevice')).toBeLessThan(actions.indexOf('DeleteVirtualMFADevice'));
    expect(fleet.roots.get(A)).toEqual({ loginProfile: false, keys: [], mfa: [], certs: [] });
  });

  it('records the change after the re-read and before the first delete', async () => {
    const fleet = fakeFleet({ [A]: { loginProfile: true, keys: ['K1', 'K2'], mfa: ['M1'], certs: ['C1'] } });
    const order: string[] = [];
    const beforeDeletes = async (account: string, key: string) => {
      order.push(`record ${account} ${key.length > 0}`, ...fleet.calls.map((c) => c.action));
    };
    await deleteAccountCredentials({ ...fleet, beforeDeletes }, plan, ALL);
    expect(order[0]).toBe(`record ${A} true`);
    expect(order.slice(1).filter((action) => action.startsWith('Delete') || action.startsWith('Deactivate'))).toEqual(
      [],
    );
    expect(order.slice(1)).toContain('ListAccessKeys');
  });

  it.each([
    ['went', {}],
    ['appeared', { loginProfile: true, keys: ['K1', 'K2', 'K3'], mfa: ['M1'], certs: ['C1'] }],
  ])('deletes nothing and reports changed-since-plan when credentials %s since the plan', async (_how, now) => {
    const fleet = fakeFleet({ [A]: now });
    const recorded: string[] = [];
    const result = await deleteAccountCredentials(
      { ...fleet, beforeDeletes: async (account) => void recorded.push(account) },
      plan,
      ALL,
    );
    expect(result).toMatchObject({ status: 'changed-since-plan', error: { code: 'ChangedSincePlan' } });
    expect(result.deleted).toEqual({ loginProfile: false, accessKeys: [], mfaDevices: [], signingCertificates: [] });
    expect(fleet.calls.filter((c) => /^(Delete|Deactivate)/.test(c.action))).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('ignores a change of a kind --only leaves alone', async () => {
    const fleet = fakeFleet({ [A]: { keys: ['K1'], mfa: ['M-NEW'] } });
    const keys = { loginProfile: false, accessKeys: ['K1'], mfaDevices: [], signingCertificates: [] };
    const result = await deleteAccountCredentials(fleet, { account: A, name: null, exists: keys, delete: keys }, [
      'access-keys',
    ]);
    expect(result).toMatchObject({ status: 'clean', deleted: { accessKeys: ['K1'] } });
  });

  it('re-assumes after an expired session and repeats safely', async () => {
    const fleet = fakeFleet({ [A]: { loginProfile: true, keys: ['K1', 'K2'], mfa: ['M1'], certs: ['C1'] } });
    fleet.failNext(A, 'DeleteSigningCertificate', 'ExpiredToken');
    const result = await deleteAccountCredentials(fleet, plan, ALL);
    expect(fleet.assumed).toHaveLength(2);
    expect(result).toMatchObject({ status: 'clean', deleted: plan.delete });
  });

  it('reports a failed delete with what remains, never clean', async () => {
    const fleet = fakeFleet({ [A]: { loginProfile: true, keys: ['K1', 'K2'], mfa: ['M1'], certs: ['C1'] } });
    fleet.failNext(A, 'DeleteAccessKey', 'AccessDenied');
    const result = await deleteAccountCredentials(fleet, plan, ALL);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'AccessDenied' });
    expect(result.remaining?.accessKeys).toHaveLength(1);
  });

  it('reports credentials the plan leaves alone as remaining, never clean', async () => {
    const fleet = fakeFleet({ [A]: { keys: ['K1', 'K2', 'K3'] } });
    const exists = { loginProfile: false, accessKeys: ['K1', 'K2', 'K3'], mfaDevices: [], signingCertificates: [] };
    const result = await deleteAccountCredentials(
      fleet,
      { account: A, name: null, exists, delete: { ...exists, accessKeys: ['K1', 'K2'] } },
      ALL,
    );
    expect(result).toMatchObject({ status: 'remaining', remaining: { accessKeys: ['K3'] } });
  });
});
