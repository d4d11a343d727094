/**
 * One fleet audit in a process of its own, assembled as it was before issue 14 or after one of its changes, for the
 * fleet-changes benchmark: run as `node --import tsx bench/lib/audit-variant.ts '<json>'`, it prints one JSON line
 * with its wall and CPU time (measured around the audit only, so start-up is left out), its row count, failures and
 * the digest of the credentials it found (the `summary` column is left out: the before variant hides the summary's
 * flags from the audit to make it list every kind). Each variant is the product's audit core (runAudit) with other
 * ports:
 * - before: SDK clients in adaptive retry mode (the old configuration: one client-side rate limiter on the STS
 *   client every account shares), an IAM client per account, and the summary ignored, so every kind is listed (six
 *   reads of a clean account, as before);
 * - summary: the same, reading GetAccountSummary first (three calls for a clean account);
 * - pacer: the engine's SDK clients (the pacer instead of the adaptive mode), still an SDK IAM client per account;
 * - lean: the product as it ships, AssumeRoot and the root IAM calls through the engine's lean query client.
 * Every variant records its root sessions in an audit trail (a scratch log), as the product does since issue 10.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Iam from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { IAMClient } from '@aws-sdk/client-iam';
import { assumeRoot } from '../../runbooks/engine/assume-root';
import {
  connectionPool,
  createClient,
  sdk,
  type Session,
  type SessionCredentials,
} from '../../runbooks/engine/clients';
import { openRun, type TrailRun } from '../../runbooks/engine/trail';
import { selectAccounts } from '../../runbooks/fleet/accounts';
import { runAudit, type AccountAudit } from '../../runbooks/fleet/audit';
import { fleetAssumeRoot, orgAccountsReader, rootIamFactory } from '../../runbooks/fleet/aws';
import { rootIamPortFrom, type RootIamWriter } from '../../runbooks/fleet/root-iam';
import type { AssumeRootFn } from '../../runbooks/fleet/account-session';
import { MANAGEMENT_CREDENTIALS } from '../../test-support/sandbox';

export const VARIANTS = ['before', 'summary', 'pacer', 'lean'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface VariantRequest {
  variant: Variant;
  endpoint: string;
  concurrency: number;
}

export interface VariantResult {
  variant: Variant;
  wallMs: number;
  cpuMs: number;
  accounts: number;
  failed: number;
  digest: string;
}

/** The SDK IAM client as a root IAM port: every operation sent as its command (what the fleet used before). */
function sdkPort(client: IAMClient, m: typeof Iam): RootIamWriter {
  return rootIamPortFrom((operation, input) => {
    const Command = m[`${operation}Command`] as new (input: unknown) => Parameters<IAMClient['send']>[0];
    return client.send(new Command(input));
  });
}

/** A port whose GetAccountSummary reports no root-user flags, so the audit lists every kind, as it did before. */
function ignoringSummary(port: RootIamWriter): RootIamWriter {
  return {
    ...port,
    getAccountSummary: async (input) => {
      const answer = await port.getAccountSummary(input);
      const {
        AccountMFAEnabled: _mfa,
        AccountAccessKeysPresent: _keys,
        AccountSigningCertificatesPresent: _certificates,
        ...rest
      } = answer.SummaryMap ?? {};
      return { ...answer, SummaryMap: rest };
    },
  };
}

async function ports(variant: Variant, caller: Session, run: TrailRun) {
  if (variant === 'lean') {
    return { assumeRoot: await fleetAssumeRoot(caller, 900, run), iamFor: await rootIamFactory(caller) };
  }
  const iam = await sdk('iam');
  if (variant === 'pacer') {
    const sts = await createClient('sts', caller);
    const assume: AssumeRootFn = async (account, task) =>
      (await assumeRoot(sts, caller, { account, task, duration: 900 }, run)).credentials;
    return {
      assumeRoot: assume,
      iamFor: async (credentials: SessionCredentials) =>
        sdkPort(await createClient('iam', { settings: caller.settings, credentials, label: 'root' }), iam),
    };
  }
  // The old configuration, client for client: adaptive retries with 8 attempts on the shared keep-alive handler.
  const { handler } = await connectionPool(caller.settings);
  const old = {
    region: caller.settings.region,
    endpoint: caller.settings.endpointUrl,
    retryMode: 'adaptive',
    maxAttempts: 8,
    requestHandler: handler,
  };
  const sts = new STSClient({ ...old, credentials: MANAGEMENT_CREDENTIALS });
  const assume: AssumeRootFn = async (account, task) =>
    (await assumeRoot(sts, caller, { account, task, duration: 900 }, run)).credentials;
  return {
    assumeRoot: assume,
    iamFor: (credentials: SessionCredentials) => {
      const port = sdkPort(new IAMClient({ ...old, credentials }), iam);
      return variant === 'before' ? ignoringSummary(port) : port;
    },
  };
}

async function main(request: VariantRequest): Promise<VariantResult> {
  const caller: Session = {
    settings: {
      region: 'us-east-1',
      endpointUrl: request.endpoint,
      env: process.env,
      log: () => undefined,
      connections: request.concurrency * 5,
    },
    credentials: MANAGEMENT_CREDENTIALS,
    label: 'caller',
  };
  const org = await orgAccountsReader(caller);
  const scratch = mkdtempSync(join(tmpdir(), 'bench-variant-'));
  const run = await openRun(join(scratch, 'audit.jsonl'), {
    runbook: 'audit',
    parameters: { variant: request.variant },
    region: caller.settings.region,
    task: null,
    plan: `fleet-changes variant ${request.variant}`,
  });
  const deps = await ports(request.variant, caller, run);
  const rows: AccountAudit[] = [];
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const totals = await runAudit({
    ...deps,
    accounts: selectAccounts(org, { all: true }, { concurrency: request.concurrency }),
    concurrency: request.concurrency,
    sink: (row) => void rows.push(row),
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  org.client.destroy();
  await run.finish({ outcome: 'unchanged' });
  rmSync(scratch, { recursive: true, force: true });
  const found = rows.map(({ summary: _summary, ...row }) => row).sort((a, b) => a.account.localeCompare(b.account));
  return {
    variant: request.variant,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((used.user + used.system) / 1000),
    accounts: totals.audited,
    failed: totals.failed,
    digest: createHash('sha256').update(JSON.stringify(found)).digest('hex'),
  };
}

if (require.main === module) {
  main(JSON.parse(process.argv[2]) as VariantRequest).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
