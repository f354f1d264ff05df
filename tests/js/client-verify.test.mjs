// verify() and client authentication against the emulated org: the ordered checks and their progress, every
// setup mistake an admin can make (scope, role, client id, key, kid, client secret, app type), clock skew, and
// the guarantee that verification never changes a user.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import {
  SIGNINGS, TOKEN_PATH, apiRequests, assertionOf, oktaId, proofOf, rejectsWith, since, snapshotUsers, startOrg, tokenPosts,
} from './support.mjs';

const PROBE_USER_ID = '00u0KTAC0NNECTPR0BE0';
const ORDER = ['config', 'reachable', 'client_auth', 'dpop', 'scope', 'role'];
const summary = (checks) => checks.map((c) => `${c.id}:${c.status}`);
const publicOnly = ({ d, p, q, dp, dq, qi, ...jwk }) => jwk;

let org;
let otherKey; // a key pair that is not registered for any app
before(async () => {
  org = await startOrg();
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  otherKey = { pem: await exportPKCS8(privateKey), publicJwk: await exportJWK(publicKey) };
});
after(() => org.close());

/** Registers another app that trusts the demo key; `overrides` go to emu.addApp. Returns the live app. */
function demoKeyApp(overrides = {}) {
  const jwk = { ...publicOnly(org.demo.privateJwk), alg: 'RS256', use: 'sig' };
  return org.emu.addApp({ clientId: oktaId('0oa'), jwks: { keys: [jwk] }, ...overrides });
}

/** Runs verify() and returns `{ result, progress, requests }` (progress as `id:status`). */
async function runVerify(client) {
  const progress = [];
  const mark = org.emu.requests.length;
  const result = await client.verify({ onProgress: (check) => progress.push(check) });
  return { result, progress, requests: since(org.emu, mark) };
}

for (const signing of SIGNINGS) {
  describe(`${signing}: verify()`, () => {
    test('a correct setup passes every check, reported in order through onProgress, touching no user', async () => {
      const client = await org.connect(signing);
      const before = snapshotUsers(org.emu);
      const { result, progress, requests } = await runVerify(client);
      assert.deepEqual(summary(progress), [
        'config:pass', 'reachable:running', 'reachable:pass', 'client_auth:pass', 'dpop:pass', 'scope:pass', 'role:running', 'role:pass',
      ]);
      assert.equal(result.ok, true);
      assert.deepEqual(summary(result.checks), ORDER.map((id) => `${id}:pass`));
      assert.deepEqual(result.checks, progress.filter((c) => c.status !== 'running'), 'the result holds the final progress reports');
      const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]));
      assert.match(byId.config.detail, new RegExp(`org ${org.emu.orgUrl}`));
      assert.match(byId.dpop.detail, new RegExp(`DPoP-bound token after the DPoP-Nonce challenge \\(jkt ${client.connection.dpopThumbprint}\\)`));
      assert.match(byId.scope.detail, /okta\.users\.manage is granted/);
      assert.match(byId.role.detail, /can list users, reset and set passwords/);
      assert.ok(result.checks.every((c) => c.fix === undefined && c.code === undefined));
      assert.match(progress[1].detail, new RegExp(`requesting a token from ${org.emu.tokenUrl}`));

      assert.deepEqual(requests.map((r) => `${r.method} ${r.path} ${r.status}`), [
        `POST ${TOKEN_PATH} 400`,
        `POST ${TOKEN_PATH} 200`,
        'GET /api/v1/users 200',
        `POST /api/v1/users/${PROBE_USER_ID}/lifecycle/reset_password 404`,
        `POST /api/v1/users/${PROBE_USER_ID} 404`,
      ]);
      assert.deepEqual(requests[2].query, { limit: '1' });
      assert.deepEqual(requests[3].query, { sendEmail: 'false' });
      assert.deepEqual(requests[4].query, { strict: 'true' });
      assert.equal(org.emu.users.has(PROBE_USER_ID), false);
      assert.deepEqual(snapshotUsers(org.emu), before, 'verify() changed no user record');
    });

    test('verify() always makes a fresh token exchange, even with a cached token', async () => {
      const client = await org.connect(signing);
      const first = await client.accessToken();
      const { result, requests } = await runVerify(client);
      assert.equal(result.ok, true);
      assert.equal(tokenPosts(requests).length, 1);
      assert.notEqual(await client.accessToken(), first);
    });

    test('okta.users.manage not granted: the scope check fails with the fix, role is skipped', async () => {
      const app = demoKeyApp({ scopes: [] });
      const client = await org.connect(signing, { clientId: app.clientId });
      const { result, progress } = await runVerify(client);
      assert.equal(result.ok, false);
      assert.deepEqual(summary(progress), ['config:pass', 'reachable:running', 'reachable:pass', 'client_auth:pass', 'dpop:pass', 'scope:fail', 'role:skip']);
      const scope = result.checks.find((c) => c.id === 'scope');
      assert.equal(scope.code, 'okta_scope_not_granted');
      assert.match(scope.fix, /Okta API Scopes/);
      assert.match(scope.fix, /Grant next to okta\.users\.manage/);
      assert.match(scope.detail, /invalid, unknown, malformed, or exceeds the scope granted/);
      const error = await rejectsWith(client.getUser(org.demo.users[0].id), 'okta_scope_not_granted', { status: 400, errorCode: 'invalid_scope' });
      assert.equal(error.retryable, false);
      assert.match(error.fix, /okta\.users\.manage/);
    });

    test('okta.users.read only: still the scope check (okta.users.manage is what is asked for)', async () => {
      const app = demoKeyApp({ scopes: ['okta.users.read'] });
      const client = await org.connect(signing, { clientId: app.clientId });
      const { result } = await runVerify(client);
      assert.deepEqual(summary(result.checks), ['config:pass', 'reachable:pass', 'client_auth:pass', 'dpop:pass', 'scope:fail', 'role:skip']);
    });

    test('the scope revoked after the token was issued: Okta\'s 403 insufficient_scope is reported as okta_scope_not_granted', async () => {
      const app = demoKeyApp();
      const client = await org.connect(signing, { clientId: app.clientId });
      await client.accessToken();
      app.scopes = [];
      const error = await rejectsWith(client.getUser(org.demo.users[0].id), 'okta_scope_not_granted', { status: 403, errorCode: 'E0000006' });
      assert.match(error.fix, /okta\.users\.manage/);
    });

    const roleCases = [
      [[], /^no admin role is assigned to the app: /, ['GET 403']],
      [['READ_ONLY_ADMIN'], /^the app's admin role cannot reset passwords \(e\.g\. Read-only Administrator\): /, ['GET 200', 'POST 403']],
      [['HELP_DESK_ADMIN'], /^the app's admin role can reset but not set passwords \(e\.g\. Help Desk Administrator\): /, ['GET 200', 'POST 404', 'POST 403']],
    ];
    for (const [roles, detail, apiTrace] of roleCases) {
      test(`roles [${roles.join(', ')}]: the role check fails (${apiTrace.length} probe requests), no user changed`, async () => {
        const app = demoKeyApp({ roles });
        const client = await org.connect(signing, { clientId: app.clientId });
        const before = snapshotUsers(org.emu);
        const { result, progress, requests } = await runVerify(client);
        assert.equal(result.ok, false);
        assert.deepEqual(summary(result.checks), ['config:pass', 'reachable:pass', 'client_auth:pass', 'dpop:pass', 'scope:pass', 'role:fail']);
        assert.deepEqual(summary(progress).slice(-2), ['role:running', 'role:fail']);
        const role = result.checks.find((c) => c.id === 'role');
        assert.equal(role.code, 'okta_permission_denied');
        assert.match(role.detail, detail);
        assert.match(role.detail, /You do not have permission to perform the requested action/);
        assert.match(role.fix, /Organization Administrator/);
        assert.deepEqual(apiRequests(requests).map((r) => `${r.method} ${r.status}`), apiTrace);
        assert.deepEqual(snapshotUsers(org.emu), before);
      });
    }

    test('SUPER_ADMIN passes the role check', async () => {
      const app = demoKeyApp({ roles: ['SUPER_ADMIN'] });
      const client = await org.connect(signing, { clientId: app.clientId });
      const { result } = await runVerify(client);
      assert.equal(result.ok, true, JSON.stringify(result.checks));
    });

    test('an unknown client id: client_auth fails with okta_unknown_client after one token request', async () => {
      const client = await org.connect(signing, { clientId: oktaId('0oa') });
      const { result, progress, requests } = await runVerify(client);
      assert.deepEqual(summary(progress), ['config:pass', 'reachable:running', 'reachable:pass', 'client_auth:fail', 'dpop:skip', 'scope:skip', 'role:skip']);
      const check = result.checks.find((c) => c.id === 'client_auth');
      assert.equal(check.code, 'okta_unknown_client');
      assert.match(check.fix, /Client ID/);
      assert.equal(requests.length, 1);
      const error = await rejectsWith(client.getUser('alice@example.com'), 'okta_unknown_client', {
        status: 401,
        errorCode: 'invalid_client',
        errorSummary: 'The issuer claim for client_assertion is not a valid client_id.',
      });
      assert.equal(error.retryable, false);
    });

    test('a key pair other than the registered one: okta_wrong_key (with the registered kid and without a kid)', async () => {
      for (const keyId of [org.demo.kid, undefined]) {
        const client = await org.connect(signing, { privateKey: otherKey.pem, keyId });
        const { result, requests } = await runVerify(client);
        assert.deepEqual(summary(result.checks), ['config:pass', 'reachable:pass', 'client_auth:fail', 'dpop:skip', 'scope:skip', 'role:skip']);
        const check = result.checks.find((c) => c.id === 'client_auth');
        assert.equal(check.code, 'okta_wrong_key');
        assert.match(check.fix, /does not belong to any public key of this app/);
        assert.equal(tokenPosts(requests).length, 1, 'not retried');
        assert.equal(assertionOf(requests[0]).header.kid, keyId);
        await rejectsWith(client.getUser('alice@example.com'), 'okta_wrong_key', {
          status: 401,
          errorCode: 'invalid_client',
          errorSummary: 'The client_assertion signature is invalid.',
        });
      }
    });

    test('an app with several keys: the right kid works; a wrong or missing kid is okta_wrong_kid; another key\'s kid is okta_wrong_key', async () => {
      const app = demoKeyApp();
      app.jwks.keys[0].kid = 'key-a';
      app.jwks.keys.push({ ...otherKey.publicJwk, kid: 'key-b', alg: 'RS256', use: 'sig' });
      const connect = (keyId) => org.connect(signing, { clientId: app.clientId, keyId });
      assert.equal((await (await connect('key-a')).verify()).ok, true);
      for (const keyId of ['key-c', undefined]) {
        const client = await connect(keyId);
        const { result } = await runVerify(client);
        const check = result.checks.find((c) => c.id === 'client_auth');
        assert.deepEqual([check.status, check.code], ['fail', 'okta_wrong_kid'], `kid ${keyId}`);
        assert.match(check.fix, /Key ID \(KID\)/);
        await rejectsWith(client.getUser('alice@example.com'), 'okta_wrong_kid', { errorSummary: 'The client_assertion JWT kid is invalid.' });
      }
      const { result } = await runVerify(await connect('key-b'));
      assert.equal(result.checks.find((c) => c.id === 'client_auth').code, 'okta_wrong_key');
    });

    test('an app still on client_secret_basic: okta_client_secret_selected', async () => {
      const app = demoKeyApp({ tokenEndpointAuthMethod: 'client_secret_basic' });
      const client = await org.connect(signing, { clientId: app.clientId });
      const { result } = await runVerify(client);
      const check = result.checks.find((c) => c.id === 'client_auth');
      assert.deepEqual([check.status, check.code], ['fail', 'okta_client_secret_selected']);
      assert.match(check.fix, /Public key \/ Private key/);
      await rejectsWith(client.getUser('alice@example.com'), 'okta_client_secret_selected', { status: 401, errorCode: 'invalid_client' });
    });

    test('an app that is not an API Services app: okta_not_service_app', async () => {
      const app = demoKeyApp({ applicationType: 'browser' });
      const client = await org.connect(signing, { clientId: app.clientId });
      const { result } = await runVerify(client);
      const check = result.checks.find((c) => c.id === 'client_auth');
      assert.deepEqual([check.status, check.code], ['fail', 'okta_not_service_app']);
      assert.match(check.fix, /API Services/);
    });

    test('a token endpoint that does not exist (404): reachable fails with okta_org_not_found', async () => {
      const client = await org.connect(signing);
      org.emu.addFault({ method: 'POST', path: TOKEN_PATH, kind: 'status', status: 404 });
      const { result } = await runVerify(client);
      assert.deepEqual(summary(result.checks), ['config:pass', 'reachable:fail', 'client_auth:skip', 'dpop:skip', 'scope:skip', 'role:skip']);
      assert.equal(result.checks[1].code, 'okta_org_not_found');
      assert.match(result.checks[1].fix, /org URL/);
    });
  });

  describe(`${signing}: clock skew`, () => {
    const withSkew = (t, seconds) => {
      org.emu.clockSkewSeconds = seconds;
      t.after(() => {
        org.emu.clockSkewSeconds = 0;
      });
    };

    for (const skew of [600, -600]) {
      test(`Okta's clock ${skew > 0 ? 'ahead' : 'behind'} by ${Math.abs(skew)} s: corrected from the Date header, then success`, async (t) => {
        withSkew(t, skew);
        const client = await org.connect(signing);
        const mark = org.emu.requests.length;
        const user = await client.getUser(org.demo.users[0].id);
        assert.equal(user.id, org.demo.users[0].id);
        const requests = since(org.emu, mark);
        const posts = tokenPosts(requests);
        assert.deepEqual(posts.map((r) => r.status), [401, 400, 200], 'refused, corrected, nonce, success');
        const first = assertionOf(posts[0]).claims;
        const second = assertionOf(posts[1]).claims;
        assert.ok(Math.abs(first.iat - Date.now() / 1000) <= 3, 'the first assertion uses the local clock');
        assert.ok(Math.abs(second.iat - org.emu.nowSeconds()) <= 3, 'the retry uses Okta\'s clock');
        assert.notEqual(first.jti, second.jti);
        const api = apiRequests(requests)[0];
        assert.ok(Math.abs(proofOf(api).claims.iat - org.emu.nowSeconds()) <= 3, 'API proofs use Okta\'s clock too');
        assert.equal((await client.verify()).ok, true);
      });
    }

    test('Okta\'s clock jumps 10 minutes mid-session: the rejected DPoP proof is re-made on Okta\'s clock', async (t) => {
      const client = await org.connect(signing);
      await client.accessToken();
      withSkew(t, 600);
      const mark = org.emu.requests.length;
      assert.equal((await client.getUser(org.demo.users[0].id)).id, org.demo.users[0].id);
      const requests = since(org.emu, mark);
      assert.deepEqual(requests.map((r) => `${r.method} ${r.status}`), ['GET 401', 'GET 200']);
      const [stale, fresh] = requests.map((r) => proofOf(r).claims);
      assert.ok(Math.abs(stale.iat - Date.now() / 1000) <= 3, 'the first proof was made on the local clock');
      assert.ok(Math.abs(fresh.iat - org.emu.nowSeconds()) <= 3, 'the retry is made on Okta\'s clock');
      assert.notEqual(stale.jti, fresh.jti);
    });

    test('beyond the 1 h correction bound (4000 s) the client does not trust the Date header: okta_clock_skew', async (t) => {
      // Documented behaviour: offsets over MAX_CLOCK_CORRECTION_S (3600 s) are ignored, so the assertion is made
      // on the local clock, Okta refuses it as expired, and the error tells the admin to fix the clock.
      withSkew(t, 4000);
      const client = await org.connect(signing);
      const mark = org.emu.requests.length;
      const error = await rejectsWith(client.getUser(org.demo.users[0].id), 'okta_clock_skew', {
        status: 401,
        errorCode: 'invalid_client',
        errorSummary: 'The client_assertion token is expired.',
      });
      assert.match(error.fix, /clock \(NTP\)/);
      assert.equal(tokenPosts(since(org.emu, mark)).length, 1, 'no correction retry');
      const { result } = await runVerify(client);
      const check = result.checks.find((c) => c.id === 'client_auth');
      assert.deepEqual([check.status, check.code], ['fail', 'okta_clock_skew']);
    });
  });
}

test('every verify() above left the probe user nonexistent and touched only the probe id', () => {
  for (const request of org.emu.requests.filter((r) => r.method === 'POST' && r.path.includes(PROBE_USER_ID))) {
    assert.ok([404, 403].includes(request.status), `${request.path} ${request.status}`);
  }
  assert.equal(org.emu.users.has(PROBE_USER_ID), false);
});
