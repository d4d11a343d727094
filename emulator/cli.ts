/**
 * `npm run sandbox [-- --seed N]`: runs the local AWS sandbox in the foreground until Ctrl-C.
 * stdout carries only the `export …` lines to paste into another shell (or `eval`); the rest goes to stderr.
 *
 * It stops, and takes the Python server with it, on SIGINT, SIGTERM or SIGHUP, and also when its parent goes
 * away without passing a signal on: `npm run` forwards a signal only to its direct child, so package.json
 * `exec`s this process in place of the shell, and a parent killed outright leaves this process orphaned,
 * which the parent watch below notices.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from './sandbox';
import { describeOrganization, seedOrganization, seedRootCredentials } from './seed';

const USAGE = `Usage: npm run sandbox -- [--seed N] [--verbose]

Starts the local AWS sandbox (moto + the project's extension) on a free 127.0.0.1 port and prints the
environment that points the AWS SDKs, the AWS CLI and Terraform at it. Stops on Ctrl-C. It refuses what AWS
refuses: identity policies, SCPs, bucket and queue policies and account boundaries are enforced. The printed
keys act as the management account's administrator; a member account's administrator is its
OrganizationAccountAccessRole.

  --seed N     seed an organization with N member accounts (0-20000), trusted access for IAM and both
               centralized-root-access features; the first member gets root credentials to find
  --verbose    pass the server's log through to stderr
  -h, --help   show this help`;

const MAX_SEED = 20_000;

function parse(argv: string[]): { seed?: number; verbose: boolean } | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.seed === undefined) return { verbose: values.verbose ?? false };
  const seed = Number(values.seed);
  if (!/^\d+$/.test(values.seed) || seed > MAX_SEED) {
    throw new Error(`--seed must be a whole number from 0 to ${MAX_SEED}, got ${JSON.stringify(values.seed)}`);
  }
  return { seed, verbose: values.verbose ?? false };
}

async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }

  const sandbox = await startSandbox({
    log: options.verbose ? (line) => process.stderr.write(`[sandbox] ${line}\n`) : undefined,
  });
  if (options.seed !== undefined) {
    const started = Date.now();
    const org = await seedOrganization(sandbox.endpoint, { accounts: options.seed });
    const first = org.accounts[0];
    if (first)
      await seedRootCredentials(sandbox.endpoint, first.id, { loginProfile: true, accessKeys: 1, mfaDevices: 1 });
    process.stderr.write(
      `Seeded organization ${org.organizationId}: management account ${org.managementAccountId}, ` +
        `${org.accounts.length} member accounts in ${Date.now() - started} ms` +
        (first ? `; ${first.id} has root credentials (login profile, 1 access key, 1 MFA device)` : '') +
        '\n',
    );
  }
  const summary = await describeOrganization(sandbox.endpoint);
  // These are the sandbox's fixed test credentials, not secrets: any unknown key acts as the management account.
  process.stdout.write(
    [
      `export AWS_ENDPOINT_URL=${sandbox.endpoint}`,
      'export AWS_REGION=us-east-1',
      // The AWS CLI v1 and older SDKs read only this one.
      'export AWS_DEFAULT_REGION=us-east-1',
      'export AWS_ACCESS_KEY_ID=testing',
      'export AWS_SECRET_ACCESS_KEY=testing',
      '',
    ].join('\n'),
  );
  process.stderr.write(
    `AWS sandbox running at ${sandbox.endpoint} (management account 123456789012` +
      (summary.organizationId ? `, organization ${summary.organizationId}` : ', no organization yet') +
      '); policies are enforced as on AWS. Press Ctrl-C to stop.\n',
  );

  const reason = await stopRequested();
  process.stderr.write(`Stopping the sandbox (${reason})…\n`);
  await sandbox.stop();
  return 0;
}

const PARENT_POLL_MS = 500;

/** Resolves with what asked the sandbox to stop: a signal, or the parent process that started it exiting. */
function stopRequested(): Promise<string> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    const stop = (reason: string) => {
      clearInterval(watch);
      resolve(reason);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => stop(signal));
    // An orphan is re-parented (to init or a subreaper), so its parent pid changes.
    const watch = setInterval(() => {
      if (process.ppid !== parent) stop(`parent process ${parent} exited`);
    }, PARENT_POLL_MS);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
