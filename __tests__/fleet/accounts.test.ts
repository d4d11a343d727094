import type { Account } from '@aws-sdk/client-organizations';
import { parseSelection, selectAccounts, type OrgAccountsReader } from '../../runbooks/fleet/accounts';
import { RunbookError } from '../../runbooks/engine/errors';

type Acct = { Id: string; Name: string; State?: string; Status?: string; parent: string };

/** A fake organization with paging (2 per page) and an OU tree: r-root > ou-a > ou-a-child, r-root > ou-b. */
function fakeOrg(accounts: Acct[], management = '111111111111'): OrgAccountsReader {
  const ous: Record<string, string[]> = {
    'r-root': ['ou-root-aaaaaaaa', 'ou-root-bbbbbbbb'],
    'ou-root-aaaaaaaa': ['ou-root-cccccccc'],
  };
  const page = <T>(items: T[], token?: string) => {
    const start = token ? Number(token) : 0;
    const next = start + 2 < items.length ? String(start + 2) : undefined;
    return { slice: items.slice(start, start + 2), next };
  };
  const strip = ({ parent: _parent, ...rest }: Acct) => rest as Account;
  return {
    organization: async () => ({ id: 'o-test', managementAccountId: management }),
    describeAccount: async ({ AccountId }) => {
      const found = accounts.find((a) => a.Id === AccountId);
      if (!found) throw Object.assign(new Error('nope'), { name: 'AccountNotFoundException' });
      return { Account: strip(found), $metadata: {} };
    },
    listAccounts: async ({ NextToken }) => {
      const { slice, next } = page(accounts, NextToken);
      return { Accounts: slice.map(strip), NextToken: next, $metadata: {} };
    },
    listAccountsForParent: async ({ ParentId, NextToken }) => {
      if (ParentId !== 'r-root' && !(ParentId! in ous) && !Object.values(ous).flat().includes(ParentId!)) {
        throw Object.assign(new Error('no parent'), { name: 'ParentNotFoundException' });
      }
      const { slice, next } = page(
        accounts.filter((a) => a.parent === ParentId),
        NextToken,
      );
      return { Accounts: slice.map(strip), NextToken: next, $metadata: {} };
    },
    listOrganizationalUnitsForParent: async ({ ParentId, NextToken }) => {
      const { slice, next } = page(ous[ParentId!] ?? [], NextToken);
      return { OrganizationalUnits: slice.map((Id) => ({ Id })), NextToken: next, $metadata: {} };
    },
  };
}

const ACCOUNTS: Acct[] = [
  { Id: '111111111111', Name: 'mgmt', State: 'ACTIVE', parent: 'r-root' },
  { Id: '222222222222', Name: 'a1', State: 'ACTIVE', parent: 'ou-root-aaaaaaaa' },
  { Id: '333333333333', Name: 'a2', State: 'SUSPENDED', parent: 'ou-root-aaaaaaaa' },
  { Id: '444444444444', Name: 'c1', Status: 'ACTIVE', parent: 'ou-root-cccccccc' },
  { Id: '555555555555', Name: 'b1', State: 'ACTIVE', parent: 'ou-root-bbbbbbbb' },
  { Id: '666666666666', Name: 'c2', State: 'PENDING_CLOSURE', Status: 'ACTIVE', parent: 'ou-root-cccccccc' },
];

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('parseSelection', () => {
  it.each([
    [{}, /No accounts selected/],
    [{ accounts: '222222222222', all: true }, /only one/],
    [{ accounts: '' }, /--accounts "": expected a comma-separated list/],
    [{ accounts: ' , ,' }, /--accounts " , ,": expected a comma-separated list/],
    [{ accounts: '222222222222,\t333333333333' }, /"\\u0009333333333333"/],
    [{ accounts: '222222222222\n' }, /"222222222222\\u000a"/],
    [{ accounts: '222222222222,12345' }, /"12345"/],
    [{ accounts: '22222222222a' }, /"22222222222a"/],
    [{ ou: 'ou-bad' }, /"ou-bad"/],
    [{ ou: 'ou-root-aaaaaaaa,ou-bad' }, /"ou-bad"/],
    [{ ou: ' , ' }, /--ou " , ": expected a comma-separated list of OU ids/],
  ])('refuses %j with exit 2', (flags, message) => {
    const fail = () => parseSelection(flags);
    expect(fail).toThrow(RunbookError);
    expect(fail).toThrow(message);
    try {
      fail();
    } catch (error) {
      expect((error as RunbookError).exitCode).toBe(2);
    }
  });

  it('dedupes explicit ids and accepts OU, root and --all', () => {
    expect(parseSelection({ accounts: '222222222222, 333333333333,222222222222' })).toEqual({
      accounts: ['222222222222', '333333333333'],
    });
    expect(parseSelection({ ou: 'ou-root-aaaaaaaa' })).toEqual({ ou: ['ou-root-aaaaaaaa'] });
    expect(parseSelection({ ou: 'r-root' })).toEqual({ ou: ['r-root'] });
    expect(parseSelection({ ou: 'ou-root-aaaaaaaa, ou-root-bbbbbbbb,ou-root-aaaaaaaa' })).toEqual({
      ou: ['ou-root-aaaaaaaa', 'ou-root-bbbbbbbb'],
    });
    expect(parseSelection({ all: true })).toEqual({ all: true });
  });
});

describe('selectAccounts', () => {
  it('--all lists every account across pages and says why the management and non-ACTIVE ones are skipped', async () => {
    const out = await collect(selectAccounts(fakeOrg(ACCOUNTS), { all: true }));
    expect(out.map((a) => a.id)).toEqual(ACCOUNTS.map((a) => a.Id));
    const skips = Object.fromEntries(out.map((a) => [a.id, a.skip]));
    expect(skips['111111111111']).toMatch(/management account/);
    expect(skips['333333333333']).toMatch(/SUSPENDED/);
    expect(skips['222222222222']).toBeUndefined();
    // Status is the fallback only: State wins where both exist.
    expect(skips['444444444444']).toBeUndefined();
    expect(skips['666666666666']).toMatch(/PENDING_CLOSURE/);
  });

  it('asks for the next page as soon as a page arrives, before its accounts are used', async () => {
    const org = fakeOrg(ACCOUNTS);
    const tokens: (string | undefined)[] = [];
    const list = org.listAccounts.bind(org);
    org.listAccounts = (input) => {
      tokens.push(input.NextToken);
      return list(input);
    };
    const accounts = selectAccounts(org, { all: true });
    await accounts.next();
    // The first account of page one is out; page two is already requested, page three is not.
    expect(tokens).toEqual([undefined, '2']);
    await collect(accounts);
    expect(tokens).toEqual([undefined, '2', '4']);
  });

  it('--ou walks child OUs recursively', async () => {
    const out = await collect(selectAccounts(fakeOrg(ACCOUNTS), { ou: ['ou-root-aaaaaaaa'] }));
    expect(out.map((a) => a.id).sort()).toEqual(['222222222222', '333333333333', '444444444444', '666666666666']);
    const all = await collect(selectAccounts(fakeOrg(ACCOUNTS), { ou: ['r-root'] }));
    expect(all).toHaveLength(ACCOUNTS.length);
  });

  it('--ou takes several OUs, in order, and lists an OU given with its ancestor once', async () => {
    const out = await collect(selectAccounts(fakeOrg(ACCOUNTS), { ou: ['ou-root-bbbbbbbb', 'ou-root-cccccccc'] }));
    expect(out.map((a) => a.id)).toEqual(['555555555555', '444444444444', '666666666666']);
    const nested = await collect(
      selectAccounts(fakeOrg(ACCOUNTS), { ou: ['ou-root-aaaaaaaa', 'ou-root-cccccccc', 'r-root'] }),
    );
    expect(nested.map((a) => a.id).sort()).toEqual(ACCOUNTS.map((a) => a.Id).sort());
  });

  it('--ou of an unknown OU is bad input naming it', async () => {
    await expect(collect(selectAccounts(fakeOrg(ACCOUNTS), { ou: ['ou-root-zzzzzzzz'] }))).rejects.toThrow(
      /ou-root-zzzzzzzz/,
    );
  });

  it('an unknown OU after a good one is refused before the first account is yielded', async () => {
    const accounts = selectAccounts(fakeOrg(ACCOUNTS), { ou: ['ou-root-aaaaaaaa', 'ou-root-zzzzzzzz'] });
    await expect(accounts.next()).rejects.toThrow(/ou-root-zzzzzzzz/);
  });

  it('--accounts keeps the given order and lists the management account as skipped', async () => {
    const out = await collect(selectAccounts(fakeOrg(ACCOUNTS), { accounts: ['555555555555', '111111111111'] }));
    expect(out.map((a) => [a.id, a.skip ?? 'ok'])).toEqual([
      ['555555555555', 'ok'],
      ['111111111111', expect.stringMatching(/management/)],
    ]);
  });

  it('--accounts naming ids outside the organization is bad input, before any account is yielded', async () => {
    const yielded: string[] = [];
    const run = async () => {
      for await (const account of selectAccounts(fakeOrg(ACCOUNTS), {
        accounts: ['555555555555', '999999999999', '888888888888'],
      })) {
        yielded.push(account.id);
      }
    };
    await expect(run()).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('outside the organization: 999999999999, 888888888888'),
    });
    expect(yielded).toEqual([]);
  });
});
