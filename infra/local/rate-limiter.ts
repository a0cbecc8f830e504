/**
 * A token bucket per client: `burst` requests at once, refilled at `perMinute`. What stands in locally for
 * the API stage's throttling of the action page's routes (which in AWS is per route, not per client).
 */
export const createRateLimiter = (options: { perMinute: number; burst: number; nowMs?: () => number }) => {
  const nowMs = options.nowMs ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** Whether this client may make a request now (and takes a token if so). */
    take(client: string): boolean {
      const now = nowMs();
      const bucket = buckets.get(client) ?? { tokens: options.burst, at: now };
      bucket.tokens = Math.min(
        options.burst,
        bucket.tokens + ((now - bucket.at) / 60_000) * options.perMinute,
      );
      bucket.at = now;
      buckets.set(client, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
};
