/**
 * One request's round trip to the sandbox: sequential STS GetCallerIdentity calls from one SDK client on one
 * keep-alive connection, against the baseline of a bare Node HTTP server in this process that returns a canned
 * GetCallerIdentity answer (the SDK's and loopback's own share). Passes alternate between the targets so that all
 * see the same machine load.
 *
 * Every test, benchmark and `terraform apply` against the sandbox pays this figure on each call. It was 44 ms
 * while the sandbox's server wrote headers and body apart without TCP_NODELAY (Nagle's algorithm held the body
 * until the client's delayed ACK); with BENCH_LATENCY_BASELINE=<an older build's emulator/server.py> that build is
 * measured in the same passes (`git archive <commit> emulator | tar -x -C /tmp/base`).
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MANAGEMENT_ACCOUNT_ID, startSandbox } from '../../emulator/sandbox';
import { median, round } from '../lib/measure';
import { NotRun, type Benchmark, type Figure, type Goal } from '../lib/result';

const BASELINE = process.env.BENCH_LATENCY_BASELINE;
const PASSES = 7;
const CALLS_PER_PASS = 40;
const WARM_UP = 20;
const GOAL_MS = 10;

const CANNED = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>\
<Arn>arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:user/bench</Arn><UserId>AIDABENCH</UserId>\
<Account>${MANAGEMENT_ACCOUNT_ID}</Account></GetCallerIdentityResult>\
<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

/** A keep-alive HTTP server that answers every request with the canned STS answer. */
async function cannedServer(): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'Content-Type': 'text/xml' }).end(CANNED));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function client(endpoint: string): STSClient {
  return new STSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

/** Milliseconds of each of `count` sequential calls. */
async function calls(sts: STSClient, count: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = process.hrtime.bigint();
    await sts.send(new GetCallerIdentityCommand({}));
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return ms;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

export const sandboxLatency: Benchmark = {
  name: 'sandbox-latency',
  title: 'One request to the sandbox (keep-alive round trip)',
  async run() {
    if (BASELINE && !existsSync(BASELINE)) throw new NotRun(`BENCH_LATENCY_BASELINE ${BASELINE} does not exist`);
    const canned = await cannedServer();
    const current = await startSandbox();
    const older = BASELINE ? await startSandbox({ serverScript: BASELINE }) : undefined;
    const target = (label: string, endpoint: string) => ({ label, sts: client(endpoint), ms: [] as number[] });
    const sandbox = target('sandbox', current.endpoint);
    const before = older && target('baseline build', older.endpoint);
    const bare = target('bare Node server', canned.endpoint);
    const targets = before ? [sandbox, before, bare] : [sandbox, bare];
    try {
      for (const t of targets) await calls(t.sts, WARM_UP);
      for (let pass = 0; pass < PASSES; pass += 1) {
        for (const t of targets) t.ms.push(...(await calls(t.sts, CALLS_PER_PASS)));
      }
    } finally {
      for (const t of targets) t.sts.destroy();
      await Promise.all([current.stop(), older?.stop()]);
      await new Promise((resolve) => canned.server.close(resolve));
    }
    const med = (t: typeof sandbox) => round(median(t.ms), 2);
    const figures: Figure[] = targets.flatMap((t) => [
      { label: `${t.label}: median round trip`, value: med(t), unit: 'ms' },
      { label: `${t.label}: 95th percentile`, value: round(percentile(t.ms, 0.95), 2), unit: 'ms' },
    ]);
    figures.push(
      { label: 'ratio sandbox / bare Node server', value: round(median(sandbox.ms) / median(bare.ms), 2), unit: '×' },
      { label: 'calls per target (after warm-up)', value: PASSES * CALLS_PER_PASS },
    );
    const goals: Goal[] = [
      { text: `median ≤ ${GOAL_MS} ms (measured ${med(sandbox)} ms)`, met: median(sandbox.ms) <= GOAL_MS },
    ];
    return {
      figures,
      goals,
      reading:
        `A sandbox request takes ${med(sandbox)} ms, of which ${med(bare)} ms is the SDK and loopback (the same ` +
        'call answered by a bare Node server); the rest is moto, the gate and the policy evaluation. ' +
        (before
          ? `The baseline build (${BASELINE}) takes ${med(before)} ms.`
          : 'Before its server set TCP_NODELAY this was 44 ms; set BENCH_LATENCY_BASELINE to an older build’s ' +
            'emulator/server.py to measure such a build in the same passes.'),
      details: { ms: Object.fromEntries(targets.map((t) => [t.label, t.ms.map((v) => round(v, 3))])) },
    };
  },
};
