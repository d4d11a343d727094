/**
 * Deploy stacks for `cdktf deploy`: the same constructs as the modules, in stack mode, with a provider and a
 * backend (local by default, S3 optional). The provider takes generic settings (endpoint overrides, retries,
 * the provider's skip switches): what points it at an emulator is the caller's business.
 */
import { App, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';

/** The cdktf app that holds the deploy stacks (`app.synth()` writes cdktf.out/). */
export { App };

/** Arguments of the hashicorp/aws provider block, in the provider's own terms. */
export interface ProviderSettings {
  readonly region: string;
  /** Assume this role in the target account (e.g. OrganizationAccountAccessRole). */
  readonly assumeRoleArn?: string;
  /** Service → URL overrides (the provider's endpoints block), e.g. `{ sts: "https://…" }`. */
  readonly endpoints?: Readonly<Record<string, string>>;
  /** Static keys; leave unset to use the default credential chain (environment, profile, SSO, instance role). */
  readonly credentials?: { readonly accessKey: string; readonly secretKey: string };
  /** The shared-config profile to use. */
  readonly profile?: string;
  /** Retries of a failed AWS call. @default the provider's (25) */
  readonly maxRetries?: number;
  readonly skipCredentialsValidation?: boolean;
  readonly skipRequestingAccountId?: boolean;
  readonly skipMetadataApiCheck?: boolean;
  readonly s3UsePathStyle?: boolean;
}

export type BackendSettings =
  | {
      readonly type: 'local';
      /** State file. @default terraform.<stack id>.tfstate in the stack's folder */
      readonly path?: string;
    }
  | {
      readonly type: 's3';
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
      /** DynamoDB table for state locking (Terraform < 1.10; newer versions can use useLockfile). */
      readonly dynamodbTable?: string;
      /** S3-native state locking (Terraform ≥ 1.10). */
      readonly useLockfile?: boolean;
      /** Server-side encryption of the state object. */
      readonly encrypt?: boolean;
      readonly kmsKeyId?: string;
      /** Role to assume for the state bucket. */
      readonly roleArn?: string;
    };

export class DeployStack extends TerraformStack {
  constructor(scope: Construct, id: string, provider: ProviderSettings, backend: BackendSettings) {
    super(scope, id);
    new AwsProvider(this, 'aws', {
      region: provider.region,
      profile: provider.profile,
      accessKey: provider.credentials?.accessKey,
      secretKey: provider.credentials?.secretKey,
      assumeRole: provider.assumeRoleArn ? [{ roleArn: provider.assumeRoleArn }] : undefined,
      endpoints: provider.endpoints ? [{ ...provider.endpoints }] : undefined,
      maxRetries: provider.maxRetries,
      skipCredentialsValidation: provider.skipCredentialsValidation,
      skipRequestingAccountId: provider.skipRequestingAccountId,
      // The provider schema types this one as a string.
      skipMetadataApiCheck:
        provider.skipMetadataApiCheck === undefined ? undefined : String(provider.skipMetadataApiCheck),
      s3UsePathStyle: provider.s3UsePathStyle,
    });
    if (backend.type === 's3') {
      const { type: _type, useLockfile, roleArn, ...s3 } = backend;
      new S3Backend(this, { ...s3, assumeRole: roleArn ? { roleArn } : undefined });
      // cdktf 0.21 predates use_lockfile; Terraform reads it from the same block.
      if (useLockfile !== undefined) this.addOverride('terraform.backend.s3.use_lockfile', useLockfile);
    } else {
      new LocalBackend(this, { path: backend.path ?? `terraform.${id}.tfstate` });
    }
  }

  /**
   * Terraform drops null outputs from its state, and the cdktf 0.21 CLI, which nests the outputs it prints by
   * the construct paths recorded here, then crashes on the missing one ("Cannot convert undefined or null to
   * object"). Without that record it prints the outputs by name, every one that has a value.
   */
  override toTerraform(): Record<string, unknown> {
    const tf = super.toTerraform() as { '//'?: { outputs?: unknown } };
    delete tf['//']?.outputs;
    return tf;
  }

  /** The same for `cdktf synth --hcl`, whose metadata file carries the record. */
  override toHclTerraform(): Record<string, unknown> {
    const tf = super.toHclTerraform() as { metadata?: { '//'?: { outputs?: unknown } } };
    delete tf.metadata?.['//']?.outputs;
    return tf;
  }
}

/** The JSON synthesis of one stack, without writing files (tests, benchmarks). */
export function synthStack(build: (scope: Construct) => void, provider: ProviderSettings = { region: 'us-east-1' }) {
  const app = new App({ outdir: '/tmp/centralized-root-synth-unused' });
  const stack = new DeployStack(app, 'test', provider, { type: 'local' });
  build(stack);
  return stack.toTerraform() as Record<string, unknown>;
}
