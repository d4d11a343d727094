/**
 * The seam between the fleet cores' narrow ports and the engine: clients come from the engine's one factory
 * (pacing and retries, endpoint override, call log), AssumeRoot from the engine's assumeRoot. Nothing here decides
 * anything; it only forwards.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { assumeRoot, queryAssumeRoot, STS_API_VERSION } from '../engine/assume-root';
import { createClient, sdk, type Session, type SessionCredentials } from '../engine/clients';
import { queryClient } from '../engine/query-client';
import { defaultPacer, pacingReport } from '../engine/retry';
import type { CallerOrganization } from '../engine/caller-role';
import type { CallerSession } from '../engine/credentials';
import type { TrailRun } from '../engine/trail';
import type { OrgAccountsReader } from './accounts';
import { IAM_API_VERSION, rootIamPort, type RootIamWriter } from './root-iam';
import type { AssumeRootFn } from './account-session';
import type { BucketPolicyReader, QueuePolicyReader } from './policy-reads';

/**
 * AssumeRoot with the caller's session, one per account, sent by the engine's query client (a quarter of the SDK's
 * CPU per call). The SDK STS client is kept for what it does best: resolving and refreshing the caller's credentials.
 * Each session is in `run`'s trail before it is returned (engine assumeRoot; concurrent accounts share the fsync).
 */
export async function fleetAssumeRoot(caller: Session, duration: number, run: TrailRun): Promise<AssumeRootFn> {
  const [sts, query] = await Promise.all([createClient('sts', caller), queryClient('sts', caller, STS_API_VERSION)]);
  const send = queryAssumeRoot(query, () => sts.config.credentials());
  return async (account, task) => (await assumeRoot(send, caller, { account, task, duration }, run)).credentials;
}

/**
 * IAM ports signed with root sessions, in the caller's region and endpoint: one query client for the whole run (built
 * here, once), and per account only a port that binds the account's session to it.
 */
export async function rootIamFactory(caller: Session): Promise<(credentials: SessionCredentials) => RootIamWriter> {
  const iam = await queryClient('iam', { settings: caller.settings, label: 'root' }, IAM_API_VERSION);
  return (credentials) => rootIamPort(iam, credentials);
}

/**
 * S3 and SQS readers signed with root sessions (the lock-out scan), built by the engine's createClient from the
 * fleet's settings: the run's shared connection pool and its one pacer, like every other client of the run. The S3
 * client follows region redirects, so one client reads buckets of every region; SQS clients are per region.
 */
export function rootPolicyReaders(caller: Session): {
  s3For: (credentials: SessionCredentials) => Promise<BucketPolicyReader>;
  sqsFor: (credentials: SessionCredentials, region: string) => Promise<QueuePolicyReader>;
} {
  return {
    s3For: async (credentials) => {
      const [m, client] = await Promise.all([
        sdk('s3'),
        createClient('s3', { settings: caller.settings, credentials, label: 'root' }),
      ]);
      return {
        listBuckets: (input) => client.send(new m.ListBucketsCommand(input)),
        getBucketPolicy: (input) => client.send(new m.GetBucketPolicyCommand(input)),
      };
    },
    sqsFor: async (credentials, region) => {
      const settings = { ...caller.settings, region };
      const [m, client] = await Promise.all([
        sdk('sqs'),
        createClient('sqs', { settings, credentials, label: 'root' }),
      ]);
      return {
        listQueues: (input) => client.send(new m.ListQueuesCommand(input)),
        getQueueAttributes: (input) => client.send(new m.GetQueueAttributesCommand(input)),
      };
    },
  };
}

/**
 * `known` is the caller's own organization lookup (engine/caller-role.ts), which already asked DescribeOrganization
 * for the audit trail: its answer is used, and the call made again only when that lookup could not read it.
 */
export async function orgAccountsReader(
  caller: Session,
  known?: () => Promise<CallerOrganization>,
): Promise<OrgAccountsReader & { client: OrganizationsClient }> {
  const m = await sdk('organizations');
  const client = await createClient('organizations', caller);
  const read = async () => {
    const lookup = await known?.();
    if (lookup?.managementAccountId)
      return { id: lookup.organizationId, managementAccountId: lookup.managementAccountId };
    const { Organization } = await client.send(new m.DescribeOrganizationCommand({}));
    return { id: Organization?.Id ?? null, managementAccountId: Organization?.MasterAccountId ?? '' };
  };
  // Read once per run: the lock-out scan and account selection both ask, and the fallback call is a request.
  let organization: ReturnType<typeof read> | undefined;
  return {
    client,
    organization: () => (organization ??= read()),
    describeAccount: (input) => client.send(new m.DescribeAccountCommand(input)),
    listAccounts: (input) => client.send(new m.ListAccountsCommand(input)),
    listAccountsForParent: (input) => client.send(new m.ListAccountsForParentCommand(input)),
    listOrganizationalUnitsForParent: (input) => client.send(new m.ListOrganizationalUnitsForParentCommand(input)),
  };
}

/** An account in flight has its AssumeRoot or its (at most five) concurrent IAM reads outstanding. */
const REQUESTS_PER_ACCOUNT = 5;

/**
 * Connections per host so that `concurrency` accounts never wait for one. The caller's session is resolved with
 * it too (resolveCaller's `connections`), so its own calls (GetCallerIdentity) share the fleet's pool.
 */
export const fleetConnections = (concurrency: number): number => concurrency * REQUESTS_PER_ACCOUNT;

/**
 * Everything a fleet command needs from AWS, built once per run from the caller's session. Every client shares
 * one keep-alive pool sized so that `concurrency` accounts never wait for a connection, and every call of the run
 * (these ports, and any client a fleet command builds from the same settings with the engine's createClient or
 * queryClient) is paced by the process's one pacer: each API at the rate AWS accepts, a throttled API slowing only
 * itself.
 */
export async function fleetPorts(caller: CallerSession, duration: number, concurrency: number, run: TrailRun) {
  const fleet: Session = {
    ...caller.session,
    settings: { ...caller.session.settings, connections: fleetConnections(concurrency) },
  };
  const [org, assumeRootFn, iamFor] = await Promise.all([
    orgAccountsReader(fleet, caller.callerRole),
    fleetAssumeRoot(fleet, duration, run),
    rootIamFactory(fleet),
  ]);
  const close = () => {
    org.client.destroy();
    for (const line of pacingReport(fleet.settings.pacer ?? defaultPacer())) fleet.settings.log(line);
  };
  return { org, assumeRoot: assumeRootFn, iamFor, ...rootPolicyReaders(fleet), close };
}
