// The token and DPoP protocol as the emulated org sees it: nonce discovery and rotation, fresh jtis on every
// attempt, token reuse and renewal, and concurrency (one token exchange for many callers).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AccessTokens } from '../emulator/access-tokens.mjs';
import {
  SIGNINGS, TOKEN_PATH, addUser, apiRequests, assertAllDistinct, assertionOf, proofOf, rejectsWith, since, sleep, startOrg,
  strongPassword, tokenPosts,
} from './support.mjs';

const ath = (token) => createHash('sha256').update(token, 'ascii').digest('base64url');
const describeRequests = (requests) => requests.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ');

let org;
before(async () => {
  org = await startOrg();
});
after(() => org.close());

for (const signing of SIGNINGS) {
  describe(`${signing}: DPoP nonces`, () => {
    test('a cold client discovers the nonce: exactly 2 token POSTs (400 use_dpop_nonce, then 200), fresh jtis', async () => {
      const { emu, demo } = org;
      const client = await org.connect(signing);
      const mark = emu.requests.length;
      const user = await client.getUser(demo.users[0].id);
      assert.equal(user.id, demo.users[0].id);
      const requests = since(emu, mark);
      const posts = tokenPosts(requests);
      assert.deepEqual(posts.map((r) => r.status), [400, 200], describeRequests(requests));
      assert.deepEqual(requests.map((r) => r.path), [TOKEN_PATH, TOKEN_PATH, `/api/v1/users/${user.id}`]);
      const [first, second] = posts.map(proofOf);
      assert.equal(first.claims.nonce, undefined, 'the first proof has no nonce');
      assert.equal(second.claims.nonce, emu.nonces.current, 'the retry carries the nonce Okta sent');
      for (const proof of [first, second]) {
        assert.equal(proof.claims.htm, 'POST');
        assert.equal(proof.claims.htu, emu.tokenUrl);
        assert.equal(proof.header.typ, 'dpop+jwt');
      }
      assertAllDistinct(posts.map((r) => assertionOf(r).claims.jti), 'assertion jtis of the nonce retry');
      assertAllDistinct(requests.map((r) => proofOf(r).claims.jti), 'proof jtis');
      const body = new URLSearchParams(posts[1].body);
      assert.equal(body.get('grant_type'), 'client_credentials');
      assert.equal(body.get('scope'), 'okta.users.manage');
      assert.equal(body.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      assert.equal(posts[1].headers['content-type'], 'application/x-www-form-urlencoded');
    });

    test('with a cached nonce a new token takes exactly 1 token POST', async () => {
      const { emu } = org;
      const client = await org.connect(signing);
      await client.accessToken();
      const nonce = emu.nonces.current;
      const mark = emu.requests.length;
      const result = await client.verify();
      assert.equal(result.ok, true);
      const posts = tokenPosts(since(emu, mark));
      assert.deepEqual(posts.map((r) => r.status), [200]);
      assert.equal(proofOf(posts[0]).claims.nonce, nonce);
      assert.doesNotMatch(result.checks.find((c) => c.id === 'dpop').detail, /DPoP-Nonce challenge/);
    });

    test('nonce rotated mid-session (previous one revoked): one extra retry with the new nonce, fresh jtis, success', async () => {
      const { emu } = org;
      const client = await org.connect(signing);
      await client.accessToken();
      const oldNonce = emu.nonces.current;
      const newNonce = emu.rotateNonce({ keepPrevious: false });
      const mark = emu.requests.length;
      const result = await client.verify();
      assert.equal(result.ok, true, JSON.stringify(result.checks));
      assert.match(result.checks.find((c) => c.id === 'dpop').detail, /after the DPoP-Nonce challenge/);
      const posts = tokenPosts(since(emu, mark));
      assert.deepEqual(posts.map((r) => r.status), [400, 200]);
      assert.deepEqual(posts.map((r) => proofOf(r).claims.nonce), [oldNonce, newNonce]);
      assertAllDistinct(posts.map((r) => assertionOf(r).claims.jti), 'assertion jtis');
      assertAllDistinct(posts.map((r) => proofOf(r).claims.jti), 'proof jtis');
    });

    test('nonce rotated with the previous one kept: no retry, and the client adopts the new nonce from the 200', async () => {
      const { emu } = org;
      const client = await org.connect(signing);
      await client.accessToken();
      const oldNonce = emu.nonces.current;
      const newNonce = emu.rotateNonce({ keepPrevious: true });
      const mark = emu.requests.length;
      await client.verify();
      await client.verify();
      const posts = tokenPosts(since(emu, mark));
      assert.deepEqual(posts.map((r) => r.status), [200, 200]);
      assert.deepEqual(posts.map((r) => proofOf(r).claims.nonce), [oldNonce, newNonce]);
    });

    test('a nonce that changes on every request ends in okta_dpop_nonce_loop after one retry', async () => {
      const { emu } = org;
      const rotatingFetch = (url, init) => {
        if (String(url).endsWith(TOKEN_PATH)) emu.rotateNonce({ keepPrevious: false });
        return fetch(url, init);
      };
      const client = await org.connect(signing, {}, { fetch: rotatingFetch });
      const mark = emu.requests.length;
      const error = await rejectsWith(client.getUser(org.demo.users[0].id), 'okta_dpop_nonce_loop', { status: 400, errorCode: 'use_dpop_nonce' });
      assert.equal(error.retryable, true);
      assert.equal(tokenPosts(since(emu, mark)).length, 2);
      assert.equal(apiRequests(since(emu, mark)).length, 0);
      const result = await client.verify();
      assert.equal(result.ok, false);
      const dpop = result.checks.find((c) => c.id === 'dpop');
      assert.deepEqual([dpop.status, dpop.code], ['fail', 'okta_dpop_nonce_loop']);
      assert.deepEqual(result.checks.map((c) => c.status), ['pass', 'pass', 'pass', 'fail', 'skip', 'skip']);
    });

    test('API nonces (apiNonceRequired): discovered once, cached, and re-learnt after a rotation; a change is applied once', async (t) => {
      const { emu, demo } = org;
      emu.apiNonceRequired = true;
      t.after(() => {
        emu.apiNonceRequired = false;
      });
      const client = await org.connect(signing);
      const user = addUser(emu);
      let mark = emu.requests.length;
      await client.getUser(user.id);
      let requests = since(emu, mark);
      assert.deepEqual(apiRequests(requests).map((r) => r.status), [401, 200], describeRequests(requests));
      assert.equal(tokenPosts(requests).length, 2);
      const gets = apiRequests(requests).map(proofOf);
      assert.equal(gets[0].claims.nonce, undefined);
      assert.equal(gets[1].claims.nonce, emu.nonces.current);
      assertAllDistinct(gets.map((p) => p.claims.jti), 'proof jtis');

      mark = emu.requests.length;
      await client.getUser(demo.users[0].id);
      assert.deepEqual(since(emu, mark).map((r) => r.status), [200], 'the cached API nonce is reused');

      emu.rotateNonce({ keepPrevious: false });
      mark = emu.requests.length;
      const password = strongPassword();
      const updated = await client.setPassword(user.id, password);
      assert.equal(updated.id, user.id);
      requests = since(emu, mark);
      assert.deepEqual(requests.map((r) => `${r.method} ${r.status}`), ['POST 401', 'POST 200']);
      assert.equal(user.password, password);
      assert.equal(user.passwordChangedCount, 1, 'applied exactly once');
    });
  });

  describe(`${signing}: token reuse, renewal and concurrency`, () => {
    test('one token serves every operation; every API proof binds method, URL without query, and the token', async () => {
      const { emu } = org;
      const client = await org.connect(signing);
      const user = addUser(emu);
      const mark = emu.requests.length;
      await client.getUser(user.id);
      await client.getUser(user.profile.login);
      await client.setPassword(user.id, strongPassword(), { revokeSessions: true });
      await client.resetPassword(user.id, { sendEmail: false });
      await client.expirePassword(user.id, { tempPassword: true });
      await client.expirePassword(user.id);
      await client.revokeSessions(user.id);
      const requests = since(emu, mark);
      assert.equal(tokenPosts(requests).length, 2, describeRequests(requests));
      const api = apiRequests(requests);
      assert.equal(api.length, 8, describeRequests(requests));
      const token = await client.accessToken();
      const jtis = [];
      for (const request of api) {
        assert.equal(request.headers.authorization, `DPoP ${token}`);
        assert.equal(request.headers.accept, 'application/json');
        const { claims } = proofOf(request);
        assert.equal(claims.htm, request.method);
        assert.equal(claims.htu, `${emu.orgUrl}${request.path}`, 'htu is the URL without its query');
        assert.equal(claims.ath, ath(token));
        jtis.push(claims.jti);
      }
      assertAllDistinct(jtis, 'API proof jtis');
      assert.ok(api.every((r) => r.status >= 200 && r.status < 300), describeRequests(api));
    });

    test('a token Okta no longer accepts (401 E0000011) is replaced once and the call retried', async () => {
      const { emu, demo } = org;
      const client = await org.connect(signing);
      const oldToken = await client.accessToken();
      emu.tokens = await AccessTokens.create();
      const mark = emu.requests.length;
      const user = await client.getUser(demo.users[0].id);
      assert.equal(user.id, demo.users[0].id);
      const requests = since(emu, mark);
      assert.deepEqual(requests.map((r) => `${r.method} ${r.path} ${r.status}`), [
        `GET /api/v1/users/${user.id} 401`,
        `POST ${TOKEN_PATH} 200`,
        `GET /api/v1/users/${user.id} 200`,
      ]);
      const newToken = await client.accessToken();
      assert.notEqual(newToken, oldToken);
      assert.equal(requests[2].headers.authorization, `DPoP ${newToken}`);
    });

    test('a token rejected again after the refresh ends in okta_invalid_token (no loop)', async () => {
      const { emu, demo } = org;
      const revokingFetch = async (url, init) => {
        if (!String(url).endsWith(TOKEN_PATH)) emu.tokens = await AccessTokens.create();
        return fetch(url, init);
      };
      const client = await org.connect(signing, {}, { fetch: revokingFetch });
      const mark = emu.requests.length;
      const error = await rejectsWith(client.getUser(demo.users[0].id), 'okta_invalid_token', { status: 401, errorCode: 'E0000011' });
      assert.equal(error.retryable, false);
      const requests = since(emu, mark);
      assert.deepEqual(apiRequests(requests).map((r) => r.status), [401, 401]);
      assert.equal(tokenPosts(requests).filter((r) => r.status === 200).length, 2);
    });

    test('a token is renewed shortly before it expires, without a 401', async () => {
      const { emu, demo } = org;
      // Okta's answer says the token lives 61 s: the client renews tokens with less than 60 s left.
      const shortLived = async (url, init) => {
        const response = await fetch(url, init);
        if (!String(url).endsWith(TOKEN_PATH) || response.status !== 200) return response;
        const body = await response.json();
        const headers = new Headers(response.headers);
        headers.delete('content-length');
        return new Response(JSON.stringify({ ...body, expires_in: 61 }), { status: 200, headers });
      };
      const client = await org.connect(signing, {}, { fetch: shortLived });
      const first = await client.accessToken();
      assert.equal(await client.accessToken(), first, 'still good for a second');
      await sleep(1100);
      const mark = emu.requests.length;
      await client.getUser(demo.users[0].id);
      const requests = since(emu, mark);
      assert.deepEqual(requests.map((r) => `${r.method} ${r.status}`), ['POST 200', 'GET 200']);
      assert.notEqual(await client.accessToken(), first);
    });

    test('50 concurrent getUser calls on a cold client share one token exchange', async () => {
      const { emu, demo } = org;
      const client = await org.connect(signing);
      const mark = emu.requests.length;
      const targets = Array.from({ length: 50 }, (_, i) => demo.users[i % demo.users.length]);
      const users = await Promise.all(targets.map((u, i) => client.getUser(i % 2 ? u.id : u.profile.login)));
      assert.deepEqual(users.map((u) => u.id), targets.map((u) => u.id));
      const requests = since(emu, mark);
      const posts = tokenPosts(requests);
      assert.ok(posts.length <= 2, describeRequests(posts));
      assert.deepEqual(posts.map((r) => r.status), [400, 200]);
      assert.equal(apiRequests(requests).length, 50);
      assert.ok(apiRequests(requests).every((r) => r.status === 200));
      assertAllDistinct(apiRequests(requests).map((r) => proofOf(r).claims.jti), 'proof jtis');
    });

    test('concurrent callers whose token was revoked share one refresh', async () => {
      const { emu, demo } = org;
      const client = await org.connect(signing);
      await client.accessToken();
      emu.tokens = await AccessTokens.create();
      const mark = emu.requests.length;
      await Promise.all(Array.from({ length: 20 }, (_, i) => client.getUser(demo.users[i % 4].id)));
      const requests = since(emu, mark);
      assert.equal(tokenPosts(requests).length, 1, describeRequests(requests));
      assert.equal(apiRequests(requests).filter((r) => r.status === 200).length, 20);
    });

    test('a late 401 for the revoked token does not throw away the token another call just obtained', async () => {
      // Call A hits 401 and refreshes the token; call B's request (slower) was sent with the revoked token and
      // its 401 arrives after the refresh. B should retry with the new token, not discard it and fetch a third.
      const { emu, demo } = org;
      const client = await org.connect(signing);
      await client.accessToken();
      emu.tokens = await AccessTokens.create();
      const [a, b] = demo.users;
      emu.addFault({ method: 'GET', path: `/api/v1/users/${b.id}`, kind: 'delay', delayMs: 300 });
      const mark = emu.requests.length;
      const users = await Promise.all([client.getUser(a.id), client.getUser(b.id)]);
      assert.deepEqual(users.map((u) => u.id), [a.id, b.id]);
      const requests = since(emu, mark);
      assert.equal(tokenPosts(requests).length, 1, `one token exchange expected: ${describeRequests(requests)}`);
    });
  });
}
