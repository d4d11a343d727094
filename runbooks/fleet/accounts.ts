import type {
  DescribeAccountCommandInput,
  DescribeAccountCommandOutput,
  ListAccountsCommandInput,
  ListAccountsCommandOutput,
  ListAccountsForParentCommandInput,
  ListAccountsForParentCommandOutput,
  ListOrganizationalUnitsForParentCommandInput,
  ListOrganizationalUnitsForParentCommandOutput,
} from '@aws-sdk/client-organizations';
import { badInput, type RunbookError } from '../engine/errors';
import { badValue } from '../engine/validate';
import { runPool } from '../lib/pool';

/** The Organizations reads that account selection needs; the real client or a fake satisfies it. */
export interface OrgAccountsReader {
  /** The organization's id and management account (DescribeOrganization's Id and MasterAccountId). */
  organization(): Promise<{ readonly id: string | null; readonly managementAccountId: string }>;
  describeAccount(input: DescribeAccountCommandInput): Promise<DescribeAccountCommandOutput>;
  listAccounts(input: ListAccountsCommandInput): Promise<ListAccountsCommandOutput>;
  listAccountsForParent(input: ListAccountsForParentCommandInput): Promise<ListAccountsForParentCommandOutput>;
  listOrganizationalUnitsForParent(
    input: ListOrganizationalUnitsForParentCommandInput,
  ): Promise<ListOrganizationalUnitsForParentCommandOutput>;
}

/** `ou`: one or more OU (or root) ids, each taken with its child OUs. */
export type AccountSelection = { accounts: string[] } | { ou: string[] } | { all: true };

/** Which accounts a fleet run works on, and how many at once. */
export interface FleetScope {
  readonly selection: AccountSelection;
  readonly concurrency: number;
}

/** One account of the fleet. `skip` says why it is listed but not assumed. */
export interface FleetAccount {
  id: string;
  name?: string;
  state?: string;
  skip?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;

/** Parses the mutually exclusive --accounts / --ou / --all flags into a selection, or refuses with exit 2. */
export function parseSelection(flags: { accounts?: string; ou?: string; all?: boolean }): AccountSelection {
  const given = [flags.accounts !== undefined, flags.ou !== undefined, flags.all === true].filter(Boolean).length;
  if (given !== 1) {
    throw badInput(
      given === 0 ? 'No accounts selected.' : 'Choose only one of --accounts, --ou and --all.',
      'Use exactly one of --accounts <id,id,…>, --ou <ou-id,…> or --all.',
    );
  }
  if (flags.accounts !== undefined) {
    const allowed = 'a comma-separated list of 12-digit account ids';
    // Spaces around the commas are how people write lists; any other whitespace is a paste gone wrong.
    const ids = flags.accounts
      .split(',')
      .map((id) => id.replace(/^ +| +$/g, ''))
      .filter((id) => id !== '');
    if (ids.length === 0) throw badValue('--accounts', flags.accounts, allowed);
    const bad = ids.find((id) => !ACCOUNT_ID.test(id));
    if (bad !== undefined) throw badValue('--accounts', bad, allowed, 'account ids are exactly 12 digits');
    return { accounts: [...new Set(ids)] };
  }
  if (flags.ou !== undefined) {
    const allowed = 'a comma-separated list of OU ids such as ou-ab12-cd34ef56 (or root ids such as r-ab12)';
    const ids = flags.ou
      .split(',')
      .map((id) => id.replace(/^ +| +$/g, ''))
      .filter((id) => id !== '');
    if (ids.length === 0) throw badValue('--ou', flags.ou, allowed);
    const bad = ids.find((id) => !OU_ID.test(id) && !ROOT_ID.test(id));
    if (bad !== undefined) {
      throw badValue('--ou', bad, allowed);
    }
    return { ou: [...new Set(ids)] };
  }
  return { all: true };
}

/** The selection in words, for the audit trail's intent record. */
export function describeSelection(selection: AccountSelection): string {
  if ('accounts' in selection) {
    const shown = selection.accounts.slice(0, 5).join(', ');
    return `accounts ${shown}${selection.accounts.length > 5 ? ` and ${selection.accounts.length - 5} more` : ''}`;
  }
  return 'ou' in selection ? `the accounts of ${selection.ou.join(', ')}` : 'every account of the organization';
}

/** The reason an account is listed but not assumed, or undefined when it can be audited. */
export function skipReason(account: { id: string; state?: string }, managementAccountId: string): string | undefined {
  if (account.id === managementAccountId) {
    return 'management account: AssumeRoot cannot target it; manage its root user directly';
  }
  if (account.state !== 'ACTIVE') return `account state is ${account.state ?? 'unknown'}, not ACTIVE`;
  return undefined;
}

/**
 * For commands that change accounts, an explicitly named management account is bad input (exit 2), refused
 * before any change. AssumeRoot reaches only member accounts, so naming it can only be a mistake, and skipping it
 * silently would let the run look successful. (audit lists it as skipped instead; --ou and --all skip it too.)
 */
function managementAccountNamed(management: string): RunbookError {
  return badInput(
    `--accounts names the management account "${management}": AssumeRoot reaches only member accounts.`,
    "Give member account ids only; manage the management account's root user directly (sign in as root).",
  );
}

function notMembers(ids: string[]): RunbookError {
  const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? `, … (${ids.length} in all)` : '');
  return badInput(
    `--accounts names ${ids.length === 1 ? 'an account' : 'accounts'} outside the organization: ${shown}`,
    'give member account ids of this organization (aws organizations list-accounts); nothing was assumed',
  );
}

/** `State` replaced the retired `Status`; read State and fall back to Status for older APIs and emulators. */
function stateOf(account: { State?: string; Status?: string }): string | undefined {
  return account.State ?? account.Status;
}

type OrgAccount = NonNullable<ListAccountsCommandOutput['Accounts']>[number];

function toFleetAccount(account: OrgAccount, managementAccountId: string): FleetAccount {
  const id = account.Id ?? '';
  const state = stateOf(account);
  return { id, name: account.Name, state, skip: skipReason({ id, state }, managementAccountId) };
}

/**
 * Pages of a listing, the next one requested as soon as the current one arrives: the run works on a page's accounts
 * while the next page is on its way, instead of stalling every account for a round trip once a page is used up.
 */
async function* prefetched<P extends { NextToken?: string }>(
  list: (NextToken?: string) => Promise<P>,
): AsyncGenerator<P> {
  let next: Promise<P> | undefined = list(undefined);
  while (next) {
    const page: P = await next;
    next = page.NextToken ? list(page.NextToken) : undefined;
    // If the run stops before it reads this page, its failure must not surface as an unhandled rejection.
    next?.catch(() => undefined);
    yield page;
  }
}

/**
 * Streams the selected accounts, page by page, so a fleet run can start auditing before the listing ends.
 * Explicit ids are described (bounded concurrency, input order kept); an id outside the organization is bad
 * input (exit 2), refused before any account is yielded.
 */
export async function* selectAccounts(
  org: OrgAccountsReader,
  selection: AccountSelection,
  options: { concurrency?: number; refuseManagementAccount?: boolean } = {},
): AsyncGenerator<FleetAccount> {
  const management = (await org.organization()).managementAccountId;

  if ('accounts' in selection) {
    if (options.refuseManagementAccount && selection.accounts.includes(management)) {
      throw managementAccountNamed(management);
    }
    const described: FleetAccount[] = [];
    const outsiders: string[] = [];
    await runPool(
      selection.accounts,
      async (id) => {
        try {
          const { Account } = await org.describeAccount({ AccountId: id });
          return Account ? toFleetAccount(Account, management) : undefined;
        } catch (error) {
          if ((error as { name?: string }).name === 'AccountNotFoundException') return undefined;
          throw error;
        }
      },
      {
        concurrency: options.concurrency ?? 8,
        order: 'input',
        emit: (account, index) =>
          void (account === undefined ? outsiders.push(selection.accounts[index]) : described.push(account)),
      },
    );
    // Every id is resolved before the first account is yielded (and so before any AssumeRoot): a typo in one id
    // refuses the run, instead of passing as "0 of 0 accounts verified clean".
    if (outsiders.length > 0) throw notMembers(outsiders);
    yield* described;
    return;
  }

  if ('all' in selection) {
    for await (const page of prefetched((NextToken) => org.listAccounts({ NextToken }))) {
      for (const account of page.Accounts ?? []) yield toFleetAccount(account, management);
    }
    return;
  }

  const accountsPage = (ParentId: string, NextToken?: string) =>
    org.listAccountsForParent({ ParentId, NextToken }).catch((error: unknown) => {
      if ((error as { name?: string }).name !== 'ParentNotFoundException') throw error;
      throw badInput(
        `OU "${ParentId}" was not found in the organization.`,
        'List OUs with `aws organizations list-organizational-units-for-parent`.',
      );
    });
  // Every given OU is read before the first account is yielded (and so before any AssumeRoot): a typo in the last
  // of several OUs refuses the run instead of stopping it halfway. Their first pages are kept for the walk.
  const firstPages = new Map<string, ListAccountsForParentCommandOutput>();
  await runPool(selection.ou, (id) => accountsPage(id), {
    concurrency: options.concurrency ?? 8,
    order: 'input',
    emit: (page, index) => void firstPages.set(selection.ou[index], page),
  });

  // Depth-first through the OU trees, in the order given; the stack holds parent ids only, never accounts. An OU
  // reached twice (given with one of its ancestors) is listed once.
  const parents = [...selection.ou].reverse();
  const visited = new Set<string>();
  while (parents.length > 0) {
    const ParentId = parents.pop() as string;
    if (visited.has(ParentId)) continue;
    visited.add(ParentId);
    const first = firstPages.get(ParentId);
    const pages = prefetched((NextToken) =>
      NextToken === undefined && first !== undefined ? Promise.resolve(first) : accountsPage(ParentId, NextToken),
    );
    for await (const page of pages) {
      for (const account of page.Accounts ?? []) yield toFleetAccount(account, management);
    }
    const children: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await org.listOrganizationalUnitsForParent({ ParentId, NextToken });
      for (const ou of page.OrganizationalUnits ?? []) if (ou.Id) children.push(ou.Id);
      NextToken = page.NextToken;
    } while (NextToken);
    parents.push(...children.reverse());
  }
}
