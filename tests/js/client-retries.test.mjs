// Retries and failures: rate limits (X-Rate-Limit-Reset honoured), server errors and dropped connections
// (retried for reads, never for password changes: outcome_unknown), timeouts, aborts, unreachable orgs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import {
  OktaClient, SIGNINGS, TOKEN_PATH, addUser, assertAllDistinct, assertNoSecrets, assertionOf, oktaId, proofOf, recordingFetch,
  rejectsWith, since, sleep, startOrg, strongPassword, tokenPosts,
} from './support.mjs';

const exactly = (path) => new RegExp(`^${path}$`);
const statuses = (requests) => requests.map((r) => r.status);

/** The requests since `mark` that `client` sent (told apart by the DPoP key of their proofs). */
async function requestsOf(client, emu, mark = 0) {
  const mine = [];
  for (const request of since(emu, mark)) {
    if (request.headers.dpop && (await calculateJwkThumbprint(proofOf(request).header.jwk)) === client.connection.dpopThumbprint) mine.push(request);
  }
  return mine;
}

/** Starts an org for one test and closes it when the test ends. */
async function ownOrg(t) {
  const org = await startOrg();
  t.after(() => org.close());
  return org;
}

describe('server errors, dropped connections and bad bodies (shared org)', () => {
  let org;
  before(async () => {
    org = await startOrg();
  });
  after(() => org.close());

  for (const signing of SIGNINGS) {
    describe(signing, () => {
      let client;
      before(async () => {
        client = await org.connect(signing);
        await client.accessToken();
      });

      test('a dropped connection on a read is retried once and succeeds, with a fresh proof', async () => {
        const { emu } = org;
        const user = addUser(emu);
        emu.addFault({ method: 'GET', path: exactly(`/api/v1/users/${user.id}`), kind: 'drop' });
        const mark = emu.requests.length;
        assert.equal((await client.getUser(user.id)).id, user.id);
        const requests = since(emu, mark);
        assert.deepEqual(statuses(requests), [0, 200]);
        assertAllDistinct(requests.map((r) => proofOf(r).claims.jti), 'proof jtis');
      });

      for (const [name, call] of [
        ['setPassword', (c, user, password) => c.setPassword(user.id, password)],
        ['resetPassword', (c, user) => c.resetPassword(user.id, { sendEmail: false })],
        ['expirePassword', (c, user) => c.expirePassword(user.id)],
        ['expirePassword+tempPassword', (c, user) => c.expirePassword(user.id, { tempPassword: true })],
      ]) {
        const path = (user) => {
          if (name === 'setPassword') return exactly(`/api/v1/users/${user.id}`);
          if (name === 'resetPassword') return `/api/v1/users/${user.id}/lifecycle/reset_password`;
          if (name === 'expirePassword') return exactly(`/api/v1/users/${user.id}/lifecycle/expire_password`);
          return `/api/v1/users/${user.id}/lifecycle/expire_password_with_temp_password`;
        };
        const applied = (user, before) => {
          if (name === 'resetPassword') return user.status === 'RECOVERY' && user.recoveryToken !== null;
          if (name === 'expirePassword') return user.status === 'PASSWORD_EXPIRED' && user.passwordChangedCount === before.passwordChangedCount;
          return user.passwordChangedCount === before.passwordChangedCount + 1;
        };

        for (const [fault, when, code] of [
          [{ kind: 'status', status: 500 }, 'after', 'outcome_unknown'],
          [{ kind: 'status', status: 503 }, 'before', 'outcome_unknown'],
          [{ kind: 'drop' }, 'after', 'outcome_unknown'],
          [{ kind: 'malformed' }, 'after', 'outcome_unknown'],
        ]) {
          const label = fault.kind === 'status' ? `HTTP ${fault.status}` : fault.kind === 'drop' ? 'a dropped connection' : 'an unreadable 200';
          test(`${name}: ${label} (${when === 'after' ? 'applied' : 'not applied'}) → ${code}, sent exactly once`, async () => {
            const { emu } = org;
            const user = addUser(emu);
            const before = structuredClone(user);
            const password = strongPassword();
            emu.addFault({ method: 'POST', path: path(user), when, ...fault });
            const mark = emu.requests.length;
            const error = await rejectsWith(call(client, user, password), code);
            assert.equal(error.retryable, false, 'never retry a change blindly');
            assert.match(error.fix, /look the user up/);
            if (fault.kind === 'status') {
              assert.equal(error.status, fault.status);
              assert.equal(error.errorCode, 'E0000009');
              assert.match(error.errorId, /^oae/);
            }
            const requests = since(emu, mark);
            assert.equal(requests.length, 1, 'the change was sent once and never retried');
            assert.equal(requests[0].method, 'POST');
            assert.equal(applied(user, before), when === 'after', `applied exactly ${when === 'after' ? 'once' : 'zero times'}`);
            if (name === 'setPassword') assert.equal(user.password, when === 'after' ? password : before.password);
            assertNoSecrets(error, [password, await client.accessToken(), user.recoveryToken, user.password]);
          });
        }
      }

      test('session revocation (idempotent) is retried after a 5xx', async () => {
        const { emu } = org;
        const user = addUser(emu);
        emu.addFault({ method: 'DELETE', path: `/api/v1/users/${user.id}/sessions`, kind: 'status', status: 502 });
        const mark = emu.requests.length;
        await client.revokeSessions(user.id);
        assert.deepEqual(statuses(since(emu, mark)), [502, 204]);
        assert.equal(user.sessions, 0);
      });

      test('malformed and oversized answers to a read are okta_bad_response', async () => {
        const { emu } = org;
        const user = addUser(emu);
        for (const kind of ['malformed', 'huge']) {
          emu.addFault({ method: 'GET', path: exactly(`/api/v1/users/${user.id}`), kind });
          const mark = emu.requests.length;
          const error = await rejectsWith(client.getUser(user.id), 'okta_bad_response');
          assert.match(error.fix, /org URL/);
          assert.equal(since(emu, mark).length, 1, kind);
        }
        assert.equal((await client.getUser(user.id)).id, user.id, 'the client still works afterwards');
      });
    });
  }
});

describe('slow paths (run concurrently; per-user faults on shared orgs, one org per global knob)', { concurrency: true }, () => {
  // Org A: normal limits, faults only on per-user paths. Org B: tight rate limits (each test its own app, so its
  // own buckets). Requests are told apart by the DPoP key of the client that sent them.
  let orgA;
  let orgB;
  let deadConfig;
  before(async () => {
    [orgA, orgB] = await Promise.all([startOrg(), startOrg()]);
    orgB.emu.rateLimits.users = { limit: 1, windowSeconds: 2 };
    orgB.emu.rateLimits.token = { limit: 2, windowSeconds: 2 };
    const dead = await startOrg();
    deadConfig = dead.config;
    await dead.close();
  });
  after(async () => {
    await sleep(100);
    await Promise.all([orgA.close(), orgB.close()]);
  });

  /** A client on org B with an app of its own (own rate-limit buckets). */
  async function rateLimitedClient(signing, options = {}) {
    const jwks = structuredClone(orgB.emu.apps.get(orgB.demo.clientId).jwks);
    const app = orgB.emu.addApp({ clientId: oktaId('0oa'), jwks });
    return orgB.connect(signing, { clientId: app.clientId }, options);
  }

  for (const signing of SIGNINGS) {
    test(`${signing}: 429 on /api/v1 waits for X-Rate-Limit-Reset, then succeeds with a fresh proof`, async () => {
      const { emu, demo } = orgB;
      const fetch = recordingFetch();
      const client = await rateLimitedClient(signing, { fetch });
      await client.accessToken();
      const [alice, bob] = demo.users;
      const mark = emu.requests.length;
      await client.getUser(alice.id);
      assert.equal((await client.getUser(bob.id)).id, bob.id);
      const requests = await requestsOf(client, emu, mark);
      assert.deepEqual(statuses(requests), [200, 429, 200]);
      const limited = fetch.log.find((r) => r.status === 429);
      assert.equal(limited.headers['x-rate-limit-limit'], '1');
      assert.equal(limited.headers['x-rate-limit-remaining'], '0');
      const reset = Number(limited.headers['x-rate-limit-reset']) * 1000;
      assert.ok(requests[2].at >= reset, `retried ${reset - requests[2].at} ms before the reset`);
      assert.ok(requests[2].at <= reset + 2500, `retried ${requests[2].at - reset} ms after the reset`);
      assertAllDistinct(requests.slice(1).map((r) => proofOf(r).claims.jti), 'proof jtis');
    });

    test(`${signing}: 429 at the token endpoint waits for the reset, then succeeds with fresh jtis`, async (t) => {
      // An org of its own: verify() also probes /api/v1, which org B limits tightly.
      const { emu, connect } = await ownOrg(t);
      emu.rateLimits.token = { limit: 2, windowSeconds: 2 };
      const fetch = recordingFetch();
      const client = await connect(signing, {}, { fetch });
      await client.accessToken();
      const mark = emu.requests.length;
      const result = await client.verify();
      assert.equal(result.ok, true, JSON.stringify(result.checks));
      const posts = tokenPosts(since(emu, mark));
      assert.deepEqual(statuses(posts), [429, 200]);
      const reset = Number(fetch.log.find((r) => r.status === 429).headers['x-rate-limit-reset']) * 1000;
      assert.ok(posts[1].at >= reset, `retried ${reset - posts[1].at} ms before the reset`);
      assertAllDistinct(posts.map((r) => assertionOf(r).claims.jti), 'assertion jtis');
      assertAllDistinct(posts.map((r) => proofOf(r).claims.jti), 'proof jtis');
    });

    test(`${signing}: a password change answered 429 was not applied, so it is retried after the reset and applied once`, async () => {
      const { emu } = orgB;
      const client = await rateLimitedClient(signing);
      await client.accessToken();
      const user = addUser(emu);
      await client.getUser(user.id);
      const mark = emu.requests.length;
      const password = strongPassword();
      await client.setPassword(user.id, password);
      assert.deepEqual(statuses(await requestsOf(client, emu, mark)), [429, 200]);
      assert.equal(user.password, password);
      assert.equal(user.passwordChangedCount, 1);
    });

    test(`${signing}: a reset further away than maxRateLimitWaitMs fails at once with okta_rate_limited`, async () => {
      const { emu, demo } = orgB;
      const client = await rateLimitedClient(signing, { maxRateLimitWaitMs: 1000 });
      await client.accessToken();
      await client.getUser(demo.users[0].id);
      const mark = emu.requests.length;
      const started = Date.now();
      const error = await rejectsWith(client.getUser(demo.users[1].id), 'okta_rate_limited', { status: 429, errorCode: 'E0000047' });
      assert.ok(Date.now() - started < 900, 'no waiting');
      assert.equal(error.retryable, true);
      assert.match(error.message, /resets in \d+ s, longer than the 1 s this client waits/);
      assert.match(error.fix, /rate limit/);
      assert.equal((await requestsOf(client, emu, mark)).length, 1);
    });

    test(`${signing}: abort while waiting for a rate-limit reset rejects with OktaConnectError aborted`, async () => {
      const { demo } = orgB;
      const controller = new AbortController();
      const client = await rateLimitedClient(signing, { signal: controller.signal });
      await client.accessToken();
      await client.getUser(demo.users[0].id);
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      const error = await rejectsWith(client.getUser(demo.users[1].id), 'aborted');
      assert.ok(Date.now() - started < 1000, 'the wait ends with the abort');
      assert.equal(error.retryable, false);
    });

    test(`${signing}: abort during the backoff after a 5xx rejects with OktaConnectError aborted`, async () => {
      const { emu, config } = orgA;
      const controller = new AbortController();
      const client = await OktaClient.connect(config, { allowInsecureLoopback: true, signing, signal: controller.signal });
      await client.accessToken();
      const user = addUser(emu);
      emu.addFault({ method: 'GET', path: exactly(`/api/v1/users/${user.id}`), kind: 'status', status: 503 });
      setTimeout(() => controller.abort(), 150);
      const started = Date.now();
      await rejectsWith(client.getUser(user.id), 'aborted');
      assert.ok(Date.now() - started < 450, 'the backoff ends with the abort');
    });

    test(`${signing}: a 5xx burst on a read is retried with backoff (500 ms, 1 s) and fresh proofs, then succeeds`, async () => {
      const { emu } = orgA;
      const client = await orgA.connect(signing);
      await client.accessToken();
      const user = addUser(emu);
      emu.addFault({ method: 'GET', path: exactly(`/api/v1/users/${user.id}`), kind: 'status', status: 503, times: 2 });
      const mark = emu.requests.length;
      assert.equal((await client.getUser(user.id)).id, user.id);
      const requests = await requestsOf(client, emu, mark);
      assert.deepEqual(statuses(requests), [503, 503, 200]);
      assert.ok(requests[1].at - requests[0].at >= 490, `first backoff ${requests[1].at - requests[0].at} ms`);
      assert.ok(requests[2].at - requests[1].at >= 990, `second backoff ${requests[2].at - requests[1].at} ms`);
      assertAllDistinct(requests.map((r) => proofOf(r).claims.jti), 'proof jtis');
    });

    test(`${signing}: a 5xx on every attempt of a read ends in okta_server_error after 3 attempts`, async () => {
      const { emu } = orgA;
      const client = await orgA.connect(signing);
      await client.accessToken();
      const { id } = addUser(emu);
      emu.addFault({ method: 'GET', path: exactly(`/api/v1/users/${id}`), kind: 'status', status: 500, times: 5 });
      const mark = emu.requests.length;
      const error = await rejectsWith(client.getUser(id), 'okta_server_error', { status: 500, errorCode: 'E0000009' });
      assert.equal(error.retryable, true);
      assert.deepEqual(statuses(await requestsOf(client, emu, mark)), [500, 500, 500]);
    });

    test(`${signing}: a 5xx from the token endpoint is retried with a fresh assertion`, async (t) => {
      const { emu, demo, connect } = await ownOrg(t);
      const client = await connect(signing);
      emu.addFault({ method: 'POST', path: TOKEN_PATH, kind: 'status', status: 503 });
      const mark = emu.requests.length;
      assert.equal((await client.getUser(demo.users[0].id)).id, demo.users[0].id);
      const posts = tokenPosts(since(emu, mark));
      assert.deepEqual(statuses(posts), [503, 400, 200]);
      assertAllDistinct(posts.map((r) => assertionOf(r).claims.jti), 'assertion jtis');
      assertAllDistinct(posts.map((r) => proofOf(r).claims.jti), 'proof jtis');
    });

    test(`${signing}: a read slower than timeoutMs is retried, then fails with timeout`, async () => {
      const { emu } = orgA;
      const client = await orgA.connect(signing, {}, { timeoutMs: 300 });
      await client.accessToken();
      const { id } = addUser(emu);
      emu.addFault({ method: 'GET', path: exactly(`/api/v1/users/${id}`), kind: 'delay', delayMs: 800, times: 3 });
      const mark = emu.requests.length;
      const started = Date.now();
      const error = await rejectsWith(client.getUser(id), 'timeout');
      assert.equal(error.retryable, true);
      assert.ok(Date.now() - started >= 3 * 300 + 500 + 1000 - 50, `gave up after ${Date.now() - started} ms`);
      assert.equal((await requestsOf(client, emu, mark)).length, 3);
      emu.addFault({ method: 'GET', path: exactly(`/api/v1/users/${id}`), kind: 'delay', delayMs: 800, times: 1 });
      assert.equal((await client.getUser(id)).id, id, 'one slow answer is retried into a success');
      await sleep(500);
    });

    test(`${signing}: a password change slower than timeoutMs is outcome_unknown, and was applied exactly once`, async () => {
      const { emu } = orgA;
      const client = await orgA.connect(signing, {}, { timeoutMs: 300 });
      await client.accessToken();
      const user = addUser(emu);
      emu.addFault({ method: 'POST', path: exactly(`/api/v1/users/${user.id}`), kind: 'delay', delayMs: 700 });
      const password = strongPassword();
      const mark = emu.requests.length;
      const error = await rejectsWith(client.setPassword(user.id, password), 'outcome_unknown');
      assert.match(error.message, /did not answer in time/);
      assertNoSecrets(error, [password]);
      await sleep(700);
      assert.equal((await requestsOf(client, emu, mark)).length, 1, 'never retried');
      assert.equal(user.password, password);
      assert.equal(user.passwordChangedCount, 1);
    });

    test(`${signing}: abort — before any request, during a read, during a change`, async () => {
      const { emu, config } = orgA;
      const connect = (signal) => OktaClient.connect(config, { allowInsecureLoopback: true, signing, signal });
      const user = addUser(emu);

      const aborted = new AbortController();
      aborted.abort();
      let mark = emu.requests.length;
      const early = await connect(aborted.signal);
      const error = await rejectsWith(early.getUser(user.id), 'aborted');
      assert.equal(error.retryable, false);
      assert.equal((await requestsOf(early, emu, mark)).length, 0, 'nothing was sent');

      const duringRead = new AbortController();
      const reader = await connect(duringRead.signal);
      await reader.accessToken();
      emu.addFault({ method: 'GET', path: exactly(`/api/v1/users/${user.id}`), kind: 'delay', delayMs: 500 });
      mark = emu.requests.length;
      setTimeout(() => duringRead.abort(), 150);
      const started = Date.now();
      await rejectsWith(reader.getUser(user.id), 'aborted');
      assert.ok(Date.now() - started < 450, 'the read ended with the abort, not with the answer');
      assert.equal((await requestsOf(reader, emu, mark)).length, 1, 'an aborted read is not retried');

      const duringChange = new AbortController();
      const writer = await connect(duringChange.signal);
      await writer.accessToken();
      emu.addFault({ method: 'POST', path: exactly(`/api/v1/users/${user.id}`), kind: 'delay', delayMs: 400 });
      setTimeout(() => duringChange.abort(), 100);
      const changed = await rejectsWith(writer.setPassword(user.id, strongPassword()), 'outcome_unknown');
      assert.match(changed.message, /aborted/);
      await sleep(450);
      assert.equal(user.passwordChangedCount, 1, 'the server applied it even though the caller gave up');
    });

    test(`${signing}: an unreachable org: network_error after 3 attempts; verify() fails the reachable check`, async () => {
      const client = await OktaClient.connect(deadConfig, { allowInsecureLoopback: true, signing });
      const started = Date.now();
      const error = await rejectsWith(client.getUser('alice@example.com'), 'network_error');
      assert.ok(Date.now() - started >= 1450, 'two backoffs happened');
      assert.equal(error.retryable, true);
      assert.match(error.fix, /Trusted Origin/);
      const [result, change] = await Promise.all([client.verify(), client.setPassword('00u0000000000000000a', strongPassword()).catch((e) => e)]);
      assert.equal(result.ok, false);
      assert.deepEqual(result.checks.map((c) => `${c.id}:${c.status}`), ['config:pass', 'reachable:fail', 'client_auth:skip', 'dpop:skip', 'scope:skip', 'role:skip']);
      assert.equal(result.checks[1].code, 'network_error');
      assert.equal(change.code, 'network_error', 'no change was ever sent: the token request failed');
      client.close();
    });
  }
});
