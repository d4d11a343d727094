/**
 * In-memory fakes of the narrow ports, for the cases the sandbox cannot express on demand (an ExpiredToken in the
 * middle of an account, a failure of one precise call).
 */
import {
  rootIamPortFrom,
  type RootIamInput,
  type RootIamOperation,
  type RootIamOutput,
  type RootIamWriter,
} from '../../runbooks/fleet/root-iam';
import type { SessionCredentials } from '../../runbooks/engine/clients';

export interface FakeRoot {
  loginProfile: boolean;
  keys: string[];
  mfa: string[];
  certs: string[];
}

const error = (name: string, message = name) => Object.assign(new Error(message), { name });
const meta = { $metadata: {} };

export interface FakeFleet {
  roots: Map<string, FakeRoot>;
  assumed: { account: string; task: string }[];
  calls: { account: string; action: string }[];
  assumeRoot: (account: string, task: string) => Promise<SessionCredentials>;
  iamFor: (credentials: SessionCredentials) => RootIamWriter;
  /** Makes the next `action` in `account` fail with `name`. */
  failNext(account: string, action: string, name: string): void;
  /** Replaces fields of every GetAccountSummary answer (undefined removes the field). */
  summary(fields: Record<string, number | undefined>): void;
}

export function fakeFleet(roots: Record<string, Partial<FakeRoot>>): FakeFleet {
  const state = new Map<string, FakeRoot>(
    Object.entries(roots).map(([id, r]) => [
      id,
      { loginProfile: false, keys: [], mfa: [], certs: [], ...r } satisfies FakeRoot,
    ]),
  );
  const failures = new Map<string, string>();
  let summaryOverride: Record<string, number | undefined> = {};
  const assumed: FakeFleet['assumed'] = [];
  const calls: FakeFleet['calls'] = [];
  let serial = 0;
  const sessions = new Map<string, string>();

  const iamFor = (credentials: SessionCredentials): RootIamWriter => {
    const account = sessions.get(credentials.accessKeyId) as string;
    const root = () => state.get(account) as FakeRoot;
    /** One fake per operation of the declared list; rootIamPortFrom turns them into the port. */
    const operations: { [O in RootIamOperation]: (input: RootIamInput<O>) => RootIamOutput<O> } = {
      GetLoginProfile: () => {
        if (!root().loginProfile) throw error('NoSuchEntityException', 'Login profile cannot be found');
        return { LoginProfile: { UserName: 'root', CreateDate: new Date(0) }, ...meta };
      },
      ListAccessKeys: () => ({
        AccessKeyMetadata: root().keys.map((AccessKeyId) => ({ AccessKeyId, Status: 'Active' as const })),
        ...meta,
      }),
      GetAccessKeyLastUsed: ({ AccessKeyId }) => ({
        AccessKeyLastUsed: { LastUsedDate: new Date(1000), ServiceName: 's3', Region: 'us-east-1' },
        UserName: AccessKeyId,
        ...meta,
      }),
      ListMFADevices: () => ({
        MFADevices: root().mfa.map((SerialNumber) => ({ SerialNumber, UserName: 'root', EnableDate: new Date(0) })),
        ...meta,
      }),
      ListSigningCertificates: () => ({
        Certificates: root().certs.map((CertificateId) => ({
          CertificateId,
          UserName: 'root',
          CertificateBody: 'x',
          Status: 'Active' as const,
        })),
        ...meta,
      }),
      // As IAM reports the root user: 1 when it has any of the kind, else 0.
      GetAccountSummary: () => ({
        SummaryMap: {
          Users: 0,
          AccountMFAEnabled: root().mfa.length > 0 ? 1 : 0,
          AccountAccessKeysPresent: root().keys.length > 0 ? 1 : 0,
          AccountSigningCertificatesPresent: root().certs.length > 0 ? 1 : 0,
          ...summaryOverride,
        },
        ...meta,
      }),
      DeleteLoginProfile: () => {
        if (!root().loginProfile) throw error('NoSuchEntityException');
        root().loginProfile = false;
        return meta;
      },
      DeleteAccessKey: ({ AccessKeyId }) => {
        if (!root().keys.includes(AccessKeyId!)) throw error('NoSuchEntityException');
        root().keys = root().keys.filter((k) => k !== AccessKeyId);
        return meta;
      },
      DeactivateMFADevice: ({ SerialNumber }) => {
        if (!root().mfa.includes(SerialNumber!)) throw error('NoSuchEntityException');
        return meta;
      },
      DeleteVirtualMFADevice: ({ SerialNumber }) => {
        if (!root().mfa.includes(SerialNumber!)) throw error('NoSuchEntityException');
        root().mfa = root().mfa.filter((m) => m !== SerialNumber);
        return meta;
      },
      DeleteSigningCertificate: ({ CertificateId }) => {
        if (!root().certs.includes(CertificateId!)) throw error('NoSuchEntityException');
        root().certs = root().certs.filter((c) => c !== CertificateId);
        return meta;
      },
    };
    return rootIamPortFrom(async (action, input) => {
      calls.push({ account, action });
      await new Promise((resolve) => setImmediate(resolve));
      const failure = failures.get(`${account}/${action}`);
      if (failure) {
        failures.delete(`${account}/${action}`);
        throw error(failure);
      }
      return (operations[action] as (input: unknown) => unknown)(input);
    });
  };

  return {
    roots: state,
    assumed,
    calls,
    assumeRoot: async (account, task) => {
      assumed.push({ account, task });
      const failure = failures.get(`${account}/AssumeRoot`);
      if (failure) {
        failures.delete(`${account}/AssumeRoot`);
        throw error(failure);
      }
      const accessKeyId = `ASIA${++serial}`;
      sessions.set(accessKeyId, account);
      return { accessKeyId, secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date(Date.now() + 9e5) };
    },
    iamFor,
    failNext: (account, action, name) => void failures.set(`${account}/${action}`, name),
    summary: (fields) => void (summaryOverride = fields),
  };
}
