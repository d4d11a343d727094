/**
 * Helpers for the suites (and the benchmarks) that run against the local AWS sandbox.
 *
 *   const sandbox = useSandbox();          // starts in beforeAll, stops in afterAll
 *   describeWithSandbox('…', () => { … }); // skipped, with the reason, when python3/moto is missing
 *   spawn(cmd, args, { env: sandboxEnv(sandbox.endpoint) })
 */
import { startSandbox, type Sandbox } from '../emulator/sandbox';

/** Why the sandbox cannot run here (set by global setup), or undefined when it can. */
export const sandboxUnavailable: string | undefined = process.env.SANDBOX_UNAVAILABLE;

/** `describe`, or `describe.skip` with the reason in its title when the sandbox's prerequisites are missing. */
export function describeWithSandbox(name: string, body: () => void): void {
  if (sandboxUnavailable === undefined) describe(name, body);
  else describe.skip(`${name} (skipped: ${sandboxUnavailable})`, body);
}

/** Starts a sandbox before the suite's tests and stops it after them; read `endpoint` inside tests. */
export function useSandbox(): { readonly endpoint: string; readonly sandbox: Sandbox } {
  let running: Sandbox | undefined;
  beforeAll(async () => {
    running = await startSandbox({
      log: process.env.SANDBOX_LOG ? (line) => process.stderr.write(`${line}\n`) : undefined,
    });
  });
  afterAll(async () => {
    await running?.stop();
  });
  return {
    get endpoint(): string {
      if (!running)
        throw new Error('The sandbox is not running: use useSandbox() at suite level and read endpoint inside tests');
      return running.endpoint;
    },
    get sandbox(): Sandbox {
      if (!running) throw new Error('The sandbox is not running');
      return running;
    },
  };
}

/** Credentials the sandbox treats as its management account (any unknown key does). */
export const MANAGEMENT_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/**
 * Environment for a subprocess that must talk to the sandbox only: endpoint, region and credentials set,
 * and every AWS_* variable that could redirect it elsewhere (profiles, config files, other credentials)
 * replaced. Terraform's variables are left to the Terraform harness.
 */
export function sandboxEnv(
  endpoint: string,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = MANAGEMENT_CREDENTIALS,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of Object.keys(env)) {
    if (name.startsWith('AWS_')) delete env[name];
  }
  Object.assign(env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    // Keep the SDKs away from ~/.aws and the instance metadata service.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The SDK's Node-version warning is noise in every test and benchmark run.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  if (creds.sessionToken) env.AWS_SESSION_TOKEN = creds.sessionToken;
  return env;
}

/**
 * A seeded queue's URL as a client of `endpoint` (a proxy in front of the sandbox) knows it: the sandbox names a
 * queue by the host it was asked through, and the CLI accepts only queue URLs on its own endpoint's host.
 */
export function queueUrlVia(queueUrl: string, endpoint: string): string {
  return `${new URL(endpoint).origin}${new URL(queueUrl).pathname}`;
}
