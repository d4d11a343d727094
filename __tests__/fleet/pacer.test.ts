/**
 * The pacer on a virtual clock: simulated fleets of calls against a simulated server (a token-bucket quota, random
 * throttling, both), so every figure is exact and reproducible and no test depends on the machine's speed.
 */
import {
  MAX_ATTEMPTS,
  MAX_BACKOFF_MS,
  MAX_THROTTLED_ATTEMPTS,
  Pacer,
  STALLED_MS,
  THROTTLED_BACKOFF_MS,
  TRANSIENT_BACKOFF_MS,
  type PacerClock,
} from '../../runbooks/lib/pacer';
import { prng } from '../../test-support/prng';

/** A clock whose time moves only when every pending task is waiting on it. */
class VirtualClock implements PacerClock {
  private time = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private readonly uniform: () => number;

  constructor(seed = 1) {
    this.uniform = prng(seed);
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, resolve }));
  }

  /** Seeded, so the jitter is the same on every run. */
  random(): number {
    return this.uniform();
  }

  /** Runs `work` to completion, advancing time to the next timer whenever nothing else can run. */
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const result = work.finally(() => (done = true));
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) return result;
      if (this.timers.length === 0) throw new Error('deadlock: work is pending but nothing waits on the clock');
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.time = next.at;
      next.resolve();
    }
  }
}

/** A server rate quota: a token bucket of `rate` per second holding at most `burst`; a rejection costs no token. */
function quota(clock: PacerClock, rate: number, burst: number): () => boolean {
  let tokens = burst;
  let at = clock.now();
  return () => {
    const now = clock.now();
    tokens = Math.min(burst, tokens + ((now - at) * rate) / 1000);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

interface Fleet {
  calls: number;
  concurrency: number;
  rttMs: number;
  /** Whether the server accepts an attempt arriving now, per key. */
  accepts: (key: string) => boolean;
  keys?: string[];
}

interface Outcome {
  elapsedMs: number;
  failed: number;
  attempts: number;
  throttled: number;
  /** Attempts that had to wait for the pacer, per key. */
  waited: Record<string, number>;
}

/** `calls` calls through `concurrency` workers; each call sends one attempt per key in turn and retries as told. */
async function simulate(clock: VirtualClock, pacer: Pacer, fleet: Fleet): Promise<Outcome> {
  const keys = fleet.keys ?? ['sts:AssumeRoot'];
  const outcome: Outcome = { elapsedMs: 0, failed: 0, attempts: 0, throttled: 0, waited: {} };
  const start = clock.now();
  let next = 0;
  const call = async (key: string): Promise<boolean> => {
    for (let attempt = 1; ; attempt += 1) {
      const wait = pacer.acquire(key, attempt > 1);
      if (wait) {
        outcome.waited[key] = (outcome.waited[key] ?? 0) + 1;
        await wait;
      }
      outcome.attempts += 1;
      const accepted = fleet.accepts(key);
      await clock.sleep(fleet.rttMs);
      pacer.record(key, accepted ? 'accepted' : 'throttled');
      if (accepted) return true;
      outcome.throttled += 1;
      const delay = pacer.retryDelay(key, 'throttled', attempt);
      if (delay === undefined) return false;
      await clock.sleep(delay);
    }
  };
  const worker = async (): Promise<void> => {
    while (next < fleet.calls) {
      next += 1;
      for (const key of keys) {
        if (!(await call(key))) {
          outcome.failed += 1;
          break;
        }
      }
    }
  };
  await clock.run(Promise.all(Array.from({ length: fleet.concurrency }, worker)));
  outcome.elapsedMs = clock.now() - start;
  return outcome;
}

/** Feeds `key` answers as a quota would: `accepted` accepted and `throttled` throttled, all now. */
function answers(pacer: Pacer, key: string, accepted: number, throttled: number): void {
  for (let i = 0; i < accepted; i += 1) pacer.record(key, 'accepted');
  for (let i = 0; i < throttled; i += 1) pacer.record(key, 'throttled');
}

describe('Pacer', () => {
  it('limits a key only once a third of enough answers are throttled, and releases it when that share falls', () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock });
    answers(pacer, 'one call', 0, 3);
    expect(pacer.stats()[0].rate).toBeNull();
    // Nothing accepted yet is no rate to pace at either: backoff alone spaces those retries.
    answers(pacer, 'one call', 0, 20);
    expect(pacer.stats()[0].rate).toBeNull();
    answers(pacer, 'noisy', 80, 20);
    expect(pacer.stats()[1].rate).toBeNull();
    answers(pacer, 'quota', 60, 40);
    const limited = pacer.stats()[2].rate;
    expect(limited).not.toBeNull();
    answers(pacer, 'quota', 100, 0);
    expect(pacer.stats()[2].rate).toBeNull();
  });

  it('costs nothing while nothing is throttled: no promise, no wait, no limit', () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock });
    for (let i = 0; i < 1000; i += 1) {
      expect(pacer.acquire('iam:GetAccountSummary')).toBeUndefined();
      pacer.record('iam:GetAccountSummary', 'accepted');
    }
    expect(pacer.stats()).toEqual([
      { key: 'iam:GetAccountSummary', accepted: 1000, throttled: 0, rate: null, lowestRate: null },
    ]);
  });

  it('under an AssumeRoot quota of 40/s, 1,000 calls finish within 1.3 × N/R, none fails, and fewer than 2 in 5 attempts are throttled', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock });
    const take = quota(clock, 40, 40);
    const outcome = await simulate(clock, pacer, { calls: 1000, concurrency: 32, rttMs: 100, accepts: () => take() });
    expect(outcome.failed).toBe(0);
    expect(outcome.elapsedMs).toBeLessThanOrEqual(1.3 * (1000 / 40) * 1000);
    expect(outcome.throttled / outcome.attempts).toBeLessThan(0.4);
    // With backoff alone (no pacing) the same fleet leaves the quota unused while its calls sleep ever longer.
    const unpaced = new VirtualClock();
    const blind = new Pacer({ clock: unpaced });
    blind.acquire = () => undefined;
    blind.record = () => undefined;
    const takeBlind = quota(unpaced, 40, 40);
    const backoffOnly = await simulate(unpaced, blind, {
      calls: 1000,
      concurrency: 32,
      rttMs: 100,
      accepts: () => takeBlind(),
    });
    expect(outcome.elapsedMs).toBeLessThan(backoffOnly.elapsedMs * 0.8);
  });

  /** The same random fleet with and without pacing: pacing must not be what slows it down. */
  async function randomFleet(share: number, paced: boolean): Promise<Outcome> {
    const clock = new VirtualClock(7);
    const pacer = new Pacer({ clock });
    if (!paced) pacer.acquire = () => undefined;
    return simulate(clock, pacer, { calls: 2000, concurrency: 32, rttMs: 100, accepts: () => clock.random() >= share });
  }

  it('does not slow down random throttling of 20%: few attempts wait, and no call fails', async () => {
    const [paced, free] = await Promise.all([randomFleet(0.2, true), randomFleet(0.2, false)]);
    expect(paced.failed).toBe(0);
    expect(paced.throttled).toBeGreaterThan(300);
    expect(paced.waited['sts:AssumeRoot'] ?? 0).toBeLessThan(paced.attempts * 0.15);
    expect(paced.elapsedMs).toBeLessThanOrEqual(free.elapsedMs * 1.1);
  });

  it.each([0.4, 0.6])(
    'does not collapse under random throttling of %p: it stays within 1.6× of not pacing',
    async (share) => {
      const [paced, free] = await Promise.all([randomFleet(share, true), randomFleet(share, false)]);
      expect(paced.failed).toBe(0);
      expect(paced.elapsedMs).toBeLessThanOrEqual(free.elapsedMs * 1.6);
    },
  );

  it('does not hold down calls that are each throttled twice before they pass (throttling by count, not rate)', async () => {
    const clock = new VirtualClock(2);
    const pacer = new Pacer({ clock });
    let call = 0;
    // Each call's first two attempts are throttled, whatever the rate: two answers in three.
    const paced = await simulate(clock, pacer, {
      calls: 2000,
      concurrency: 32,
      rttMs: 100,
      accepts: () => ++call % 3 === 0,
    });
    const free = await randomFleet(0, false);
    expect(paced.failed).toBe(0);
    // Three round trips per call instead of one, plus backoff: no more than 2× that.
    expect(paced.elapsedMs).toBeLessThanOrEqual(free.elapsedMs * 3 * 2);
  });

  it('fills a quota someone else drained before the run started', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock });
    const take = quota(clock, 40, 40);
    for (let i = 0; i < 40; i += 1) take();
    const outcome = await simulate(clock, pacer, { calls: 1000, concurrency: 32, rttMs: 100, accepts: () => take() });
    expect(outcome.failed).toBe(0);
    expect(outcome.elapsedMs).toBeLessThanOrEqual(1.1 * (1000 / 40) * 1000);
  });

  it('slows only the API that is throttled', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock });
    const take = quota(clock, 40, 10);
    const outcome = await simulate(clock, pacer, {
      calls: 400,
      concurrency: 32,
      rttMs: 50,
      keys: ['sts:AssumeRoot', 'iam:GetAccountSummary'],
      accepts: (key) => key !== 'sts:AssumeRoot' || take(),
    });
    expect(outcome.failed).toBe(0);
    expect(outcome.waited['sts:AssumeRoot']).toBeGreaterThan(0);
    expect(outcome.waited['iam:GetAccountSummary']).toBeUndefined();
    const byKey = Object.fromEntries(pacer.stats().map((s) => [s.key, s]));
    expect(byKey['iam:GetAccountSummary']).toMatchObject({ throttled: 0, rate: null, lowestRate: null });
    expect(byKey['sts:AssumeRoot'].lowestRate).toBeLessThan(200);
  });

  it('follows a quota that drops mid-run, without failing a call', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock });
    const fast = quota(clock, 80, 20);
    const slow = quota(clock, 20, 20);
    const outcome = await simulate(clock, pacer, {
      calls: 800,
      concurrency: 32,
      rttMs: 100,
      accepts: () => (clock.now() < 5_000 ? fast() : slow()),
    });
    expect(outcome.failed).toBe(0);
    // About 400 calls in the first 5 s at 80/s, then 20/s: 5 s + 400 / 20 = 25 s at best.
    expect(outcome.elapsedMs).toBeLessThanOrEqual(1.3 * 25_000);
    // The drop looks like throttling that pacing cannot help (both rates fall), so the key may send more per
    // accepted answer afterwards: more attempts are throttled, but none is lost.
    expect(outcome.throttled / outcome.attempts).toBeLessThan(0.6);
  });

  it('releases a key one window after its last throttling answer', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock, windowMs: 2_000 });
    answers(pacer, 'k', 10, 10);
    expect(pacer.stats()[0].rate).not.toBeNull();
    await clock.run(clock.sleep(1_000));
    expect(pacer.stats()[0].rate).not.toBeNull();
    await clock.run(clock.sleep(1_250));
    expect(pacer.stats()[0].rate).toBeNull();
    expect(pacer.acquire('k')).toBeUndefined();
  });

  it('lets retries go before first attempts while a key is limited', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock });
    answers(pacer, 'k', 5, 10);
    const order: string[] = [];
    // The first attempt takes the one token there is; of the two that have to queue, the retry goes first.
    expect(pacer.acquire('k', false)).toBeUndefined();
    const waits = [
      pacer.acquire('k', false)?.then(() => order.push('fresh')),
      pacer.acquire('k', true)?.then(() => order.push('retry')),
    ];
    await clock.run(Promise.all(waits));
    expect(order).toEqual(['retry', 'fresh']);
  });

  it('never lets a throttled key send faster than its limit', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ clock, windowMs: 2_000 });
    answers(pacer, 'k', 10, 10);
    const rate = pacer.stats()[0].rate!;
    const sent: number[] = [];
    await clock.run(
      Promise.all(
        Array.from({ length: 20 }, () => Promise.resolve(pacer.acquire('k')).then(() => sent.push(clock.now()))),
      ),
    );
    const spanS = (sent[sent.length - 1] - sent[0]) / 1000;
    expect((sent.length - 1) / spanS).toBeLessThanOrEqual(rate * 1.01);
  });
});

describe('Pacer.retryDelay', () => {
  const pacerAt = () => {
    const clock = new VirtualClock(3);
    return { clock, pacer: new Pacer({ clock }) };
  };

  it('waits a uniform time up to an exponential ceiling (full jitter), capped at MAX_BACKOFF_MS', () => {
    const { pacer } = pacerAt();
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
      const ceiling = Math.min(MAX_BACKOFF_MS, TRANSIENT_BACKOFF_MS * 2 ** (attempt - 1));
      const delays = Array.from({ length: 200 }, () => pacer.retryDelay('k', 'transient', attempt)!);
      expect(Math.max(...delays)).toBeLessThan(ceiling);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeGreaterThan(ceiling * 0.9);
    }
    expect(pacer.retryDelay('k', 'throttled', 1)!).toBeLessThan(THROTTLED_BACKOFF_MS);
    expect(pacer.retryDelay('k', 'throttled', 19)!).toBeLessThan(MAX_BACKOFF_MS);
  });

  it('gives up on other errors after MAX_ATTEMPTS, and on throttling only later', () => {
    const { pacer } = pacerAt();
    pacer.record('k', 'accepted');
    expect(pacer.retryDelay('k', 'transient', MAX_ATTEMPTS - 1)).toBeDefined();
    expect(pacer.retryDelay('k', 'transient', MAX_ATTEMPTS)).toBeUndefined();
    expect(pacer.retryDelay('k', 'throttled', MAX_ATTEMPTS)).toBeDefined();
    expect(pacer.retryDelay('k', 'throttled', MAX_THROTTLED_ATTEMPTS - 1)).toBeDefined();
    expect(pacer.retryDelay('k', 'throttled', MAX_THROTTLED_ATTEMPTS)).toBeUndefined();
  });

  it('stops retrying throttling once the API has accepted nothing for STALLED_MS', async () => {
    const { clock, pacer } = pacerAt();
    pacer.record('k', 'accepted');
    await clock.run(clock.sleep(STALLED_MS - 1));
    expect(pacer.retryDelay('k', 'throttled', MAX_ATTEMPTS)).toBeDefined();
    await clock.run(clock.sleep(1));
    expect(pacer.retryDelay('k', 'throttled', MAX_ATTEMPTS - 1)).toBeDefined();
    expect(pacer.retryDelay('k', 'throttled', MAX_ATTEMPTS)).toBeUndefined();
    // An API that never accepted anything counts from its first use.
    await clock.run(clock.sleep(1));
    expect(pacer.stalledMs('never-seen')).toBe(0);
  });

  it('honours a Retry-After hint, but stretches a wait by at most 5 s', () => {
    const { pacer } = pacerAt();
    expect(pacer.retryDelay('k', 'throttled', 1, 1_000)).toBe(1_000);
    const capped = pacer.retryDelay('k', 'throttled', 1, 60_000)!;
    expect(capped).toBeGreaterThanOrEqual(5_000);
    expect(capped).toBeLessThan(5_000 + THROTTLED_BACKOFF_MS);
  });
});
