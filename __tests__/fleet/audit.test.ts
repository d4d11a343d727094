import { auditAccount, hasRootCredentials, runAudit, type AccountAudit } from '../../runbooks/fleet/audit';
import { auditRenderer, csvField } from '../../runbooks/fleet/report';
import { fakeFleet } from './fakes';

const A = '222222222222';
const B = '333333333333';
const C = '444444444444';

describe('auditAccount', () => {
  it('assumes root once with the audit task and reads everything the root user holds', async () => {
    const fleet = fakeFleet({
      [A]: { loginProfile: true, keys: ['AKIA1', 'AKIA2'], mfa: ['arn:mfa/root'], certs: ['C1'] },
    });
    const audit = await auditAccount(fleet, { id: A, name: 'a', state: 'ACTIVE' });
    expect(fleet.assumed).toEqual([{ account: A, task: 'audit' }]);
    expect(fleet.calls.map((c) => c.action).sort()).toEqual([
      'GetAccessKeyLastUsed',
      'GetAccessKeyLastUsed',
      'GetAccountSummary',
      'GetLoginProfile',
      'ListAccessKeys',
      'ListMFADevices',
      'ListSigningCertificates',
    ]);
    expect(audit).toMatchObject({
      account: A,
      status: 'audited',
      loginProfile: { createDate: '1970-01-01T00:00:00.000Z' },
      accessKeys: [
        { accessKeyId: 'AKIA1', status: 'Active', lastUsed: { service: 's3', region: 'us-east-1' } },
        { accessKeyId: 'AKIA2' },
      ],
      mfaDevices: [{ serialNumber: 'arn:mfa/root' }],
      signingCertificates: [{ certificateId: 'C1', status: 'Active' }],
      error: null,
    });
    expect(hasRootCredentials(audit)).toBe(true);
  });

  it('reports a missing login profile (NoSuchEntity) as none, and the account as clean', async () => {
    const fleet = fakeFleet({ [A]: {} });
    const audit = await auditAccount(fleet, { id: A, state: 'ACTIVE' });
    expect(audit).toMatchObject({ status: 'audited', loginProfile: null, accessKeys: [], mfaDevices: [] });
    expect(hasRootCredentials(audit)).toBe(false);
  });

  it('reads a clean account with GetLoginProfile and GetAccountSummary only, and lists only what the summary reports', async () => {
    const fleet = fakeFleet({ [A]: {}, [B]: { keys: ['AKIA1'] }, [C]: { certs: ['C1'], mfa: ['arn:mfa/root'] } });
    await auditAccount(fleet, { id: A, state: 'ACTIVE' });
    await auditAccount(fleet, { id: B, state: 'ACTIVE' });
    const audited = await auditAccount(fleet, { id: C, state: 'ACTIVE' });
    const callsOf = (account: string) =>
      fleet.calls
        .filter((c) => c.account === account)
        .map((c) => c.action)
        .sort();
    expect(callsOf(A)).toEqual(['GetAccountSummary', 'GetLoginProfile']);
    expect(callsOf(B)).toEqual(['GetAccessKeyLastUsed', 'GetAccountSummary', 'GetLoginProfile', 'ListAccessKeys']);
    expect(callsOf(C)).toEqual(['GetAccountSummary', 'GetLoginProfile', 'ListMFADevices', 'ListSigningCertificates']);
    expect(audited).toMatchObject({
      mfaDevices: [{ serialNumber: 'arn:mfa/root' }],
      signingCertificates: [{ certificateId: 'C1' }],
      accessKeys: [],
      summary: { mfaEnabled: 1, accessKeysPresent: 0, signingCertificatesPresent: 1 },
    });
  });

  it('lists a kind the summary does not report at all, rather than assume it absent', async () => {
    const fleet = fakeFleet({ [A]: { certs: ['C1'] } });
    fleet.summary({ AccountSigningCertificatesPresent: undefined, AccountMFAEnabled: undefined });
    const audit = await auditAccount(fleet, { id: A, state: 'ACTIVE' });
    expect(fleet.calls.map((c) => c.action).sort()).toEqual([
      'GetAccountSummary',
      'GetLoginProfile',
      'ListMFADevices',
      'ListSigningCertificates',
    ]);
    expect(audit).toMatchObject({ status: 'audited', signingCertificates: [{ certificateId: 'C1' }] });
  });

  it('skips GetAccessKeyLastUsed when asked for ids only (a deletion plan)', async () => {
    const fleet = fakeFleet({ [A]: { keys: ['AKIA1'] } });
    const audit = await auditAccount({ ...fleet, keyLastUsed: false }, { id: A, state: 'ACTIVE' });
    expect(fleet.calls.map((c) => c.action)).not.toContain('GetAccessKeyLastUsed');
    expect(audit).toMatchObject({ accessKeys: [{ accessKeyId: 'AKIA1', lastUsed: null }] });
  });

  it('does not assume a skipped account, and leaves its credentials unknown (null), not empty', async () => {
    const fleet = fakeFleet({});
    const audit = await auditAccount(fleet, { id: A, skip: 'management account' });
    expect(fleet.assumed).toEqual([]);
    expect(audit).toMatchObject({ status: 'skipped', skipped: 'management account', accessKeys: null });
  });

  it('re-assumes once when the session expires mid-account, then succeeds', async () => {
    const fleet = fakeFleet({ [A]: { keys: ['AKIA1'] } });
    fleet.failNext(A, 'ListAccessKeys', 'ExpiredToken');
    const audit = await auditAccount(fleet, { id: A, state: 'ACTIVE' });
    expect(fleet.assumed).toHaveLength(2);
    expect(audit).toMatchObject({ status: 'audited', accessKeys: [{ accessKeyId: 'AKIA1' }] });
  });

  it('fails the account (not the run) on any other error, with its code', async () => {
    const fleet = fakeFleet({ [A]: {} });
    fleet.failNext(A, 'GetAccountSummary', 'AccessDenied');
    const audit = await auditAccount(fleet, { id: A, state: 'ACTIVE' });
    expect(fleet.assumed).toHaveLength(1);
    expect(audit).toMatchObject({ status: 'failed', error: { code: 'AccessDenied' }, accessKeys: null });
    expect(hasRootCredentials(audit)).toBe(false);
  });
});

describe('runAudit', () => {
  it('streams every account to the sink in input order; one failing account never stops the others', async () => {
    const fleet = fakeFleet({ [A]: { keys: ['K'] }, [B]: {}, [C]: { certs: ['X'] } });
    fleet.failNext(B, 'AssumeRoot', 'AccessDenied');
    const seen: AccountAudit[] = [];
    const totals = await runAudit({
      ...fleet,
      accounts: [
        { id: A, state: 'ACTIVE' },
        { id: B, state: 'ACTIVE' },
        { id: '111111111111', skip: 'mgmt' },
        { id: C, state: 'ACTIVE' },
      ],
      concurrency: 3,
      sink: (a) => void seen.push(a),
    });
    expect(seen.map((a) => [a.account, a.status])).toEqual([
      [A, 'audited'],
      [B, 'failed'],
      ['111111111111', 'skipped'],
      [C, 'audited'],
    ]);
    expect(totals).toEqual({ accounts: 4, audited: 2, skipped: 1, failed: 1, withRootCredentials: 2 });
  });
});

describe('audit renderers', () => {
  const rows: AccountAudit[] = [
    {
      account: A,
      name: 'prod, "eu"',
      status: 'audited',
      skipped: null,
      loginProfile: { createDate: null },
      accessKeys: [{ accessKeyId: 'K1', status: 'Active', createDate: null, lastUsed: null }],
      mfaDevices: [],
      signingCertificates: [],
      summary: null,
      error: null,
    },
    {
      account: B,
      name: null,
      status: 'failed',
      skipped: null,
      loginProfile: null,
      accessKeys: null,
      mfaDevices: null,
      signingCertificates: null,
      summary: null,
      error: { code: 'AccessDenied', message: 'no' },
    },
  ];
  const render = async (format: 'json' | 'csv' | 'table', input: AccountAudit[]) => {
    let out = '';
    const renderer = auditRenderer(format, (text) => void (out += text));
    for (const row of input) await renderer.row(row);
    await renderer.end();
    return out;
  };

  it('writes a JSON array incrementally that parses back to the rows', async () => {
    expect(JSON.parse(await render('json', rows))).toEqual(rows);
    expect(JSON.parse(await render('json', []))).toEqual([]);
  });

  it('writes CSV with quoting and unknown values left empty', async () => {
    const lines = (await render('csv', rows)).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^account,name,status,root_credentials,login_profile,access_keys,/);
    expect(lines[1]).toBe(`${A},"prod, ""eu""",audited,true,true,1,K1,0,,0,,,`);
    expect(lines[2]).toBe(`${B},,failed,,,,,,,,,,AccessDenied: no`);
    expect(csvField('=cmd()')).toBe("'=cmd()");
  });

  it('writes a table with a header and one line per account', async () => {
    const lines = (await render('table', rows)).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/ROOT CREDENTIALS PRESENT$/);
    expect(lines[2]).toMatch(/FAILED: AccessDenied: no$/);
  });
});
