// The org authorization server's token endpoint: client assertions, DPoP, scopes.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { decodeJwt, exportJWK, generateKeyPair, generateSecret } from 'jose';
import { createKeys, registerApp, requestToken, signAssertion, signProof } from './client-kit.mjs';
import { startEmulator } from './okta-emulator.mjs';

let emu;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());
beforeEach(() => emu.reset());

async function assertOAuthError(response, status, error, description) {
  assert.equal(response.status, status);
  assert.deepEqual(await response.json(), { error, error_description: description });
  assert.equal(response.headers.get('cache-control'), 'no-store');
}

/** A token request answered with a nonce challenge, and the nonce it carried. */
async function nonceChallenge(client, dpopKeys) {
  const response = await requestToken(emu, client, { dpopKeys });
  return { response, nonce: response.headers.get('dpop-nonce') };
}

describe('DPoP token flow', () => {
  test('first proof without a nonce is answered use_dpop_nonce with a DPoP-Nonce header', async () => {
    const client = await registerApp(emu);
    const { response, nonce } = await nonceChallenge(client, await createKeys('ES256'));
    await assertOAuthError(response, 400, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.');
    assert.equal(nonce, emu.nonces.current);
  });

  test('retry with the nonce and a fresh assertion gets a DPoP-bound token', async () => {
    const client = await registerApp(emu);
    const dpopKeys = await createKeys('ES256');
    const { nonce } = await nonceChallenge(client, dpopKeys);
    const response = await requestToken(emu, client, { dpopKeys, nonce });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('dpop-nonce'), nonce);
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'DPoP');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'okta.users.manage');
    const claims = decodeJwt(body.access_token);
    assert.equal(claims.cnf.jkt, dpopKeys.thumbprint);
    assert.equal(claims.cid, client.app.clientId);
    assert.deepEqual(claims.scp, ['okta.users.manage']);
    assert.equal(claims.exp - claims.iat, 3600);
  });

  test('the assertion jti is consumed even when the request is answered use_dpop_nonce', async () => {
    const client = await registerApp(emu);
    const dpopKeys = await createKeys('ES256');
    const assertion = await signAssertion(emu, client);
    const first = await requestToken(emu, client, { dpopKeys, form: { client_assertion: assertion } });
    const nonce = first.headers.get('dpop-nonce');
    const retry = await requestToken(emu, client, { dpopKeys, nonce, form: { client_assertion: assertion } });
    await assertOAuthError(retry, 401, 'invalid_client', 'The client_assertion token has already been used.');
  });

  test('a rotated nonce: the previous one works only while kept', async () => {
    const client = await registerApp(emu);
    const dpopKeys = await createKeys('ES256');
    const old = emu.nonces.current;
    emu.rotateNonce();
    assert.equal((await requestToken(emu, client, { dpopKeys, nonce: old })).status, 200);
    emu.rotateNonce({ keepPrevious: false });
    const stale = await requestToken(emu, client, { dpopKeys, nonce: old });
    await assertOAuthError(stale, 400, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.');
    assert.equal(stale.headers.get('dpop-nonce'), emu.nonces.current);
  });

  test('an app without DPoP ignores a DPoP header and issues a Bearer token', async () => {
    const client = await registerApp(emu, { dpop: false });
    const response = await requestToken(emu, client, { dpopKeys: await createKeys('ES256') });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(decodeJwt(body.access_token).cnf, undefined);
  });

  test('RSA DPoP keys are accepted too', async () => {
    const client = await registerApp(emu);
    const dpopKeys = await createKeys('RS256');
    const { nonce } = await nonceChallenge(client, dpopKeys);
    assert.equal((await requestToken(emu, client, { dpopKeys, nonce })).status, 200);
  });
});

describe('DPoP proof errors at the token endpoint', () => {
  let client;
  let dpopKeys;
  beforeEach(async () => {
    client = await registerApp(emu);
    dpopKeys = await createKeys('ES256');
  });

  const proofCases = [
    ['unparseable', () => 'not.a.jwt', 'The DPoP proof JWT cannot be parsed.'],
    ['wrong typ', () => proof({ header: { typ: 'JWT' } }), "'typ' must be 'dpop+jwt' in the DPoP proof JWT."],
    [
      'symmetric alg',
      async () => proof({ header: { alg: 'HS256' }, signingKey: await generateSecret('HS256') }),
      'The DPoP proof JWT signature algorithm is invalid.',
    ],
    [
      'private key in the header jwk',
      async () => proof({ header: { jwk: await privateJwk() } }),
      'The DPoP proof JWT is invalid.',
    ],
    [
      'signed by another key',
      async () => proof({ signingKey: (await generateKeyPair('ES256')).privateKey }),
      'The DPoP proof JWT signature is invalid.',
    ],
    ['wrong htm', () => proof({ htm: 'GET' }), "'htm' claim in the DPoP proof JWT is invalid."],
    [
      'htu with a trailing slash',
      () => proof({ htu: `${emu.tokenUrl}/` }),
      "'htu' claim in the DPoP proof JWT is invalid.",
    ],
    ['htu with a query', () => proof({ htu: `${emu.tokenUrl}?x=1` }), "'htu' claim in the DPoP proof JWT is invalid."],
    ['no iat', () => proof({ claims: { iat: undefined } }), "'iat' claim in the DPoP proof JWT is invalid."],
    [
      'iat as a string',
      () => proof({ claims: { iat: String(emu.nowSeconds()) } }),
      "'iat' claim in the DPoP proof JWT is invalid.",
    ],
    [
      'iat 65 s ahead',
      () => proof({ claims: { iat: emu.nowSeconds() + 65 } }),
      'The DPoP proof JWT is issued in the future.',
    ],
    [
      'iat 305 s old',
      () => proof({ claims: { iat: emu.nowSeconds() - 305 } }),
      'The DPoP proof JWT is issued more than five minutes in the past.',
    ],
    ['no jti', () => proof({ claims: { jti: undefined } }), "'jti' claim in the DPoP proof JWT is invalid."],
  ];

  function proof(options = {}) {
    return signProof(emu, dpopKeys, { htm: 'POST', htu: emu.tokenUrl, nonce: emu.nonces.current, ...options });
  }

  async function privateJwk() {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    return exportJWK(privateKey);
  }

  test('no DPoP header', async () => {
    const response = await requestToken(emu, client);
    await assertOAuthError(response, 400, 'invalid_dpop_proof', 'The DPoP proof JWT header is missing.');
  });

  for (const [name, makeProof, description] of proofCases) {
    test(name, async () => {
      const response = await requestToken(emu, client, { proof: await makeProof() });
      await assertOAuthError(response, 400, 'invalid_dpop_proof', description);
    });
  }

  test('iat 55 s ahead and 295 s old are still accepted', async () => {
    for (const iat of [emu.nowSeconds() + 55, emu.nowSeconds() - 295]) {
      const response = await requestToken(emu, client, { proof: await proof({ claims: { iat } }) });
      assert.equal(response.status, 200);
    }
  });

  test('a replayed proof', async () => {
    const reused = await proof();
    assert.equal((await requestToken(emu, client, { proof: reused })).status, 200);
    const response = await requestToken(emu, client, { proof: reused });
    await assertOAuthError(response, 400, 'invalid_dpop_proof', 'The DPoP proof JWT has already been used.');
  });

  test('two DPoP headers', async () => {
    const response = await fetch(emu.tokenUrl, {
      method: 'POST',
      headers: [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['DPoP', await proof()],
        ['DPoP', await proof()],
      ],
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'okta.users.manage',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await signAssertion(emu, client),
      }),
    });
    await assertOAuthError(response, 400, 'invalid_dpop_proof', 'Multiple DPoP proof JWT headers are not allowed.');
  });
});

describe('client assertion errors', () => {
  let client;
  beforeEach(async () => {
    client = await registerApp(emu, { dpop: false });
  });

  async function withAssertion(assertion) {
    return requestToken(emu, client, { form: { client_assertion: assertion } });
  }

  function assertion(options) {
    return signAssertion(emu, client, options);
  }

  const cases = [
    ['unparseable', () => 'garbage', 'The parsing of the client_assertion failed.'],
    [
      'unknown issuer',
      () => assertion({ claims: { iss: '0oaUnknown', sub: '0oaUnknown' } }),
      'The issuer claim for client_assertion is not a valid client_id.',
    ],
    [
      'subject differs from issuer',
      () => assertion({ claims: { sub: 'someone' } }),
      'The subject claim for client_assertion is not a valid client_id.',
    ],
    [
      'audience is the org URL',
      () => assertion({ claims: { aud: emu.orgUrl } }),
      'The audience claim for client_assertion must be the endpoint invoked for the request.',
    ],
    [
      'audience with a double slash',
      () => assertion({ claims: { aud: `${emu.orgUrl}//oauth2/v1/token` } }),
      'The audience claim for client_assertion must be the endpoint invoked for the request.',
    ],
    [
      'no exp',
      () => assertion({ claims: { exp: undefined } }),
      "The client_assertion must contain the 'exp' claim as seconds since epoch.",
    ],
    ['expired', () => assertion({ claims: { exp: emu.nowSeconds() - 1 } }), 'The client_assertion token is expired.'],
    [
      'exp more than an hour ahead',
      () => assertion({ claims: { exp: emu.nowSeconds() + 3605 } }),
      'The client_assertion token has an expiration too far into the future.',
    ],
    [
      'iat in the future',
      () => assertion({ claims: { iat: emu.nowSeconds() + 5 } }),
      'The client_assertion token must be issued before the current time.',
    ],
    [
      'HS256',
      async () => assertion({ header: { alg: 'HS256' }, signingKey: await generateSecret('HS256') }),
      'The client_assertion JWT signature algorithm is invalid.',
    ],
    [
      'PS256',
      async () => assertion({ header: { alg: 'PS256' }, signingKey: (await generateKeyPair('PS256')).privateKey }),
      'The client_assertion JWT signature algorithm is invalid.',
    ],
    ['unknown kid', () => assertion({ header: { kid: 'nope' } }), 'The client_assertion JWT kid is invalid.'],
    [
      'signed by another key',
      async () => assertion({ signingKey: (await generateKeyPair('RS256')).privateKey }),
      'The client_assertion signature is invalid.',
    ],
  ];

  for (const [name, make, description] of cases) {
    test(name, async () => {
      await assertOAuthError(await withAssertion(await make()), 401, 'invalid_client', description);
    });
  }

  test('exp exactly an hour ahead, and no iat or jti, are accepted', async () => {
    const response = await withAssertion(await assertion({ claims: { exp: emu.nowSeconds() + 3600, iat: undefined, jti: undefined } }));
    assert.equal(response.status, 200);
  });

  test('kid may be left out when the app has one key, not when it has several', async () => {
    assert.equal((await withAssertion(await assertion({ header: { kid: undefined } }))).status, 200);
    client.app.jwks.keys.push((await createKeys()).publicJwk);
    const response = await withAssertion(await assertion({ header: { kid: undefined } }));
    await assertOAuthError(response, 401, 'invalid_client', 'The client_assertion JWT kid is invalid.');
  });

  test('EC client keys work', async () => {
    const keys = await createKeys('ES256');
    const ecClient = { app: emu.addApp({ clientId: '0oaEcClient', jwks: { keys: [keys.publicJwk] }, dpop: false }), keys };
    assert.equal((await requestToken(emu, ecClient)).status, 200);
  });

  test('a reused assertion', async () => {
    const reused = await assertion();
    assert.equal((await withAssertion(reused)).status, 200);
    await assertOAuthError(await withAssertion(reused), 401, 'invalid_client', 'The client_assertion token has already been used.');
  });

  test('wrong client_assertion_type', async () => {
    const response = await requestToken(emu, client, { form: { client_assertion_type: 'jwt' } });
    await assertOAuthError(response, 400, 'invalid_request', 'The client_assertion_type is invalid.');
  });
});

describe('client authentication methods and request shape', () => {
  const privateKeyJwtOnly =
    'Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.';

  test('client secret in a Basic header', async () => {
    const client = await registerApp(emu);
    const response = await requestToken(emu, client, {
      form: { client_assertion: undefined, client_assertion_type: undefined },
      headers: { Authorization: `Basic ${Buffer.from(`${client.app.clientId}:secret`).toString('base64')}` },
    });
    await assertOAuthError(response, 401, 'invalid_client', privateKeyJwtOnly);
  });

  test('client secret in the body', async () => {
    const client = await registerApp(emu);
    const response = await requestToken(emu, client, {
      form: { client_assertion: undefined, client_assertion_type: undefined, client_id: client.app.clientId, client_secret: 's' },
    });
    await assertOAuthError(response, 401, 'invalid_client', privateKeyJwtOnly);
  });

  test('an app configured for client_secret_basic cannot use an assertion either', async () => {
    const client = await registerApp(emu, { tokenEndpointAuthMethod: 'client_secret_basic' });
    await assertOAuthError(await requestToken(emu, client), 401, 'invalid_client', privateKeyJwtOnly);
  });

  test('no credentials at all', async () => {
    const client = await registerApp(emu);
    const response = await requestToken(emu, client, { form: { client_assertion: undefined, client_assertion_type: undefined } });
    await assertOAuthError(response, 401, 'invalid_client', 'No client credentials found.');
  });

  test('Basic header together with an assertion', async () => {
    const client = await registerApp(emu);
    const response = await requestToken(emu, client, { headers: { Authorization: 'Basic eDp5' } });
    await assertOAuthError(
      response,
      401,
      'invalid_request',
      'Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.',
    );
  });

  test('a non-service app', async () => {
    const client = await registerApp(emu, { applicationType: 'web' });
    await assertOAuthError(
      await requestToken(emu, client),
      401,
      'invalid_client',
      "Only clients with 'application_type' of 'service' may use the client_credentials 'grant_type' with the Org Authorization Server.",
    );
  });

  test('another grant type', async () => {
    const client = await registerApp(emu, { dpop: false });
    await assertOAuthError(
      await requestToken(emu, client, { form: { grant_type: 'password' } }),
      400,
      'unauthorized_client',
      'The client is not authorized to use the provided grant type. Configured grant types: [client_credentials].',
    );
  });

  test('no scope, and a scope the app was not granted', async () => {
    const client = await registerApp(emu, { dpop: false });
    await assertOAuthError(await requestToken(emu, client, { form: { scope: undefined } }), 400, 'invalid_scope', 'No scopes were requested.');
    await assertOAuthError(
      await requestToken(emu, client, { form: { scope: 'okta.users.manage okta.groups.manage' } }),
      400,
      'invalid_scope',
      'The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.',
    );
  });

  test('a browser request (Origin header) is refused unless the knob is off', async () => {
    const client = await registerApp(emu, { dpop: false });
    const fromBrowser = { headers: { Origin: 'https://app.example.com' } };
    const refused = await requestToken(emu, client, fromBrowser);
    await assertOAuthError(refused, 401, 'invalid_client', 'Browser requests to the token endpoint must use Proof Key for Code Exchange.');
    assert.equal(refused.headers.get('access-control-allow-origin'), 'https://app.example.com');
    emu.rejectBrowserTokenRequests = false;
    try {
      assert.equal((await requestToken(emu, client, fromBrowser)).status, 200);
    } finally {
      emu.rejectBrowserTokenRequests = true;
    }
  });

  test('GET on the token endpoint', async () => {
    const response = await fetch(emu.tokenUrl);
    assert.equal(response.status, 405);
    assert.equal((await response.json()).errorCode, 'E0000022');
  });
});
