/**
 * Pacing that follows what the server answers, one independent rate per key (per API), and the jittered backoff
 * between attempts.
 *
 * Why not AIMD or the AWS SDK's adaptive mode: both cut the rate on every throttling answer, so throttling that has
 * nothing to do with the rate (a noisy neighbour, 20% random rejections) drives them down to their floor, and the
 * SDK's limiter sits on a client, so one throttled API slows every API of that client. Here a key is limited while
 * a third or more of its recent answers are throttled, to 1.5 × the rate the server accepted in the window (adaptive
 * throttling as in Google's SRE book, delaying instead of rejecting):
 * - against a rate quota the limit converges on 1.5 × the quota within a window: the server stays saturated, and
 *   about a third of the attempts are throttled and come back through the queue, retries first;
 * - random throttling of less than a third of the answers never starts the limit;
 * - against heavier random throttling the limit would sink window after window, so a key whose accepted and sent
 *   rates both keep falling while it is paced (a quota would keep the accepted rate where it was) may send enough
 *   per accepted answer to leave room over its throttled share, up to 8;
 * - a key throttled before the server accepted anything is not limited (a limit of 1.5 × nothing would hold it at
 *   the floor); backoff alone spaces those retries until answers come.
 * A key is released when its throttled share falls well below a third, or its window holds no throttling answer.
 */

export interface PacerClock {
  /** Milliseconds, monotonic enough for intervals. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1): the jitter. */
  random(): number;
}

export const systemClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** What the server said to one attempt. `failed` is anything else (an error, a reset): it says nothing of rate. */
export type Answer = 'accepted' | 'throttled' | 'failed';

/** Why an attempt failed, for the retry decision. */
export type RetryReason = 'throttled' | 'transient';

export interface PacerOptions {
  clock?: PacerClock;
  /** How far back answers count, in ms. */
  windowMs?: number;
  /** While a key is throttled: sends allowed per answer accepted in the window. */
  sendsPerAccepted?: number;
}

export interface KeyStats {
  key: string;
  accepted: number;
  throttled: number;
  /** Sends per second allowed now; null while the key is not limited. */
  rate: number | null;
  /** The lowest limit the key had during the run; null if it never was limited. */
  lowestRate: number | null;
}

/** Attempts per call for errors that are not throttling (timeouts, resets, 5xx): the SDK's standard budget and more. */
export const MAX_ATTEMPTS = 8;
/**
 * Attempts per call for throttling while its API still accepts requests: the quota is above zero, so waiting works.
 * Paced, a call is throttled about one time in three, so this many in a row does not happen; the cap only ends a
 * call the server rejects for reasons of its own while it accepts everyone else's.
 */
export const MAX_THROTTLED_ATTEMPTS = 50;
/** An API that accepted nothing for this long is considered down: throttled calls then stop at MAX_ATTEMPTS. */
export const STALLED_MS = 60_000;
/** The longest wait between two attempts. */
export const MAX_BACKOFF_MS = 20_000;
/**
 * First backoff for throttling. Short on purpose: the pacer, not the backoff, holds the rate of a throttled API, so a
 * long first backoff would only stretch every account's latency under throttling that is random.
 */
export const THROTTLED_BACKOFF_MS = 25;
export const TRANSIENT_BACKOFF_MS = 100;
/** A hint from the server (Retry-After) is honoured, but never stretches a wait by more than this. */
const MAX_HINT_EXTRA_MS = 5_000;
/** A throttled retry of a paced key backs off at most THROTTLED_BACKOFF_MS × 2^this. */
const PACED_DOUBLINGS = 2;

const DEFAULT_WINDOW_MS = 2_000;
const DEFAULT_SENDS_PER_ACCEPTED = 1.5;
const BUCKETS = 8;
/** A limit never goes below this many sends per second, so a key whose quota is back is found again. */
const MIN_RATE = 1;
/** Burst a limited key may send at once: this many ms worth of its rate (at least one send). */
const BURST_MS = 100;
/** Fewer answers than this in the window never start limiting: one unlucky call is not a rate. */
const MIN_ANSWERS = 10;
/**
 * Nor do fewer accepted answers: the limit is a multiple of the accepted rate, and a key throttled from its first
 * request (someone else drained the quota) would be held near zero. Until the server accepts some, backoff alone
 * spaces the retries.
 */
const MIN_ACCEPTED = 5;
/** A limited key is released when its throttled share falls this far below the share that starts limiting. */
const RELEASE_GAP = 0.1;
/** Accepted and sent rates both below this share of their reference: pacing is what slows the key. */
const FALLEN = 0.8;
/** Then the sends allowed per accepted answer grow by this factor, up to the maximum. */
const RAISE = 2;
const MAX_SENDS_PER_ACCEPTED = 8;
/** A raise leaves this much room over the throttled share: sends per accepted answer ≥ HEADROOM / (1 − share). */
const HEADROOM = 1.25;

interface Waiter {
  resolve: () => void;
}

class KeyPace {
  readonly accepted: number[] = new Array<number>(BUCKETS).fill(0);
  readonly throttled: number[] = new Array<number>(BUCKETS).fill(0);
  /** Attempts that had to wait for a token, per bucket: a bucket without any was not paced. */
  readonly waited: number[] = new Array<number>(BUCKETS).fill(0);
  readonly sent: number[] = new Array<number>(BUCKETS).fill(0);
  /** Which bucket interval (now / bucketMs) each slot holds. */
  readonly slotOf: number[] = new Array<number>(BUCKETS).fill(-1);
  readonly firstAt: number;
  lastAcceptedAt: number | undefined;
  totalAccepted = 0;
  totalThrottled = 0;
  rate: number | undefined;
  lowestRate: number | undefined;
  /** Sends allowed per accepted answer; starts at the pacer's and is raised when pacing does not help. */
  sendsPerAccepted: number;
  /** When sendsPerAccepted was last set: a verdict on it needs a whole window paced at that value. */
  settledAt: number;
  /** Accepted and sent per second one window after sendsPerAccepted was set: what later windows compare to. */
  reference: { accepted: number; sent: number } | undefined;
  tokens = 0;
  refilledAt = 0;
  /** Retries go first: they have waited longest, and an account is done only when its last call is. */
  readonly retries: Waiter[] = [];
  readonly fresh: Waiter[] = [];
  draining = false;

  constructor(
    readonly key: string,
    now: number,
    sendsPerAccepted: number,
  ) {
    this.firstAt = now;
    this.settledAt = now;
    this.sendsPerAccepted = sendsPerAccepted;
  }

  get queued(): number {
    return this.retries.length + this.fresh.length;
  }

  next(): Waiter | undefined {
    return this.retries.shift() ?? this.fresh.shift();
  }
}

export class Pacer {
  private readonly clock: PacerClock;
  private readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly sendsPerAccepted: number;
  private readonly keys = new Map<string, KeyPace>();

  constructor(options: PacerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.bucketMs = this.windowMs / BUCKETS;
    this.sendsPerAccepted = options.sendsPerAccepted ?? DEFAULT_SENDS_PER_ACCEPTED;
    if (!(this.sendsPerAccepted > 1)) throw new RangeError('sendsPerAccepted must be above 1');
  }

  /**
   * Waits until `key` may send one attempt. Returns undefined (no promise, no wait) while the key is not limited,
   * which is the whole cost of pacing on an API that is not throttled.
   */
  acquire(key: string, retry = false): Promise<void> | undefined {
    const pace = this.pace(key);
    const now = this.clock.now();
    this.updateRate(pace, now);
    if (pace.rate === undefined && pace.queued === 0) {
      pace.sent[this.slot(pace, now)] += 1;
      return undefined;
    }
    if (pace.queued === 0 && pace.rate !== undefined) {
      this.refill(pace, now);
      if (pace.tokens >= 1) {
        pace.tokens -= 1;
        pace.sent[this.slot(pace, now)] += 1;
        return undefined;
      }
    }
    pace.waited[this.slot(pace, now)] += 1;
    return new Promise<void>((resolve) => {
      (retry ? pace.retries : pace.fresh).push({ resolve });
      void this.drain(pace);
    });
  }

  /** Feeds one answer of `key` into its rate. */
  record(key: string, answer: Answer): void {
    if (answer === 'failed') return;
    const pace = this.pace(key);
    const now = this.clock.now();
    const slot = this.slot(pace, now);
    if (answer === 'accepted') {
      pace.accepted[slot] += 1;
      pace.totalAccepted += 1;
      pace.lastAcceptedAt = now;
    } else {
      pace.throttled[slot] += 1;
      pace.totalThrottled += 1;
    }
    this.updateRate(pace, now);
  }

  /**
   * How long to wait before attempt `attempt + 1` of a call of `key` whose attempt `attempt` (1-based) failed for
   * `reason`, or undefined when the call should give up. Full jitter (a uniform wait up to an exponentially growing
   * ceiling) keeps retries of many calls from arriving together. Throttling is retried for as long as the API still
   * accepts anyone's requests; only an API that accepted nothing for STALLED_MS is given up on, after MAX_ATTEMPTS.
   */
  retryDelay(key: string, reason: RetryReason, attempt: number, hintMs?: number): number | undefined {
    if (reason === 'throttled') {
      if (attempt >= MAX_THROTTLED_ATTEMPTS) return undefined;
      if (attempt >= MAX_ATTEMPTS && this.stalledMs(key) >= STALLED_MS) return undefined;
    } else if (attempt >= MAX_ATTEMPTS) {
      return undefined;
    }
    const base = reason === 'throttled' ? THROTTLED_BACKOFF_MS : TRANSIENT_BACKOFF_MS;
    // While the pacer holds a throttled key's rate, its queue spaces the retries; a backoff that kept doubling
    // would instead park calls for seconds while the quota refills unused.
    const paced = reason === 'throttled' && this.pace(key).rate !== undefined;
    const doublings = Math.min(attempt - 1, paced ? PACED_DOUBLINGS : 30);
    const ceiling = Math.min(MAX_BACKOFF_MS, base * 2 ** doublings);
    const delay = Math.floor(this.clock.random() * ceiling);
    if (hintMs === undefined || !(hintMs > delay)) return delay;
    return Math.min(hintMs, delay + MAX_HINT_EXTRA_MS);
  }

  /** How long `key` has accepted nothing (since its last accepted answer, or since its first use). */
  stalledMs(key: string): number {
    const pace = this.pace(key);
    return this.clock.now() - (pace.lastAcceptedAt ?? pace.firstAt);
  }

  /** Every key used so far, with its answers and limits: for the run's summary and the benchmarks. */
  stats(): KeyStats[] {
    const now = this.clock.now();
    return [...this.keys.values()].map((pace) => {
      this.updateRate(pace, now);
      return {
        key: pace.key,
        accepted: pace.totalAccepted,
        throttled: pace.totalThrottled,
        rate: pace.rate ?? null,
        lowestRate: pace.lowestRate ?? null,
      };
    });
  }

  private pace(key: string): KeyPace {
    let pace = this.keys.get(key);
    if (pace === undefined) {
      pace = new KeyPace(key, this.clock.now(), this.sendsPerAccepted);
      this.keys.set(key, pace);
    }
    return pace;
  }

  /** The bucket for `now`, emptied first if it still holds an interval that has left the window. */
  private slot(pace: KeyPace, now: number): number {
    const interval = Math.floor(now / this.bucketMs);
    const slot = interval % BUCKETS;
    if (pace.slotOf[slot] !== interval) {
      pace.slotOf[slot] = interval;
      pace.accepted[slot] = 0;
      pace.throttled[slot] = 0;
      pace.waited[slot] = 0;
      pace.sent[slot] = 0;
    }
    return slot;
  }

  private updateRate(pace: KeyPace, now: number): void {
    const current = Math.floor(now / this.bucketMs);
    let accepted = 0;
    let throttled = 0;
    let sent = 0;
    let pacedBuckets = 0;
    for (let slot = 0; slot < BUCKETS; slot += 1) {
      if (current - pace.slotOf[slot] < BUCKETS) {
        accepted += pace.accepted[slot];
        throttled += pace.throttled[slot];
        sent += pace.sent[slot];
        if (pace.waited[slot] > 0) pacedBuckets += 1;
      }
    }
    // Limiting starts when at least the share of answers is throttled that pacing itself leaves against a quota
    // (1 − 1/k: what exceeds the quota), and ends well below it, so random throttling under that share, which
    // pacing cannot reduce, is never paced. A handful of answers is no evidence either way.
    const answers = accepted + throttled;
    const share = answers === 0 ? 0 : throttled / answers;
    const engageAt = 1 - 1 / this.sendsPerAccepted;
    const limited =
      pace.rate === undefined
        ? answers >= MIN_ANSWERS && accepted >= MIN_ACCEPTED && share >= engageAt
        : throttled > 0 && share >= engageAt - RELEASE_GAP;
    if (!limited) {
      pace.rate = undefined;
      pace.sendsPerAccepted = this.sendsPerAccepted;
      pace.reference = undefined;
      return;
    }
    // The buckets counted cover the current one so far and the seven before it; a key younger than that is
    // measured over its age, so a run throttled from its first second is not held to a rate averaged over time
    // it did not exist.
    const coveredMs = (BUCKETS - 1) * this.bucketMs + (now - current * this.bucketMs);
    const spanMs = Math.max(1, Math.min(coveredMs, now - pace.firstAt));
    if (pace.rate === undefined) {
      pace.tokens = 1;
      pace.refilledAt = now;
      pace.settledAt = now;
      pace.reference = undefined;
    } else if (pacedBuckets === BUCKETS && now - pace.settledAt >= this.windowMs) {
      this.judge(pace, now, (accepted * 1000) / spanMs, (sent * 1000) / spanMs, share);
    }
    // One accepted answer is assumed, so that a key throttled before anything was accepted still probes.
    const rate = Math.max(MIN_RATE, (pace.sendsPerAccepted * (accepted + 1) * 1000) / spanMs);
    pace.rate = rate;
    pace.lowestRate = Math.min(pace.lowestRate ?? rate, rate);
  }

  /**
   * Whether pacing a key costs it accepted requests. Against a quota, sending less leaves the accepted rate where it
   * was (the quota); against throttling that is random, the accepted rate falls with the sent rate, window after
   * window, and pacing would slow the key to its floor. So a key whose accepted and sent rates have both fallen well
   * below where they were one window into its pacing may send more per accepted answer. (A quota that drops looks
   * the same and gets the raise too; that costs throttled attempts, never accepted ones. Going back down on a
   * holding accepted rate was tried, and so was probing with more sends: under heavy random throttling both
   * oscillate into the very collapse this prevents.)
   */
  private judge(pace: KeyPace, now: number, accepted: number, sent: number, share: number): void {
    const reference = pace.reference;
    if (reference === undefined) {
      pace.reference = { accepted, sent };
      return;
    }
    if (accepted < FALLEN * reference.accepted && sent < FALLEN * reference.sent) {
      // Enough sends per accepted answer to leave room over the throttled share, and at least twice as many.
      const needed = HEADROOM / Math.max(1 - share, 1 / MAX_SENDS_PER_ACCEPTED);
      pace.sendsPerAccepted = Math.min(MAX_SENDS_PER_ACCEPTED, Math.max(pace.sendsPerAccepted * RAISE, needed));
      pace.settledAt = now;
      pace.reference = undefined;
    }
  }

  private refill(pace: KeyPace, now: number): void {
    const rate = pace.rate ?? 0;
    const burst = Math.max(1, (rate * BURST_MS) / 1000);
    pace.tokens = Math.min(burst, pace.tokens + ((now - pace.refilledAt) * rate) / 1000);
    pace.refilledAt = now;
  }

  /** Lets queued attempts of `key` go, one token each; one drain loop per key at a time. */
  private async drain(pace: KeyPace): Promise<void> {
    if (pace.draining) return;
    pace.draining = true;
    try {
      while (pace.queued > 0) {
        const now = this.clock.now();
        this.updateRate(pace, now);
        if (pace.rate === undefined) {
          // No longer throttled: everyone waiting may go.
          for (let waiter = pace.next(); waiter; waiter = pace.next()) {
            pace.sent[this.slot(pace, now)] += 1;
            waiter.resolve();
          }
          break;
        }
        this.refill(pace, now);
        if (pace.tokens >= 1) {
          pace.tokens -= 1;
          pace.sent[this.slot(pace, now)] += 1;
          pace.next()?.resolve();
          continue;
        }
        await this.clock.sleep(Math.max(1, Math.ceil(((1 - pace.tokens) * 1000) / pace.rate)));
      }
    } finally {
      pace.draining = false;
    }
  }
}
