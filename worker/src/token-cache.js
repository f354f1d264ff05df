// Token caches for okta-connect's `tokenCache` connect option (see worker/README.md).
// The interface is two methods, the shape of a Workers KV namespace:
//
//   interface TokenCache {
//     get(key: string): Promise<string | null | undefined>;
//     put(key: string, value: string, options: { expirationTtl: number }): Promise<void>;  // seconds, >= 60
//   }
//
// The package reads the cache before it requests a token and writes every token it gets. A value is opaque
// to the worker: an access token with its expiry and the DPoP nonces, never a private key. A DPoP-bound token
// is useless without the DPoP key, which each client derives from the Okta private key (so every isolate of
// one deployment holds the same DPoP key and can use a shared token); a Bearer token (an app with DPoP off) is
// usable by whoever holds it. So anything that stores values outside the isolate seals them: `KvTokenCache`.
//
// Nothing here runs at module load except creating an empty Map: no randomness, no I/O (workerd forbids both
// outside a request).

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MIN_SECRET_LENGTH = 32;
/** Workers KV refuses shorter TTLs. */
export const MIN_TTL_SECONDS = 60;

/**
 * A per-isolate (per-process) cache: a bounded Map whose entries expire. For hosts that create several clients
 * for one org in the same isolate or process (a client per request, a pool of tenants); this worker keeps one
 * client per isolate instead, whose session already holds the token.
 */
export class MemoryTokenCache {
  #entries = new Map();
  #maxEntries;

  constructor({ maxEntries = 100 } = {}) {
    this.#maxEntries = maxEntries;
  }

  async get(key) {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async put(key, value, { expirationTtl }) {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value);
    this.#entries.set(key, { value, expiresAt: Date.now() + expirationTtl * 1000 });
  }

  /** Number of live entries (tests, diagnostics). */
  get size() {
    return this.#entries.size;
  }
}

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64url(text) {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** AES-256-GCM key derived from the secret with HKDF-SHA-256 (derived lazily, inside a request). */
async function deriveKey(secret) {
  const base = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('okta-connect worker token cache'), info: encoder.encode('AES-256-GCM v1') },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

const SEALED_PREFIX = 'v1.';

/**
 * A Workers KV namespace holding AES-GCM-sealed values: `v1.<iv>.<ciphertext>` (base64url), the KV key bound
 * in as additional data so an entry cannot be replayed under another key. A value that does not open (another
 * secret, tampering, an old format) is a miss, and the next put overwrites it. KV failures are misses too:
 * the worker then fetches its own token.
 */
export class KvTokenCache {
  #namespace;
  #secret;
  #key = null;

  constructor(namespace, secret) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) throw new TypeError(`the token cache secret must be at least ${MIN_SECRET_LENGTH} characters`);
    this.#namespace = namespace;
    this.#secret = secret;
  }

  #cryptoKey() {
    this.#key ??= deriveKey(this.#secret).catch((error) => {
      this.#key = null;
      throw error;
    });
    return this.#key;
  }

  async get(key) {
    let sealed;
    try {
      sealed = await this.#namespace.get(key);
    } catch (error) {
      console.warn(JSON.stringify({ event: 'token_cache_read_failed', type: error?.name }));
      return null;
    }
    if (typeof sealed !== 'string' || !sealed.startsWith(SEALED_PREFIX)) return null;
    try {
      const [iv, ciphertext] = sealed.slice(SEALED_PREFIX.length).split('.');
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64url(iv), additionalData: encoder.encode(key) },
        await this.#cryptoKey(),
        fromBase64url(ciphertext),
      );
      return decoder.decode(plain);
    } catch {
      return null;
    }
  }

  async put(key, value, { expirationTtl }) {
    if (!(expirationTtl >= MIN_TTL_SECONDS)) return;
    try {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(key) },
        await this.#cryptoKey(),
        encoder.encode(value),
      );
      await this.#namespace.put(key, `${SEALED_PREFIX}${base64url(iv)}.${base64url(new Uint8Array(ciphertext))}`, {
        expirationTtl: Math.floor(expirationTtl),
      });
    } catch (error) {
      console.warn(JSON.stringify({ event: 'token_cache_write_failed', type: error?.name }));
    }
  }
}

let warnedNoSecret = false;

/**
 * The shared cache for this environment: `{ cache, kind }`. With the `OKTA_TOKENS` KV namespace bound and a
 * strong `TOKEN_CACHE_SECRET`, a `KvTokenCache` (kind 'kv'); otherwise no shared cache (kind 'isolate'): the
 * isolate's one client keeps its token, DPoP key and nonces in its session, and the DPoP key stays a random,
 * non-extractable one.
 *
 * The KV cache is deliberately not fronted by a `MemoryTokenCache`: a local copy would hide a newer token
 * another isolate wrote, and the client already holds its token between requests.
 */
export function tokenCacheFor(env) {
  if (env.OKTA_TOKENS) {
    if (typeof env.TOKEN_CACHE_SECRET === 'string' && env.TOKEN_CACHE_SECRET.length >= MIN_SECRET_LENGTH) {
      return { cache: new KvTokenCache(env.OKTA_TOKENS, env.TOKEN_CACHE_SECRET), kind: 'kv' };
    }
    if (!warnedNoSecret) {
      warnedNoSecret = true;
      console.warn(JSON.stringify({ event: 'token_cache_disabled', reason: `OKTA_TOKENS is bound but TOKEN_CACHE_SECRET is missing or shorter than ${MIN_SECRET_LENGTH} characters` }));
    }
  }
  return { cache: undefined, kind: 'isolate' };
}
