/**
 * The fault proxy's rate quotas: a token bucket per action, refilled continuously, as AWS meters its APIs (a steady
 * rate and a burst). A request that finds no token is refused and takes none.
 */

export interface Quota {
  /** Tokens added per second. */
  rate: number;
  /** Tokens the bucket holds at most, and starts with. Default: one second's worth (at least 1). */
  burst?: number;
}

/** By action (`AssumeRoot`), by service and action (`sts:AssumeRoot`), or `*` for every action not named. */
export type QuotaOptions = Readonly<Record<string, Quota>>;

export interface QuotaBuckets {
  /** Whether a request for `service` `action` arriving now may pass; takes its token if so. */
  take(service: string, action: string): boolean;
}

interface Bucket {
  rate: number;
  burst: number;
  tokens: number;
  at: number;
}

export function validateQuotas(quotas: QuotaOptions): void {
  for (const [key, quota] of Object.entries(quotas)) {
    if (!(Number.isFinite(quota.rate) && quota.rate > 0)) {
      throw new Error(`proxy quota ${key}: rate must be a positive number of requests per second, got ${quota.rate}`);
    }
    if (quota.burst !== undefined && !(Number.isFinite(quota.burst) && quota.burst >= 1)) {
      throw new Error(`proxy quota ${key}: burst must be at least 1, got ${quota.burst}`);
    }
  }
}

export function quotaBuckets(quotas: QuotaOptions, now: () => number = () => performance.now()): QuotaBuckets {
  validateQuotas(quotas);
  const buckets = new Map<string, Bucket>();
  const bucketFor = (service: string, action: string): Bucket | undefined => {
    const named = `${service}:${action}`;
    const key = quotas[named] ? named : quotas[action] ? action : quotas['*'] ? `* ${named}` : undefined;
    if (key === undefined) return undefined;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      const quota = quotas[named] ?? quotas[action] ?? quotas['*'];
      const burst = quota.burst ?? Math.max(1, quota.rate);
      bucket = { rate: quota.rate, burst, tokens: burst, at: now() };
      buckets.set(key, bucket);
    }
    return bucket;
  };
  return {
    take(service, action) {
      const bucket = bucketFor(service, action);
      if (bucket === undefined) return true;
      const at = now();
      bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((at - bucket.at) * bucket.rate) / 1000);
      bucket.at = at;
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
