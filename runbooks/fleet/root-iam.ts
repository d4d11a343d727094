/**
 * The IAM operations the fleet runbooks call with a root session, declared once: this list types the ports,
 * builds the real port, and drives the test fakes. UserName is always omitted, which makes IAM act on the root
 * user of the session's account. The real port speaks the query protocol through the engine's lean client: a fleet
 * run makes these calls in every account, and the SDK client costs four times the CPU per call.
 */
import type * as Iam from '@aws-sdk/client-iam';
import type { SessionCredentials } from '../engine/clients';
import type { QueryCaller } from '../engine/query-client';
import { child, textAt, type XmlElement } from '../lib/xml';

/** What IAMAuditRootUserCredentials allows and the audit (and the delete's verify step) reads. */
export const ROOT_IAM_READS = [
  'GetLoginProfile',
  'ListAccessKeys',
  'GetAccessKeyLastUsed',
  'ListMFADevices',
  'ListSigningCertificates',
  'GetAccountSummary',
] as const;

/** What IAMDeleteRootUserCredentials allows and delete-root-credentials calls. */
export const ROOT_IAM_WRITES = [
  'DeleteLoginProfile',
  'DeleteAccessKey',
  'DeactivateMFADevice',
  'DeleteVirtualMFADevice',
  'DeleteSigningCertificate',
] as const;

export const ROOT_IAM_OPERATIONS = [...ROOT_IAM_READS, ...ROOT_IAM_WRITES] as const;

export type RootIamRead = (typeof ROOT_IAM_READS)[number];
export type RootIamOperation = (typeof ROOT_IAM_OPERATIONS)[number];

type IamModule = typeof Iam;
type CommandClass<O extends RootIamOperation> = IamModule[`${O}Command`];
type CommandOf<O extends RootIamOperation> = CommandClass<O> extends new (...args: never[]) => infer C ? C : never;
/** The SDK input of an operation, e.g. RootIamInput<'DeleteAccessKey'> = DeleteAccessKeyCommandInput. */
export type RootIamInput<O extends RootIamOperation> = CommandOf<O> extends { input: infer I } ? I : never;
/** The SDK output of an operation, read off its command's handler. */
export type RootIamOutput<O extends RootIamOperation> =
  CommandOf<O> extends { resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: infer R }> }
    ? R
    : never;

/** The port method of an operation: `GetLoginProfile` → `getLoginProfile(input)`. */
export type RootIamPort<O extends RootIamOperation> = {
  [K in O as Uncapitalize<K>]: (input: RootIamInput<K>) => Promise<RootIamOutput<K>>;
};

/** The audit's IAM reads. */
export type RootIamReader = RootIamPort<RootIamRead>;
/** The delete task's IAM calls, plus the reads it allows for verification. */
export type RootIamWriter = RootIamPort<RootIamOperation>;

export const portMethod = <O extends RootIamOperation>(operation: O): Uncapitalize<O> =>
  `${operation[0].toLowerCase()}${operation.slice(1)}` as Uncapitalize<O>;

/** Builds a port from one implementation per operation (the SDK client, or a test fake). */
export function rootIamPortFrom(
  call: (operation: RootIamOperation, input: unknown) => Promise<unknown>,
): RootIamWriter {
  return Object.fromEntries(
    ROOT_IAM_OPERATIONS.map((operation) => [portMethod(operation), (input: unknown) => call(operation, input)]),
  ) as RootIamWriter;
}

/** IAM's query API version: every request names it. */
export const IAM_API_VERSION = '2010-05-08';

type Decoded<O extends RootIamOperation> = Omit<RootIamOutput<O>, '$metadata'>;

const date = (element: XmlElement | undefined, name: string): Date | undefined => {
  const text = textAt(element, name);
  return text === undefined || text === '' ? undefined : new Date(text);
};
const members = (element: XmlElement | undefined, name: string): XmlElement[] =>
  child(element, name)?.children.filter((c) => c.name === 'member') ?? [];
const page = (result: XmlElement | undefined) => ({
  IsTruncated: textAt(result, 'IsTruncated') === 'true',
  Marker: textAt(result, 'Marker'),
});

/** Each operation's `<Result>` element read into the SDK's output shape (the fields IAM documents). */
const DECODERS: { [O in RootIamOperation]: (result: XmlElement | undefined) => Decoded<O> } = {
  GetLoginProfile: (result) => {
    const profile = child(result, 'LoginProfile');
    return {
      LoginProfile: profile && {
        UserName: textAt(profile, 'UserName'),
        CreateDate: date(profile, 'CreateDate'),
        PasswordResetRequired: textAt(profile, 'PasswordResetRequired') === 'true',
      },
    };
  },
  ListAccessKeys: (result) => ({
    AccessKeyMetadata: members(result, 'AccessKeyMetadata').map((key) => ({
      UserName: textAt(key, 'UserName'),
      AccessKeyId: textAt(key, 'AccessKeyId'),
      Status: textAt(key, 'Status') as Iam.StatusType | undefined,
      CreateDate: date(key, 'CreateDate'),
    })),
    ...page(result),
  }),
  GetAccessKeyLastUsed: (result) => {
    const used = child(result, 'AccessKeyLastUsed');
    return {
      UserName: textAt(result, 'UserName'),
      AccessKeyLastUsed: used && {
        LastUsedDate: date(used, 'LastUsedDate'),
        ServiceName: textAt(used, 'ServiceName'),
        Region: textAt(used, 'Region'),
      },
    };
  },
  ListMFADevices: (result) => ({
    MFADevices: members(result, 'MFADevices').map((device) => ({
      UserName: textAt(device, 'UserName'),
      SerialNumber: textAt(device, 'SerialNumber'),
      EnableDate: date(device, 'EnableDate'),
    })),
    ...page(result),
  }),
  ListSigningCertificates: (result) => ({
    Certificates: members(result, 'Certificates').map((certificate) => ({
      UserName: textAt(certificate, 'UserName'),
      CertificateId: textAt(certificate, 'CertificateId'),
      CertificateBody: textAt(certificate, 'CertificateBody'),
      Status: textAt(certificate, 'Status') as Iam.StatusType | undefined,
      UploadDate: date(certificate, 'UploadDate'),
    })),
    ...page(result),
  }),
  GetAccountSummary: (result) => {
    const summary: Record<string, number> = {};
    for (const entry of child(result, 'SummaryMap')?.children ?? []) {
      const key = textAt(entry, 'key');
      const value = Number(textAt(entry, 'value'));
      if (key !== undefined && Number.isFinite(value)) summary[key] = value;
    }
    return { SummaryMap: summary };
  },
  DeleteLoginProfile: () => ({}),
  DeleteAccessKey: () => ({}),
  DeactivateMFADevice: () => ({}),
  DeleteVirtualMFADevice: () => ({}),
  DeleteSigningCertificate: () => ({}),
};

/** The input's scalar fields as query parameters: every root IAM input is flat (an id, a marker). */
function parameters(input: unknown): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((input ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      params[name] = String(value);
  }
  return params;
}

/** The real port for one root session: every operation a signed query call on the run's one client. */
export function rootIamPort(caller: QueryCaller, credentials: SessionCredentials): RootIamWriter {
  return rootIamPortFrom(async (operation, input) => ({
    ...DECODERS[operation](await caller.call(operation, parameters(input), credentials)),
    $metadata: {},
  }));
}
