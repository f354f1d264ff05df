// One OktaClient per isolate, created lazily by the first request that needs it: `OktaClient.connect` draws
// randomness (the DPoP key) and workerd allows that only inside a request handler, never at module load.
// Later requests reuse the client, so its access token, DPoP key and nonces are reused for the token's hour.
import { OktaClient } from 'okta-connect';
import { HttpError } from './http.js';
import { tokenCacheFor } from './token-cache.js';

const REQUIRED = ['OKTA_ORG_URL', 'OKTA_CLIENT_ID', 'OKTA_PRIVATE_KEY'];
const DEFAULT_TIMEOUT_MS = 15_000;

/** `{ settings, promise }` of the isolate's client; replaced when the settings change. */
let current = null;

function settingsFrom(env) {
  const missing = REQUIRED.filter((name) => typeof env[name] !== 'string' || env[name].trim() === '');
  if (missing.length) {
    throw new HttpError(500, 'worker_misconfigured', `The worker is missing ${missing.join(', ')}.`, {
      fix: `Set ${missing.map((name) => `\`wrangler secret put ${name}\``).join(' and ')}.`,
    });
  }
  const timeoutMs = env.OKTA_TIMEOUT_MS ? Number(env.OKTA_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1000 || timeoutMs > 120_000) {
    throw new HttpError(500, 'worker_misconfigured', 'OKTA_TIMEOUT_MS must be a whole number of milliseconds between 1000 and 120000.');
  }
  return {
    orgUrl: env.OKTA_ORG_URL.trim(),
    clientId: env.OKTA_CLIENT_ID.trim(),
    privateKey: env.OKTA_PRIVATE_KEY,
    keyId: env.OKTA_KEY_ID?.trim() || undefined,
    allowedHosts: (env.OKTA_ALLOWED_HOSTS ?? '').split(',').map((host) => host.trim()).filter(Boolean),
    // Only for a local Okta emulator on http://127.0.0.1 (tests); never set in production.
    allowInsecureLoopback: env.OKTA_ALLOW_INSECURE_LOOPBACK === 'true',
    timeoutMs,
    kv: Boolean(env.OKTA_TOKENS),
    tokenCacheSecret: env.TOKEN_CACHE_SECRET,
  };
}

function sameSettings(a, b) {
  return a.orgUrl === b.orgUrl && a.clientId === b.clientId && a.privateKey === b.privateKey && a.keyId === b.keyId
    && a.allowedHosts.join() === b.allowedHosts.join() && a.allowInsecureLoopback === b.allowInsecureLoopback
    && a.timeoutMs === b.timeoutMs && a.kv === b.kv && a.tokenCacheSecret === b.tokenCacheSecret;
}

/**
 * The isolate's client for this environment: `{ client, tokenCache, cold }`. Concurrent first requests share
 * one `connect`; a failed `connect` is forgotten so the next request tries again.
 */
export async function clientFor(env) {
  const settings = settingsFrom(env);
  let cold = false;
  if (!current || !sameSettings(current.settings, settings)) {
    cold = true;
    const { orgUrl, clientId, privateKey, keyId, allowedHosts, allowInsecureLoopback, timeoutMs } = settings;
    const { cache: tokenCache, kind } = tokenCacheFor(env);
    const promise = OktaClient.connect(
      { orgUrl, clientId, privateKey, keyId },
      { allowedHosts, allowInsecureLoopback, timeoutMs, tokenCache },
    );
    const entry = { settings, promise, tokenCache: kind };
    promise.catch(() => {
      if (current === entry) current = null;
    });
    current = entry;
  }
  const { promise, tokenCache } = current;
  return { client: await promise, tokenCache, cold };
}
