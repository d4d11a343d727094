/**
 * The IAM operations the fleet runbooks call with a root session, declared once: this list types the ports,
 * builds the real port, and drives the test fakes. UserName is always omitted, which makes IAM act on the root
 * user of the session's account.
 */
import type * as Iam from '@aws-sdk/client-iam';

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

/** The real port: every operation sent as its SDK command on `client`. */
export function rootIamPort(client: Iam.IAMClient, m: IamModule): RootIamWriter {
  return rootIamPortFrom((operation, input) => {
    const Command = m[`${operation}Command`] as new (input: unknown) => Parameters<Iam.IAMClient['send']>[0];
    return client.send(new Command(input));
  });
}
