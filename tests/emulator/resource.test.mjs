// /api/v1 as a resource server: token presentation, DPoP proofs for API calls, scopes and roles.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createKeys, connectedClient, obtainToken, registerApp } from './client-kit.mjs';
import { startEmulator } from './okta-emulator.mjs';

const ALGS = 'RS256 RS384 RS512 ES256 ES384 ES512';

let emu;
let alice;
before(async () => {
  emu = await startEmulator();
  alice = emu.addUser({ login: 'alice@example.com', password: 'Initial-Passw0rd' });
});
after(() => emu.close());
beforeEach(() => emu.reset());

async function assertOktaError(response, status, errorCode, errorSummary) {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type'), /^application\/json/);
  const body = await response.json();
  assert.equal(body.errorCode, errorCode);
  assert.equal(body.errorSummary, errorSummary);
  assert.equal(body.errorLink, errorCode);
  assert.match(body.errorId, /^oae[0-9A-Za-z]{22}$/);
  assert.ok(Array.isArray(body.errorCauses));
  return body;
}

async function assertChallenge(response, status, error, description) {
  assert.equal(response.status, status);
  assert.equal(await response.text(), '');
  assert.equal(
    response.headers.get('www-authenticate'),
    `DPoP algs="${ALGS}", realm="${emu.orgUrl}", error="${error}", error_description="${description}"`,
  );
}

const FORBIDDEN = 'You do not have permission to perform the requested action';

describe('presenting the access token', () => {
  let client;
  before(async () => {
    client = await connectedClient(emu);
  });

  test('a valid DPoP call succeeds', async () => {
    const response = await client.call({ path: `/api/v1/users/${alice.id}` });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).id, alice.id);
  });

  test('no Authorization header, an unknown token, an SSWS token', async () => {
    const url = `${emu.orgUrl}/api/v1/users/${alice.id}`;
    for (const authorization of [undefined, 'DPoP nope', 'SSWS 00abc']) {
      const response = await fetch(url, { headers: authorization ? { Authorization: authorization } : {} });
      await assertOktaError(response, 401, 'E0000011', 'Invalid token provided');
    }
  });

  test('an expired token', async () => {
    emu.clockSkewSeconds = 3600;
    try {
      await assertOktaError(await client.call({ path: `/api/v1/users/${alice.id}` }), 401, 'E0000011', 'Invalid token provided');
    } finally {
      emu.clockSkewSeconds = 0;
    }
  });

  test('a DPoP-bound token under the Bearer scheme', async () => {
    const response = await client.call({
      path: `/api/v1/users/${alice.id}`,
      headers: { Authorization: `Bearer ${client.accessToken}` },
    });
    await assertChallenge(
      response,
      400,
      'invalid_request',
      'The resource request must use the DPoP authentication scheme when using a DPoP bound token.',
    );
  });

  test('a DPoP-bound token without a proof', async () => {
    const response = await fetch(`${emu.orgUrl}/api/v1/users/${alice.id}`, {
      headers: { Authorization: `DPoP ${client.accessToken}` },
    });
    await assertChallenge(response, 400, 'invalid_request', 'The resource request requires a DPoP proof.');
  });

  test('a Bearer token under the DPoP scheme', async () => {
    const bearerClient = await registerApp(emu, { dpop: false });
    const token = await obtainToken(emu, bearerClient);
    const response = await fetch(`${emu.orgUrl}/api/v1/users/${alice.id}`, { headers: { Authorization: `DPoP ${token}` } });
    await assertChallenge(response, 401, 'invalid_token', 'The presented access_token is not DPoP bound.');
    const ok = await fetch(`${emu.orgUrl}/api/v1/users/${alice.id}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
  });
});

describe('DPoP proofs on API calls', () => {
  let client;
  before(async () => {
    client = await connectedClient(emu);
  });

  const path = () => `/api/v1/users/${alice.id}`;
  const cases = [
    ['htm of another method', { htm: 'POST' }, "'htm' claim in the DPoP proof JWT is invalid."],
    [
      'htu with the query string',
      () => ({ htu: `${emu.orgUrl}${path()}?expand=x` }),
      "'htu' claim in the DPoP proof JWT is invalid.",
    ],
    ['htu of the token endpoint', () => ({ htu: emu.tokenUrl }), "'htu' claim in the DPoP proof JWT is invalid."],
    [
      'no ath',
      { claims: { ath: undefined } },
      "'ath' claim in the DPoP proof does not match the presented access_token.",
    ],
    [
      'ath of another token',
      { accessToken: 'other' },
      "'ath' claim in the DPoP proof does not match the presented access_token.",
    ],
    [
      'iat 305 s old',
      () => ({ claims: { iat: emu.nowSeconds() - 305 } }),
      'The DPoP proof JWT is issued more than five minutes in the past.',
    ],
  ];

  for (const [name, options, description] of cases) {
    test(name, async () => {
      const proofOptions = typeof options === 'function' ? options() : options;
      await assertChallenge(await client.call({ path: path(), proofOptions }), 401, 'invalid_dpop_proof', description);
    });
  }

  test('a proof signed by another DPoP key', async () => {
    const otherKeys = await createKeys('ES256');
    const response = await client.call({ path: path(), dpopKeys: otherKeys });
    await assertChallenge(response, 401, 'invalid_dpop_proof', 'The access_token is not bound to the provided DPoP proof.');
  });

  test('a replayed proof', async () => {
    const first = await client.call({ path: path(), proofOptions: { claims: { jti: 'same-jti' } } });
    assert.equal(first.status, 200);
    const second = await client.call({ path: path(), proofOptions: { claims: { jti: 'same-jti' } } });
    await assertChallenge(second, 401, 'invalid_dpop_proof', 'The DPoP proof JWT has already been used.');
  });

  test('htu is compared with the percent-decoded path', async () => {
    const encoded = `/api/v1/users/${encodeURIComponent('alice@example.com')}`;
    assert.equal((await client.call({ path: encoded })).status, 200);
    const literal = await client.call({ path: encoded, proofOptions: { htu: emu.orgUrl + encoded } });
    await assertChallenge(literal, 401, 'invalid_dpop_proof', "'htu' claim in the DPoP proof JWT is invalid.");
  });

  test('nonces are not required on API proofs unless apiNonceRequired', async () => {
    emu.apiNonceRequired = true;
    try {
      const challenged = await client.call({ path: path() });
      await assertChallenge(challenged, 401, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.');
      const nonce = challenged.headers.get('dpop-nonce');
      assert.equal(nonce, emu.nonces.current);
      assert.equal((await client.call({ path: path(), proofOptions: { nonce } })).status, 200);
    } finally {
      emu.apiNonceRequired = false;
    }
  });
});

describe('scopes and admin roles', () => {
  const probeId = '00uDoesNotExist000';

  async function withRoles(roles) {
    return connectedClient(emu, { roles });
  }

  test('no admin role: even reads are forbidden', async () => {
    const client = await withRoles([]);
    await assertOktaError(await client.call({ path: `/api/v1/users/${alice.id}` }), 403, 'E0000006', FORBIDDEN);
    await assertOktaError(await client.call({ path: '/api/v1/users' }), 403, 'E0000006', FORBIDDEN);
  });

  test('read-only admin: reads pass, changes are forbidden before the user is looked up', async () => {
    const client = await withRoles(['READ_ONLY_ADMIN']);
    assert.equal((await client.call({ path: `/api/v1/users/${alice.id}` })).status, 200);
    const probe = await client.call({ method: 'POST', path: `/api/v1/users/${probeId}/lifecycle/reset_password?sendEmail=false` });
    await assertOktaError(probe, 403, 'E0000006', FORBIDDEN);
    assert.equal(alice.status, 'ACTIVE');
  });

  test('help desk admin: resets and sessions pass, setting a password is forbidden', async () => {
    const client = await withRoles(['HELP_DESK_ADMIN']);
    const probe = await client.call({ method: 'POST', path: `/api/v1/users/${probeId}/lifecycle/reset_password?sendEmail=false` });
    await assertOktaError(probe, 404, 'E0000007', `Not found: Resource not found: ${probeId} (User)`);
    const bob = emu.addUser({ login: 'bob.helpdesk@example.com', password: 'Initial-Passw0rd' });
    assert.equal((await client.call({ method: 'DELETE', path: `/api/v1/users/${bob.id}/sessions` })).status, 204);
    const setPassword = await client.call({
      method: 'POST',
      path: `/api/v1/users/${bob.id}`,
      body: { credentials: { password: { value: 'Brand-New-Passw0rd' } } },
    });
    await assertOktaError(setPassword, 403, 'E0000006', FORBIDDEN);
  });

  test('org admin: everything except users holding admin roles', async () => {
    const client = await withRoles(['ORG_ADMIN']);
    const probe = await client.call({ method: 'POST', path: `/api/v1/users/${probeId}/lifecycle/reset_password?sendEmail=false` });
    assert.equal(probe.status, 404);
    const admin = emu.addUser({ login: 'root.org@example.com', isAdmin: true, password: 'Initial-Passw0rd' });
    assert.equal((await client.call({ path: `/api/v1/users/${admin.id}` })).status, 200);
    const reset = await client.call({ method: 'POST', path: `/api/v1/users/${admin.id}/lifecycle/reset_password?sendEmail=false` });
    await assertOktaError(reset, 403, 'E0000006', FORBIDDEN);
    assert.equal(admin.status, 'ACTIVE');
  });

  test('super admin: users holding admin roles too', async () => {
    const client = await withRoles(['SUPER_ADMIN']);
    const admin = emu.addUser({ login: 'root.super@example.com', isAdmin: true, password: 'Initial-Passw0rd' });
    const reset = await client.call({ method: 'POST', path: `/api/v1/users/${admin.id}/lifecycle/reset_password?sendEmail=false` });
    assert.equal(reset.status, 200);
  });

  test('roles are evaluated per request', async () => {
    const client = await withRoles(['ORG_ADMIN']);
    client.app.roles = ['READ_ONLY_ADMIN'];
    const probe = await client.call({ method: 'POST', path: `/api/v1/users/${probeId}/lifecycle/expire_password` });
    await assertOktaError(probe, 403, 'E0000006', FORBIDDEN);
  });

  test('a scope withdrawn from the app after the token was issued', async () => {
    const client = await withRoles(['ORG_ADMIN']);
    client.app.scopes = ['okta.users.read'];
    const response = await client.call({ method: 'POST', path: `/api/v1/users/${probeId}/lifecycle/expire_password` });
    await assertOktaError(response, 403, 'E0000006', FORBIDDEN);
    assert.match(response.headers.get('www-authenticate'), /error="insufficient_scope"/);
  });

  test('okta.users.read is enough for reads only', async () => {
    const client = await connectedClient(emu, { scopes: ['okta.users.read'] });
    assert.equal((await client.call({ path: `/api/v1/users/${alice.id}` })).status, 200);
    await assertOktaError(
      await client.call({ method: 'DELETE', path: `/api/v1/users/${alice.id}/sessions` }),
      403,
      'E0000006',
      FORBIDDEN,
    );
  });
});

test('unknown paths and methods', async () => {
  const client = await connectedClient(emu);
  await assertOktaError(await client.call({ path: '/api/v1/groups' }), 404, 'E0000008', 'The requested path was not found');
  await assertOktaError(
    await client.call({ method: 'DELETE', path: `/api/v1/users/${alice.id}/lifecycle/reset_password` }),
    405,
    'E0000022',
    'The endpoint does not support the provided HTTP method',
  );
});
