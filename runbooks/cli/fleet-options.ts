/** Options shared by the fleet commands (account selection, concurrency), parsed before any AWS call. */
import type { OptionsConfig, ParsedValues } from './options';
import { badValue, optionalString } from '../engine/validate';
import { parseSelection, type FleetScope } from '../fleet/accounts';
import { DEFAULT_CONCURRENCY } from '../fleet/audit';

/** More in flight than this only earns throttling from STS and IAM. */
const MAX_CONCURRENCY = 256;

export const SELECTION_OPTIONS = {
  accounts: { type: 'string' },
  ou: { type: 'string' },
  all: { type: 'boolean' },
  concurrency: { type: 'string' },
} as const satisfies OptionsConfig;

export const SELECTION_USAGE = `Accounts (exactly one):
  --accounts <id,id,…>     these member accounts
  --ou <ou-id,ou-id,…>     every account in these OUs and their child OUs (a root id r-… works too)
  --all                    every account of the organization
  --concurrency <n>        accounts worked on at once, 1..${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
The management account and accounts that are not ACTIVE are listed with the reason, never assumed.`;

export function parseFleetOptions(values: ParsedValues): FleetScope {
  const selection = parseSelection({
    accounts: optionalString(values, 'accounts'),
    ou: optionalString(values, 'ou'),
    all: values.all === true,
  });
  const raw = optionalString(values, 'concurrency');
  if (raw === undefined) return { selection, concurrency: DEFAULT_CONCURRENCY };
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_CONCURRENCY) {
    throw badValue('--concurrency', raw, `a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  return { selection, concurrency: n };
}
