/**
 * Deploy stacks for `cdktf deploy`: the same constructs as the modules, in stack mode, with a provider and a
 * backend (local by default, S3 optional) and optional endpoint overrides for the local sandbox.
 */
import { App, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SANDBOX_MAX_RETRIES, SANDBOX_SERVICES } from './sandbox-provider';

export interface ProviderSettings {
  readonly region: string;
  /** Assume this role in the target account (e.g. OrganizationAccountAccessRole). */
  readonly assumeRoleArn?: string;
  /** One endpoint for every service the modules use: the local sandbox. Also sets the sandbox's test flags. */
  readonly endpoint?: string;
}

export type BackendSettings =
  | { readonly type: 'local'; readonly path?: string }
  | {
      readonly type: 's3';
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
      readonly dynamodbTable?: string;
    };

export class DeployStack extends TerraformStack {
  constructor(scope: Construct, id: string, provider: ProviderSettings, backend: BackendSettings) {
    super(scope, id);
    new AwsProvider(this, 'aws', {
      region: provider.region,
      ...(provider.assumeRoleArn ? { assumeRole: [{ roleArn: provider.assumeRoleArn }] } : {}),
      ...(provider.endpoint
        ? {
            accessKey: 'testing',
            secretKey: 'testing',
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipMetadataApiCheck: 'true',
            s3UsePathStyle: true,
            maxRetries: SANDBOX_MAX_RETRIES,
            endpoints: [Object.fromEntries(SANDBOX_SERVICES.map((s) => [s, provider.endpoint]))],
          }
        : {}),
    });
    if (backend.type === 's3') {
      new S3Backend(this, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        dynamodbTable: backend.dynamodbTable,
      });
    } else {
      new LocalBackend(this, { path: backend.path ?? `terraform.${id}.tfstate` });
    }
  }
}

export function createApp(outdir?: string): App {
  return new App({ outdir, skipValidation: false });
}

/** The JSON synthesis of one stack, without writing files (tests, benchmarks). */
export function synthStack(build: (scope: Construct) => void, provider: ProviderSettings = { region: 'us-east-1' }) {
  const app = new App({ outdir: '/tmp/centralized-root-synth-unused' });
  const stack = new DeployStack(app, 'test', provider, { type: 'local' });
  build(stack);
  return stack.toTerraform() as Record<string, unknown>;
}
