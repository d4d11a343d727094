/**
 * Which kind of caller a run has, for the audit trail and for the commands only one kind may run (enable):
 * the organization's management account, the IAM delegated administrator, or neither. Told once per run with
 * two cheap reads on the caller's own session, both callable by any account of an organization:
 *
 * - organizations:DescribeOrganization: the management account's id (the caller's account equal to it:
 *   `management`); AWSOrganizationsNotInUseException: not in an organization (`neither`).
 * - for a member, iam:ListOrganizationsFeatures: AWS answers it for the management account and the IAM delegated
 *   administrator only (`delegated-admin`); AccountNotManagementOrDelegatedAdministratorException: `neither`.
 *
 * Anything else (the caller may not call one of them, AWS is unreachable) leaves it `unknown`: the lookup never
 * fails a run, the command's own calls say what is wrong.
 */
import { awsErrorName as errorName } from './aws-errors';
import { createClient, sdk, type Session } from './clients';

export const CALLER_ROLES = ['management', 'delegated-admin', 'neither', 'unknown'] as const;
export type CallerRole = (typeof CALLER_ROLES)[number];

export interface CallerOrganization {
  readonly role: CallerRole;
  /** The organization's management account, when DescribeOrganization answered. */
  readonly managementAccountId: string | null;
  /** The organization's id (o-…), when DescribeOrganization answered. */
  readonly organizationId: string | null;
}

/** The organization's ids (null outside an organization); rejects when it cannot be read. */
async function organizationOf(session: Session): Promise<{ managementAccountId: string; id: string | null } | null> {
  const { DescribeOrganizationCommand } = await sdk('organizations');
  const organizations = await createClient('organizations', session);
  try {
    const { Organization } = await organizations.send(new DescribeOrganizationCommand({}));
    return Organization?.MasterAccountId
      ? { managementAccountId: Organization.MasterAccountId, id: Organization.Id ?? null }
      : null;
  } catch (error) {
    if (errorName(error) === 'AWSOrganizationsNotInUseException') return null;
    throw error;
  } finally {
    organizations.destroy();
  }
}

async function answersOrganizationsFeatures(session: Session): Promise<boolean | undefined> {
  const { ListOrganizationsFeaturesCommand } = await sdk('iam');
  const iam = await createClient('iam', session);
  try {
    await iam.send(new ListOrganizationsFeaturesCommand({}));
    return true;
  } catch (error) {
    return errorName(error) === 'AccountNotManagementOrDelegatedAdministratorException' ? false : undefined;
  } finally {
    iam.destroy();
  }
}

/**
 * Starts the lookup at once (so it runs beside GetCallerIdentity); `account` is the caller's account, a promise
 * while the identity lookup is in flight. Never rejects.
 */
export async function lookupCallerRole(session: Session, account: Promise<string | null>): Promise<CallerOrganization> {
  const organization = organizationOf(session);
  organization.catch(() => undefined); // awaited below; a rejection before then is not unhandled
  try {
    const [caller, found] = await Promise.all([account, organization]);
    if (found === null) return { role: 'neither', managementAccountId: null, organizationId: null };
    const ids = { managementAccountId: found.managementAccountId, organizationId: found.id };
    if (caller === null) return { role: 'unknown', ...ids };
    if (caller === found.managementAccountId) return { role: 'management', ...ids };
    const answered = await answersOrganizationsFeatures(session);
    return { role: answered === undefined ? 'unknown' : answered ? 'delegated-admin' : 'neither', ...ids };
  } catch {
    return { role: 'unknown', managementAccountId: null, organizationId: null };
  }
}

/** The role as a person reads it after "is" (log show, doctor, messages). */
export function describeCallerRole(role: CallerRole): string {
  switch (role) {
    case 'management':
      return 'the management account';
    case 'delegated-admin':
      return 'the IAM delegated administrator';
    case 'neither':
      return 'neither the management account nor the IAM delegated administrator';
    default:
      return 'not known to be the management account or the IAM delegated administrator';
  }
}
