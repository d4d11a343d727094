/**
 * A value that expires and is renewed before it does: temporary credentials handed to a process that outlives
 * them. The renewal starts a window before the end (at most `maxWindowMs`, or a quarter of a short lifetime),
 * both on a timer and on demand, and never twice at once. While a renewal is failing the current value is still
 * handed out until it expires; the failure is retried, and reported through `onError`.
 */
export interface Expiring {
  readonly expiration: Date;
}

export interface RenewingOptions<T extends Expiring> {
  /** Gets a new value; called again after a failure. */
  readonly renew: () => Promise<T>;
  readonly onError: (error: unknown) => void;
  /** Default 5 minutes: the AWS SDKs' own refresh window. */
  readonly maxWindowMs?: number;
}

export class Renewing<T extends Expiring> {
  private value: T;
  private issuedAt: number;
  private pending: Promise<T> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private retryAt = 0;
  private lastError: unknown;

  constructor(
    first: T,
    private readonly options: RenewingOptions<T>,
  ) {
    this.value = first;
    this.issuedAt = Date.now();
    this.schedule(this.renewAt());
  }

  /**
   * The current value; a renewal that is due is started, and waited for only once the value has expired. After a
   * failed renewal the next attempt waits for its retry time, so a burst of callers cannot hammer the source.
   */
  async current(): Promise<T> {
    const now = Date.now();
    const due = now >= this.renewAt() && now >= this.retryAt;
    if (now < this.value.expiration.getTime()) {
      if (due) void this.renewNow().catch(() => undefined);
      return this.value;
    }
    if (this.pending === undefined && !due && this.lastError !== undefined) throw this.lastError;
    return this.renewNow();
  }

  /** Ends the timer; a renewal in flight is left to finish, its value unused. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private renewAt(): number {
    const end = this.value.expiration.getTime();
    const window = Math.min(this.options.maxWindowMs ?? 5 * 60_000, (end - this.issuedAt) / 4);
    return end - window;
  }

  private renewNow(): Promise<T> {
    this.pending ??= this.options.renew().then(
      (value) => {
        this.pending = undefined;
        this.lastError = undefined;
        this.retryAt = 0;
        this.value = value;
        this.issuedAt = Date.now();
        this.schedule(this.renewAt());
        return value;
      },
      (error: unknown) => {
        this.pending = undefined;
        this.lastError = error;
        this.options.onError(error);
        // Retry while the current value lasts: after a quarter of what is left, at least 1 s, at most 30 s.
        const left = this.value.expiration.getTime() - Date.now();
        this.retryAt = Date.now() + Math.min(30_000, Math.max(1_000, left / 4));
        this.schedule(this.retryAt);
        throw error;
      },
    );
    return this.pending;
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renewNow().catch(() => undefined), Math.max(0, at - Date.now()));
  }
}
