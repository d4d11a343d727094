/**
 * What the hashicorp/aws provider needs to talk to the local sandbox: the one place these settings live. The
 * Terraform harness (emulator/terraform.ts) writes them as a JSON provider block; the cdktf app uses them for a
 * `sandbox: true` config. Production stacks never see them: they take a generic endpoint map and switches.
 */

/** Services whose endpoint the sandbox serves, for the provider's endpoints block. */
export const SANDBOX_SERVICES = [
  'cloudformation',
  'events',
  'iam',
  'organizations',
  's3',
  'sns',
  'sqs',
  'ssoadmin',
  'sts',
] as const;
export type SandboxService = (typeof SANDBOX_SERVICES)[number];

/**
 * Low, so an unimplemented call fails in seconds instead of retrying for minutes; above 1, because a transport
 * error seen once under load on 2 shared cores ("use of closed network connection") must not fail a whole apply.
 */
export const SANDBOX_MAX_RETRIES = 3;

/** The sandbox's fixed test credentials, not secrets: any unknown access key acts as the management account. */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** The region the sandbox's examples and tests use. */
export const SANDBOX_REGION = 'us-east-1';

/**
 * The provider's checks that would call AWS itself (STS to validate the keys, EC2 metadata, the account id
 * lookup), which the sandbox has no reason to serve; and path-style S3 URLs, since the sandbox has one host.
 */
export const SANDBOX_SWITCHES = {
  skipCredentialsValidation: true,
  skipRequestingAccountId: true,
  skipMetadataApiCheck: true,
  s3UsePathStyle: true,
} as const;

/** Every sandbox service pointed at one endpoint. */
export function sandboxEndpoints(endpoint: string): Record<SandboxService, string> {
  return Object.fromEntries(SANDBOX_SERVICES.map((s) => [s, endpoint])) as Record<SandboxService, string>;
}

const snake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The `provider "aws"` block for the sandbox in Terraform's JSON syntax (a `*.tf.json` file): written as data, so
 * the harness needs no HCL renderer.
 */
export function sandboxProviderJson(
  endpoint: string,
  options: {
    region?: string;
    alias?: string;
    /** Keys of another account (e.g. a member admin's); default: the management account's. */
    credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  } = {},
): { provider: { aws: Record<string, unknown> } } {
  const credentials = options.credentials ?? SANDBOX_CREDENTIALS;
  return {
    provider: {
      aws: {
        ...(options.alias ? { alias: options.alias } : {}),
        region: options.region ?? SANDBOX_REGION,
        access_key: credentials.accessKeyId,
        secret_key: credentials.secretAccessKey,
        ...Object.fromEntries(Object.entries(SANDBOX_SWITCHES).map(([k, v]) => [snake(k), v])),
        max_retries: SANDBOX_MAX_RETRIES,
        endpoints: [sandboxEndpoints(endpoint)],
      },
    },
  };
}
