// Fixed-window request buckets per endpoint group and client, with Okta's X-Rate-Limit-* headers.
export class RateLimiter {
  #windows = new Map();

  /**
   * Counts one request. Returns the headers every response carries and whether the bucket was
   * already exhausted (the request is then not counted).
   */
  take(group, clientId, { limit, windowSeconds }, now) {
    const key = `${group} ${clientId}`;
    let window = this.#windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + windowSeconds };
      this.#windows.set(key, window);
    }
    const limited = window.count >= limit;
    if (!limited) window.count += 1;
    return {
      limited,
      headers: {
        'X-Rate-Limit-Limit': String(limit),
        'X-Rate-Limit-Remaining': String(Math.max(limit - window.count, 0)),
        'X-Rate-Limit-Reset': String(window.resetAt),
      },
    };
  }

  clear() {
    this.#windows.clear();
  }
}
