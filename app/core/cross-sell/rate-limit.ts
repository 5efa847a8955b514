// A token bucket per key (client address + store) in memory: storefront endpoints are public, so
// one shopper's runaway script, or a bot, must not fill the Event table. Per process, which is
// enough to blunt abuse; a shared limit across web processes would need the database.
export interface RateLimiter {
  /** True when the request may go ahead; false when it should be answered 429. */
  take(key: string, now?: number): boolean;
}

export function createRateLimiter(opts: { perMinute: number; burst: number; maxKeys?: number }): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = opts.perMinute / 60_000;
  const maxKeys = opts.maxKeys ?? 100_000;
  return {
    take(key, now = Date.now()) {
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) buckets.clear(); // bounded memory; a reset only forgives
        buckets.set(key, (b = { tokens: opts.burst, at: now }));
      }
      b.tokens = Math.min(opts.burst, b.tokens + (now - b.at) * perMs);
      b.at = now;
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
