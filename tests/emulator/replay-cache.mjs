// Remembers one-time identifiers (assertion and DPoP proof `jti`s) until they could no longer pass
// the time checks anyway.
export class ReplayCache {
  #expiries = new Map();

  /** Records `key`; false when it was already recorded and has not expired. */
  claim(key, expiresAt, now) {
    for (const [seen, expiry] of this.#expiries) {
      if (expiry < now) this.#expiries.delete(seen);
    }
    if (this.#expiries.has(key)) return false;
    this.#expiries.set(key, expiresAt);
    return true;
  }

  clear() {
    this.#expiries.clear();
  }
}
