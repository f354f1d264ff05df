// Every route of worker/ in real workerd against the Okta emulator: success and failure paths, the bearer
// secret, the worker's own configuration errors, upstream failures, and no secret in any answer or log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { randomSecret, startWorld } from './harness.mjs';

const enc = encodeURIComponent;
let w;
let otherKeyPem;
/** Every answer the worker gave, for the final no-secrets check. */
const answers = [];
/** Passwords sent to the worker, which must never come back in an error. */
const sentPasswords = [];

before(async () => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  otherKeyPem = await exportPKCS8(privateKey);
  w = await startWorld({
    workers: {
      main: {},
      nosecret: { bindings: { API_SECRET: undefined } },
      shortsecret: { bindings: { API_SECRET: 'too-short' } },
      noclient: { bindings: { OKTA_CLIENT_ID: undefined } },
      notakey: { bindings: { OKTA_PRIVATE_KEY: 'not a key' } },
      publickey: { bindings: { OKTA_PRIVATE_KEY: JSON.stringify(await exportJWK((await generateKeyPair('ES256')).publicKey)) } },
      wrongkey: { bindings: { OKTA_PRIVATE_KEY: otherKeyPem, OKTA_KEY_ID: undefined } },
      badtimeout: { bindings: { OKTA_TIMEOUT_MS: 'soon' } },
    },
  });
});
after(() => w?.close());

async function call(method, path, options = {}) {
  if (typeof options.body?.password === 'string' && options.body.password.length >= 8) sentPasswords.push(options.body.password);
  const response = await w.call(method, path, options);
  answers.push(response);
  return response;
}

function assertJson(response) {
  assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-store');
}

function assertError(response, status, code) {
  assert.equal(response.status, status, response.text);
  assertJson(response);
  assert.equal(response.json?.error?.code, code, response.text);
  assert.equal(typeof response.json.error.message, 'string');
  assert.equal(typeof response.json.error.retryable, 'boolean');
  return response.json.error;
}

const user = (login) => w.emu.getUser(login);

describe('bearer secret', () => {
  test('a missing Authorization header is 401 before any routing or Okta request', async () => {
    const seen = w.emu.requests.length;
    for (const path of ['/v1/verify', '/v1/users/alice%40example.com', '/no/such/route']) {
      const error = assertError(await call('GET', path, { secret: null }), 401, 'unauthorized');
      assert.match(error.message, /Authorization: Bearer/);
    }
    const r = await call('GET', '/v1/verify', { secret: null });
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="okta-connect"');
    assert.equal(w.emu.requests.length, seen);
  });

  test('a wrong secret is 401, whatever its length or scheme', async () => {
    const seen = w.emu.requests.length;
    const wrong = [randomSecret(), w.apiSecret.slice(0, -1), `${w.apiSecret}x`, 'x', w.apiSecret.toUpperCase()];
    for (const secret of wrong) assertError(await call('GET', '/v1/users/alice%40example.com', { secret }), 401, 'unauthorized');
    for (const authorization of [`Basic ${w.apiSecret}`, `Bearer`, `Bearer ${w.apiSecret} extra`, w.apiSecret, `Bearer  `]) {
      assertError(await call('GET', '/v1/users/alice%40example.com', { headers: { authorization } }), 401, 'unauthorized');
    }
    assert.equal(w.emu.requests.length, seen);
  });

  test('the scheme is case-insensitive (RFC 6750)', async () => {
    const r = await call('GET', '/v1/users/alice%40example.com', { headers: { authorization: `bearer ${w.apiSecret}` } });
    assert.equal(r.status, 200, r.text);
  });

  test('a worker without a strong API_SECRET refuses everything (fail closed)', async () => {
    for (const worker of ['nosecret', 'shortsecret']) {
      for (const secret of [null, 'too-short', w.apiSecret]) {
        const error = assertError(await call('GET', '/v1/users/alice%40example.com', { worker, secret }), 500, 'worker_misconfigured');
        assert.match(error.fix, /wrangler secret put API_SECRET/);
      }
    }
  });
});

describe('routing and request validation', () => {
  test('unknown routes are 404, wrong methods 405 with Allow', async () => {
    for (const path of ['/', '/v1', '/v1/users', '/v1/users/', '/v1/users/alice/unknown', '/v1/users/a/password/x', '/v2/verify']) {
      assertError(await call('GET', path), 404, 'not_found');
    }
    let r = await call('GET', '/v1/verify');
    assertError(r, 405, 'method_not_allowed');
    assert.equal(r.headers.get('allow'), 'POST');
    r = await call('DELETE', '/v1/users/alice%40example.com');
    assertError(r, 405, 'method_not_allowed');
    assert.equal(r.headers.get('allow'), 'GET');
    r = await call('GET', '/v1/users/alice%40example.com/sessions');
    assert.equal(r.headers.get('allow'), 'DELETE');
  });

  test('bodies must be small JSON objects', async () => {
    const path = '/v1/users/alice%40example.com/reset-password';
    assertError(await call('POST', path, { body: '{"sendEmail": fal' }), 400, 'invalid_request');
    assertError(await call('POST', path, { body: '[true]' }), 400, 'invalid_request');
    assertError(await call('POST', path, { body: '"x"' }), 400, 'invalid_request');
    assertError(await call('POST', path, { body: { sendEmail: false, pad: 'x'.repeat(20_000) } }), 413, 'request_too_large');
  });

  test('the user segment must decode to an id or login', async () => {
    assertError(await call('GET', '/v1/users/%E0%A4%A'), 400, 'invalid_request');
    assertError(await call('GET', '/v1/users/%20'), 400, 'invalid_request');
    assertError(await call('GET', `/v1/users/${'a'.repeat(1100)}`), 400, 'invalid_request');
  });
});

describe('POST /v1/verify', () => {
  test('a working setup passes every check and reports public connection facts', async () => {
    const r = await call('POST', '/v1/verify');
    assert.equal(r.status, 200, r.text);
    assertJson(r);
    assert.equal(r.json.ok, true);
    assert.deepEqual(r.json.checks.map((c) => [c.id, c.status]), [['config', 'pass'], ['reachable', 'pass'], ['client_auth', 'pass'], ['dpop', 'pass'], ['scope', 'pass'], ['role', 'pass']]);
    const { connection } = r.json;
    assert.equal(connection.orgUrl, w.emu.orgUrl);
    assert.equal(connection.tokenUrl, w.emu.tokenUrl);
    assert.equal(connection.keyId, w.demo.kid);
    assert.equal(connection.signing, 'webcrypto');
    assert.equal(connection.dpop, true);
    assert.equal(connection.tokenCache, 'isolate');
    assert.deepEqual(Object.keys(connection).sort(), ['algorithm', 'dpop', 'dpopThumbprint', 'keyId', 'orgUrl', 'signing', 'thumbprint', 'tokenCache', 'tokenUrl']);
  });

  test('a setup problem is ok:false with the failing check, its code and fix', async () => {
    const app = w.emu.apps.get(w.demo.clientId);
    app.roles = [];
    try {
      const r = await call('POST', '/v1/verify');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.ok, false);
      const role = r.json.checks.find((c) => c.id === 'role');
      assert.equal(role.status, 'fail');
      assert.equal(role.code, 'okta_permission_denied');
      assert.match(role.fix, /Organization Administrator/);
    } finally {
      app.roles = ['ORG_ADMIN'];
    }
  });

  test('a key Okta does not know fails client authentication (verify) and every operation (502 + fix)', async () => {
    const r = await call('POST', '/v1/verify', { worker: 'wrongkey' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, false);
    assert.equal(r.json.checks.find((c) => c.id === 'client_auth').status, 'fail');
    const error = assertError(await call('GET', '/v1/users/alice%40example.com', { worker: 'wrongkey' }), 502, 'okta_wrong_key');
    assert.match(error.fix, /Public keys/);
    assert.equal(error.status, 401);
    assert.equal(error.errorCode, 'invalid_client');
  });

  test('the worker\'s own configuration errors are 500 with the variable or field and the fix', async () => {
    let error = assertError(await call('POST', '/v1/verify', { worker: 'noclient' }), 500, 'worker_misconfigured');
    assert.match(error.message, /OKTA_CLIENT_ID/);
    assert.match(error.fix, /wrangler secret put OKTA_CLIENT_ID/);
    error = assertError(await call('POST', '/v1/verify', { worker: 'notakey' }), 500, 'key_unrecognized');
    assert.equal(error.field, 'privateKey');
    assert.ok(error.fix);
    error = assertError(await call('GET', '/v1/users/alice%40example.com', { worker: 'publickey' }), 500, 'key_is_public');
    assert.match(error.fix, /private key/);
    error = assertError(await call('POST', '/v1/verify', { worker: 'badtimeout' }), 500, 'worker_misconfigured');
    assert.match(error.message, /OKTA_TIMEOUT_MS/);
  });
});

describe('GET /v1/users/{user}', () => {
  test('finds a user by login (any case, percent-encoded) or by id', async () => {
    const alice = user('alice@example.com');
    for (const who of ['alice@example.com', 'ALICE@example.com', alice.id, 'zoë@example.com', 'bob+test@example.com']) {
      const r = await call('GET', `/v1/users/${enc(who)}`);
      assert.equal(r.status, 200, r.text);
      assertJson(r);
      const expected = user(who);
      assert.equal(r.json.user.id, expected.id);
      assert.equal(r.json.user.login, expected.profile.login);
      assert.equal(r.json.user.status, 'ACTIVE');
    }
  });

  test('an unknown login or id is 404 okta_user_not_found, with Okta\'s fields for an id', async () => {
    assertError(await call('GET', `/v1/users/${enc('nobody@example.com')}`), 404, 'okta_user_not_found');
    const error = assertError(await call('GET', '/v1/users/00u0000000000000000x'), 404, 'okta_user_not_found');
    assert.equal(error.status, 404);
    assert.equal(error.errorCode, 'E0000007');
    assert.match(error.errorSummary, /Not found/);
    assert.equal(typeof error.errorId, 'string');
  });

  test('a role without read permission is 502 okta_permission_denied with the fix', async () => {
    const app = w.emu.apps.get(w.demo.clientId);
    app.roles = [];
    try {
      const error = assertError(await call('GET', `/v1/users/${enc('alice@example.com')}`), 502, 'okta_permission_denied');
      assert.equal(error.status, 403);
      assert.equal(error.errorCode, 'E0000006');
      assert.match(error.fix, /Admin roles/);
    } finally {
      app.roles = ['ORG_ADMIN'];
    }
  });
});

describe('POST /v1/users/{user}/password', () => {
  test('sets the password (and revokes sessions on request)', async () => {
    const bob = user('bob+test@example.com');
    bob.sessions = 2;
    const password = 'Corr3ct-Horse-Battery!';
    let r = await call('POST', `/v1/users/${enc(bob.profile.login)}/password`, { body: { password } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.id, bob.id);
    assert.equal(bob.password, password);
    assert.equal(bob.sessions, 2);
    assert.ok(!r.text.includes(password));
    r = await call('POST', `/v1/users/${bob.id}/password`, { body: { password: 'An0ther-Good-Pass!', revokeSessions: true } });
    assert.equal(r.status, 200, r.text);
    assert.equal(bob.password, 'An0ther-Good-Pass!');
    assert.equal(bob.sessions, 0);
  });

  test('a password the policy refuses is 422 with Okta\'s causes, and the password is not echoed', async () => {
    const password = 'weakpass';
    const error = assertError(await call('POST', `/v1/users/${enc('alice@example.com')}/password`, { body: { password } }), 422, 'okta_password_policy');
    assert.equal(error.status, 400);
    assert.equal(error.errorCode, 'E0000001');
    assert.ok(error.errorCauses.some((cause) => /Password requirements/.test(cause)), error.errorCauses);
    assert.match(error.fix, /password policy/);
    assert.equal(error.retryable, false);
  });

  test('a user whose status forbids it is 409 okta_user_status', async () => {
    const judy = user('judy@example.com');
    const error = assertError(await call('POST', `/v1/users/${judy.id}/password`, { body: { password: 'Val1d-But-Deprovisioned!' } }), 409, 'okta_user_status');
    assert.equal(error.errorCode, 'E0000038');
  });

  test('the body is checked before Okta is asked', async () => {
    const seen = w.emu.requests.length;
    const path = `/v1/users/${enc('alice@example.com')}/password`;
    for (const body of [undefined, {}, { password: '' }, { password: 42 }, { password: 'Val1d-Pass-word!', revokeSessions: 'yes' }]) {
      assertError(await call('POST', path, { body }), 400, 'invalid_request');
    }
    assert.equal(w.emu.requests.length, seen);
  });
});

describe('POST /v1/users/{user}/reset-password', () => {
  test('creates a reset link (sendEmail: false)', async () => {
    const graceId = user('grace@example.com').id;
    const r = await call('POST', `/v1/users/${graceId}/reset-password`, { body: { sendEmail: false } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.emailSent, false);
    assert.match(r.json.resetPasswordUrl, /^http:\/\/127\.0\.0\.1:\d+\/reset_password\//);
    assert.equal(user('grace@example.com').status, 'RECOVERY');
  });

  test('sends the email (sendEmail: true) and can revoke sessions', async () => {
    const frank = user('frank@example.com');
    frank.sessions = 1;
    const sent = frank.resetEmailsSent;
    const r = await call('POST', `/v1/users/${enc('frank@example.com')}/reset-password`, { body: { sendEmail: true, revokeSessions: true } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { emailSent: true });
    assert.equal(frank.resetEmailsSent, sent + 1);
    assert.equal(frank.sessions, 0);
  });

  test('sendEmail is required; a STAGED user is 409 (E0000017)', async () => {
    assertError(await call('POST', `/v1/users/${enc('alice@example.com')}/reset-password`, { body: {} }), 400, 'invalid_request');
    const error = assertError(await call('POST', `/v1/users/${user('dave@example.com').id}/reset-password`, { body: { sendEmail: false } }), 409, 'okta_user_status');
    assert.equal(error.errorCode, 'E0000017');
    assert.ok(error.errorCauses?.length);
  });
});

describe('POST /v1/users/{user}/expire-password', () => {
  test('expires with a temporary password', async () => {
    const r = await call('POST', `/v1/users/${enc('heidi@example.com')}/expire-password`, { body: { tempPassword: true } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.expired, true);
    assert.equal(typeof r.json.tempPassword, 'string');
    assert.equal(user('heidi@example.com').status, 'PASSWORD_EXPIRED');
  });

  test('expires without one (no body needed)', async () => {
    const r = await call('POST', `/v1/users/${enc('alice@example.com')}/expire-password`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { expired: true });
    assert.equal(user('alice@example.com').status, 'PASSWORD_EXPIRED');
  });

  test('a SUSPENDED user is 409; a non-boolean tempPassword is 400', async () => {
    const error = assertError(await call('POST', `/v1/users/${user('ivan@example.com').id}/expire-password`, { body: { tempPassword: true } }), 409, 'okta_user_status');
    assert.equal(error.errorCode, 'E0000038');
    assertError(await call('POST', `/v1/users/${enc('alice@example.com')}/expire-password`, { body: { tempPassword: 'yes' } }), 400, 'invalid_request');
  });
});

describe('DELETE /v1/users/{user}/sessions', () => {
  test('revokes the sessions', async () => {
    const zoe = user('zoë@example.com');
    zoe.sessions = 3;
    const r = await call('DELETE', `/v1/users/${enc('zoë@example.com')}/sessions`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { revoked: true });
    assert.equal(zoe.sessions, 0);
  });

  test('an unknown user is 404; a role without the permission is 502 okta_permission_denied', async () => {
    assertError(await call('DELETE', '/v1/users/00u0000000000000000x/sessions'), 404, 'okta_user_not_found');
    const app = w.emu.apps.get(w.demo.clientId);
    app.roles = ['READ_ONLY_ADMIN'];
    try {
      assertError(await call('DELETE', `/v1/users/${enc('zoë@example.com')}/sessions`), 502, 'okta_permission_denied');
    } finally {
      app.roles = ['ORG_ADMIN'];
    }
  });
});

describe('Okta failing', () => {
  test('5xx on a read, after the core\'s retries, is 502 okta_server_error (retryable)', async () => {
    w.emu.addFault({ method: 'GET', path: '/api/v1/users', times: 5, kind: 'status', status: 503 });
    try {
      const error = assertError(await call('GET', `/v1/users/${user('alice@example.com').id}`), 502, 'okta_server_error');
      assert.equal(error.retryable, true);
      assert.equal(error.status, 503);
    } finally {
      w.emu.faults.length = 0;
    }
  });

  test('a connection dropped during a password change is 502 outcome_unknown, never retried', async () => {
    const alice = user('alice@example.com');
    const changes = alice.passwordChangedCount;
    w.emu.addFault({ method: 'POST', path: `/api/v1/users/${alice.id}`, times: 1, kind: 'drop', when: 'after' });
    const seen = w.emu.requests.length;
    try {
      const error = assertError(await call('POST', `/v1/users/${alice.id}/password`, { body: { password: 'Dr0pped-But-Applied!' } }), 502, 'outcome_unknown');
      assert.match(error.fix, /look the user up/);
      assert.equal(alice.passwordChangedCount, changes + 1);
      const attempts = w.emu.requests.slice(seen).filter((r) => r.method === 'POST' && r.path === `/api/v1/users/${alice.id}`);
      assert.equal(attempts.length, 1);
    } finally {
      w.emu.faults.length = 0;
    }
  });
});

test('no answer and no log line holds a secret', async () => {
  const issuedTokens = new Set(w.emu.requests.map((r) => r.headers.authorization?.split(' ')[1]).filter(Boolean));
  assert.ok(issuedTokens.size > 0);
  const pemBody = w.demo.privateKeyPem.split('\n').filter((line) => line && !line.startsWith('-----')).join('');
  const secrets = [
    w.apiSecret,
    w.tokenCacheSecret,
    w.demo.privateJwk.d,
    w.demo.privateJwk.p,
    otherKeyPem.split('\n')[5],
    ...Array.from({ length: Math.floor(pemBody.length / 64) }, (_, i) => pemBody.slice(i * 64, i * 64 + 64)),
    ...issuedTokens,
  ];
  const errorAnswers = answers.filter((a) => a.status >= 400);
  assert.ok(errorAnswers.length > 40, `${errorAnswers.length} error answers`);
  for (const answer of answers) {
    for (const secret of secrets) assert.ok(!answer.text.includes(secret), `an answer (${answer.status}) holds a secret`);
    for (const header of answer.headers.values()) for (const secret of secrets) assert.ok(!header.includes(secret));
  }
  for (const answer of errorAnswers) for (const password of sentPasswords) assert.ok(!answer.text.includes(password), 'an error echoes a password');
  const logs = w.logs.join('');
  for (const secret of [...secrets, ...sentPasswords]) assert.ok(!logs.includes(secret), 'a log line holds a secret');
});
