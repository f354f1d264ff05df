// Token and DPoP-nonce reuse in real workerd: a cold isolate, reuse across requests, concurrent first
// requests, recovery from a token Okta stops accepting, the sealed KV cache, and KV-shared tokens across
// isolates (through the package's `tokenCache` connect option).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose';
import { KvTokenCache, MemoryTokenCache, tokenCacheFor } from '../../worker/src/token-cache.js';
import { randomSecret, ROOT, startWorld, waitForPackage } from './harness.mjs';

const PROBE = `${ROOT}/tests/worker/fixtures/kv-probe.js`;
await waitForPackage();

let w;
before(async () => {
  w = await startWorld({
    workers: {
      solo: {},
      other: {},
      burst: {},
      'edge-a': { kv: 'fleet' },
      'edge-b': { kv: 'fleet' },
      'edge-c': { kv: 'fleet', bindings: { TOKEN_CACHE_SECRET: randomSecret() } },
      'kv-no-secret': { kv: 'lonely', bindings: { TOKEN_CACHE_SECRET: undefined } },
      probe: { kv: 'probe', entry: PROBE },
    },
  });
});
after(() => w?.close());

/** Runs `fn` and returns what it did at the emulator: token POSTs and the /api/v1 requests. */
async function observe(fn) {
  const seen = w.emu.requests.length;
  const result = await fn();
  const requests = w.emu.requests.slice(seen);
  return {
    result,
    tokenPosts: requests.filter((r) => r.path === '/oauth2/v1/token'),
    api: requests.filter((r) => r.path.startsWith('/api/v1')),
  };
}

const tokenOf = (request) => request.headers.authorization.split(' ')[1];
const jktOf = (request) => calculateJwkThumbprint(decodeProtectedHeader(request.headers.dpop).jwk);
const get = (worker, login = 'alice@example.com') => w.call('GET', `/v1/users/${encodeURIComponent(login)}`, { worker });

describe('per isolate', () => {
  let soloToken;

  test('a cold isolate connects on its first request (nonce dance: two token POSTs)', async () => {
    const { result, tokenPosts, api } = await observe(() => get('solo'));
    assert.equal(result.status, 200, result.text);
    assert.equal(result.headers.get('x-okta-connect-isolate'), 'cold');
    assert.deepEqual(tokenPosts.map((r) => r.status), [400, 200]);
    assert.equal(api.length, 1);
    assert.equal(api[0].headers.authorization.split(' ')[0], 'DPoP');
    soloToken = tokenOf(api[0]);
  });

  test('later requests reuse the token, DPoP key and nonce: no token request at all', async () => {
    const { result, tokenPosts, api } = await observe(async () => {
      const answers = [];
      for (let i = 0; i < 3; i++) {
        answers.push(await get('solo', 'bob+test@example.com'));
        answers.push(await w.call('POST', `/v1/users/${encodeURIComponent('frank@example.com')}/reset-password`, { worker: 'solo', body: { sendEmail: false } }));
        answers.push(await w.call('POST', `/v1/users/${encodeURIComponent('grace@example.com')}/expire-password`, { worker: 'solo', body: { tempPassword: true } }));
        answers.push(await w.call('DELETE', `/v1/users/${encodeURIComponent('zoë@example.com')}/sessions`, { worker: 'solo' }));
      }
      return answers;
    });
    for (const answer of result) {
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers.get('x-okta-connect-isolate'), 'warm');
    }
    assert.equal(tokenPosts.length, 0);
    assert.ok(api.length >= 12);
    assert.deepEqual(new Set(api.map(tokenOf)), new Set([soloToken]));
    assert.equal(new Set(await Promise.all(api.map(jktOf))).size, 1);
  });

  test('another isolate without KV fetches its own token', async () => {
    const { result, tokenPosts, api } = await observe(() => get('other'));
    assert.equal(result.status, 200, result.text);
    assert.equal(result.headers.get('x-okta-connect-isolate'), 'cold');
    assert.equal(tokenPosts.filter((r) => r.status === 200).length, 1);
    assert.notEqual(tokenOf(api[0]), soloToken);
  });

  test('concurrent first requests share one connect and one token exchange', async () => {
    const logins = ['alice@example.com', 'bob+test@example.com', 'zoë@example.com', 'frank@example.com', 'grace@example.com', 'heidi@example.com', 'ivan@example.com', 'admin@example.com'];
    const { result, tokenPosts, api } = await observe(() => Promise.all(logins.map((login) => get('burst', login))));
    for (const answer of result) assert.equal(answer.status, 200, answer.text);
    assert.equal(result.filter((a) => a.headers.get('x-okta-connect-isolate') === 'cold').length, 1);
    assert.deepEqual(tokenPosts.map((r) => r.status), [400, 200]);
    assert.equal(new Set(api.map(tokenOf)).size, 1);
  });

  test('a token Okta stops accepting is replaced once (the nonce is still known), then reused', async () => {
    w.emu.tokens.find(soloToken, w.emu.nowSeconds()).exp = 0;
    const first = await observe(() => get('solo'));
    assert.equal(first.result.status, 200, first.result.text);
    assert.deepEqual(first.api.map((r) => r.status), [401, 200]);
    assert.deepEqual(first.tokenPosts.map((r) => r.status), [200]);
    const fresh = tokenOf(first.api[1]);
    assert.notEqual(fresh, soloToken);
    const again = await observe(() => get('solo'));
    assert.equal(again.tokenPosts.length, 0);
    assert.equal(tokenOf(again.api[0]), fresh);
  });

  test('POST /v1/verify always proves client authentication with a fresh token, then keeps it', async () => {
    const verify = await observe(() => w.call('POST', '/v1/verify', { worker: 'solo' }));
    assert.equal(verify.result.json.ok, true);
    assert.deepEqual(verify.tokenPosts.map((r) => r.status), [200]);
    const after = await observe(() => get('solo'));
    assert.equal(after.tokenPosts.length, 0);
    assert.equal(tokenOf(after.api[0]), tokenOf(verify.api.at(-1)));
  });
});

describe('token caches (worker/src/token-cache.js)', () => {
  test('MemoryTokenCache expires entries and stays bounded', async () => {
    const cache = new MemoryTokenCache({ maxEntries: 2 });
    await cache.put('a', 'A', { expirationTtl: 60 });
    assert.equal(await cache.get('a'), 'A');
    await cache.put('b', 'B', { expirationTtl: 0.001 });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(await cache.get('b'), null);
    await cache.put('b', 'B', { expirationTtl: 60 });
    await cache.put('c', 'C', { expirationTtl: 60 });
    assert.equal(cache.size, 2);
    assert.equal(await cache.get('a'), null);
    assert.equal(await cache.get('missing'), null);
  });

  test('tokenCacheFor: KV only with a strong TOKEN_CACHE_SECRET', () => {
    const kv = { get() {}, put() {} };
    assert.deepEqual(tokenCacheFor({}), { cache: undefined, kind: 'isolate' });
    assert.deepEqual(tokenCacheFor({ OKTA_TOKENS: kv, TOKEN_CACHE_SECRET: 'short' }), { cache: undefined, kind: 'isolate' });
    const shared = tokenCacheFor({ OKTA_TOKENS: kv, TOKEN_CACHE_SECRET: randomSecret() });
    assert.equal(shared.kind, 'kv');
    assert.ok(shared.cache instanceof KvTokenCache);
    assert.throws(() => new KvTokenCache(kv, 'short'), /at least 32/);
  });

  test('KvTokenCache in workerd: sealed at rest, bound to its key and secret, with the TTL', async () => {
    const probe = (body) => w.call('POST', '/', { worker: 'probe', body }).then((r) => {
      assert.equal(r.status, 200, r.text);
      return r.json;
    });
    const plain = JSON.stringify({ v: 1, accessToken: 'eyJ.secret-token.sig', tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000, tokenNonce: 'nonce-part' });
    await probe({ op: 'put', key: 'okta-connect:token:v1:abc', value: plain, ttl: 3540 });
    assert.deepEqual(await probe({ op: 'get', key: 'okta-connect:token:v1:abc' }), { value: plain });

    const kv = await w.mf.getKVNamespace('OKTA_TOKENS', 'probe');
    const { keys } = await kv.list();
    assert.deepEqual(keys.map((k) => k.name), ['okta-connect:token:v1:abc']);
    const ttl = keys[0].expiration - Date.now() / 1000;
    assert.ok(ttl > 3500 && ttl <= 3541, `ttl ${ttl}`);
    const sealed = await kv.get('okta-connect:token:v1:abc');
    assert.match(sealed, /^v1\.[\w-]{16}\.[\w-]+$/);
    assert.ok(!sealed.includes('secret-token') && !sealed.includes('nonce-part'));

    // Another secret, or the sealed value moved under another key, opens nothing.
    assert.deepEqual(await probe({ op: 'get', key: 'okta-connect:token:v1:abc', secret: randomSecret() }), { value: null });
    await kv.put('okta-connect:token:v1:other', sealed);
    assert.deepEqual(await probe({ op: 'get', key: 'okta-connect:token:v1:other' }), { value: null });
    await kv.put('okta-connect:token:v1:junk', 'v1.!!.??');
    assert.deepEqual(await probe({ op: 'get', key: 'okta-connect:token:v1:junk' }), { value: null });
    // KV refuses TTLs under 60 s: such a value is not stored.
    await probe({ op: 'put', key: 'okta-connect:token:v1:short', value: plain, ttl: 59 });
    assert.equal(await kv.get('okta-connect:token:v1:short'), null);
  });

  test('a KV binding without TOKEN_CACHE_SECRET keeps tokens per isolate and says so', async () => {
    const r = await w.call('POST', '/v1/verify', { worker: 'kv-no-secret' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.connection.tokenCache, 'isolate');
    assert.match(w.logs.join(''), /token_cache_disabled/);
  });
});

describe('KV-shared tokens across isolates', () => {
  let fleetToken;
  let fleetJkt;

  test('the first isolate fetches a token and stores it sealed in KV', async () => {
    const { result, tokenPosts, api } = await observe(() => get('edge-a'));
    assert.equal(result.status, 200, result.text);
    assert.deepEqual(tokenPosts.map((r) => r.status), [400, 200]);
    fleetToken = tokenOf(api[0]);
    fleetJkt = await jktOf(api[0]);
    const kv = await w.mf.getKVNamespace('OKTA_TOKENS', 'edge-a');
    const { keys } = await kv.list();
    assert.equal(keys.length, 1);
    const ttl = keys[0].expiration - Date.now() / 1000;
    assert.ok(ttl > 3400 && ttl <= 3600, `ttl ${ttl}`);
    const sealed = await kv.get(keys[0].name);
    assert.match(sealed, /^v1\./);
    assert.ok(!sealed.includes(fleetToken));
  });

  test('a cold isolate takes the shared token (same derived DPoP key): no token request', async () => {
    const { result, tokenPosts, api } = await observe(() => get('edge-b', 'bob+test@example.com'));
    assert.equal(result.status, 200, result.text);
    assert.equal(result.headers.get('x-okta-connect-isolate'), 'cold');
    assert.equal(tokenPosts.length, 0);
    assert.equal(tokenOf(api[0]), fleetToken);
    assert.equal(await jktOf(api[0]), fleetJkt);
    const verify = await w.call('POST', '/v1/verify', { worker: 'edge-b' });
    assert.equal(verify.json.connection.tokenCache, 'kv');
  });

  test('an isolate with another TOKEN_CACHE_SECRET cannot open the entry and fetches its own', async () => {
    const { result, tokenPosts, api } = await observe(() => get('edge-c'));
    assert.equal(result.status, 200, result.text);
    assert.equal(tokenPosts.filter((r) => r.status === 200).length, 1);
    assert.notEqual(tokenOf(api[0]), fleetToken);
  });
});
