// OktaClient's two signing paths (WebCrypto and wasm): RS256 signatures are byte-identical on both (and to
// node:crypto), every JWT the client makes verifies with jose, and the helper methods (accessToken,
// createClientAssertion, createDpopProof) produce what a custom flow against the org needs.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, EmbeddedJWK, exportJWK, exportPKCS8, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { SigningKey } from 'okta-connect';
import { SIGNINGS, TOKEN_PATH, apiRequests, assertAllDistinct, assertionOf, oktaId, proofOf, since, startOrg, tokenPosts } from './support.mjs';

const encoder = new TextEncoder();
const publicOnly = ({ d, p, q, dp, dq, qi, ...jwk }) => jwk;
const ath = (token) => createHash('sha256').update(token, 'ascii').digest('base64url');

let org;
before(async () => {
  org = await startOrg();
});
after(() => org.close());

describe('RS256 signatures are byte-identical on every path', () => {
  const inputs = ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0', 'a.b', 'x'.repeat(5000)];

  test('SigningKey.sign (wasm) == WebCrypto (PKCS#8 import) == node:crypto, for PEM, PKCS#1 and JWK forms', async () => {
    const nodeKey = createPrivateKey(org.demo.privateKeyPem);
    const pkcs1 = nodeKey.export({ type: 'pkcs1', format: 'pem' });
    const forms = { pkcs8: org.demo.privateKeyPem, pkcs1, jwk: JSON.stringify(org.demo.privateJwk) };
    const subtle = globalThis.crypto.subtle;
    const webKey = await subtle.importKey('pkcs8', nodeKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    for (const input of inputs) {
      const data = encoder.encode(input);
      const expected = nodeSign('sha256', data, nodeKey);
      assert.equal(expected.length, 256);
      assert.deepEqual(Buffer.from(await subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, webKey, data)), expected, 'WebCrypto');
      for (const [form, text] of Object.entries(forms)) {
        const key = SigningKey.parse(text);
        assert.equal(key.algorithm, 'RS256');
        assert.deepEqual(Buffer.from(key.sign(data)), expected, `wasm SigningKey from ${form}`);
        key.free();
      }
    }
  });

  for (const alg of ['RS384', 'RS512']) {
    test(`${alg} (from the JWK's alg) is byte-identical too, and Okta accepts it on both paths`, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const kid = `k-${alg}`;
      const clientId = oktaId('0oa');
      org.emu.addApp({ clientId, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] } });
      const privateJwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg });
      const data = encoder.encode('header.payload');
      const key = SigningKey.parse(privateJwk);
      assert.equal(key.algorithm, alg);
      const hash = `sha${alg.slice(2)}`;
      assert.deepEqual(Buffer.from(key.sign(data)), nodeSign(hash, data, createPrivateKey({ key: JSON.parse(privateJwk), format: 'jwk' })));
      key.free();
      for (const signing of SIGNINGS) {
        const mark = org.emu.requests.length;
        const client = await org.connect(signing, { clientId, privateKey: privateJwk, keyId: undefined });
        assert.equal(client.connection.algorithm, alg);
        const result = await client.verify();
        assert.equal(result.ok, true, JSON.stringify(result.checks));
        const assertion = assertionOf(tokenPosts(since(org.emu, mark))[0]);
        assert.equal(assertion.header.alg, alg);
        assert.equal(assertion.header.kid, kid);
        const [h, p, s] = assertion.raw.split('.');
        assert.deepEqual(Buffer.from(s, 'base64url'), nodeSign(hash, encoder.encode(`${h}.${p}`), createPrivateKey({ key: JSON.parse(privateJwk), format: 'jwk' })));
      }
    });
  }

  for (const signing of SIGNINGS) {
    test(`${signing}: the client assertions OktaClient sends carry node:crypto's exact RS256 signature`, async () => {
      const mark = org.emu.requests.length;
      const client = await org.connect(signing);
      assert.equal(client.connection.signing, signing);
      await client.getUser(org.demo.users[0].id);
      const posts = tokenPosts(since(org.emu, mark));
      assert.equal(posts.length, 2);
      const nodeKey = createPrivateKey(org.demo.privateKeyPem);
      for (const post of posts) {
        const [h, p, s] = assertionOf(post).raw.split('.');
        assert.deepEqual(Buffer.from(s, 'base64url'), nodeSign('sha256', encoder.encode(`${h}.${p}`), nodeKey));
      }
    });
  }
});

for (const signing of SIGNINGS) {
  describe(`${signing}: tokens, assertions and proofs`, () => {
    test('connection facts before and after the first token', async () => {
      const client = await org.connect(signing);
      const info = client.connection;
      assert.equal(info.orgUrl, org.emu.orgUrl);
      assert.equal(info.tokenUrl, org.emu.tokenUrl);
      assert.equal(info.algorithm, 'RS256');
      assert.equal(info.keyId, org.demo.kid);
      assert.equal(info.thumbprint, org.demo.kid, 'the seed uses the RFC 7638 thumbprint as kid');
      assert.equal(info.signing, signing);
      assert.match(info.dpopThumbprint, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(info.dpop, undefined);
      const mark = org.emu.requests.length;
      await client.accessToken();
      assert.equal(client.connection.dpop, true);
      const proof = proofOf(tokenPosts(since(org.emu, mark))[0]);
      assert.equal(await calculateJwkThumbprint(proof.header.jwk), info.dpopThumbprint);
    });

    test('accessToken(): one exchange (nonce dance), then the cached DPoP-bound token is reused by every call', async () => {
      const client = await org.connect(signing);
      const mark = org.emu.requests.length;
      const token = await client.accessToken();
      assert.equal(typeof token, 'string');
      assert.equal(tokenPosts(since(org.emu, mark)).length, 2);
      assert.equal(await client.accessToken(), token);
      const claims = decodeJwt(token);
      assert.equal(claims.cid, org.demo.clientId);
      assert.equal(claims.cnf.jkt, client.connection.dpopThumbprint);
      assert.deepEqual(claims.scp, ['okta.users.manage']);
      await client.getUser(org.demo.users[0].id);
      await client.getUser('alice@example.com');
      const requests = since(org.emu, mark);
      assert.equal(tokenPosts(requests).length, 2, 'no further token request');
      for (const request of apiRequests(requests)) {
        assert.equal(request.headers.authorization, `DPoP ${token}`);
        assert.equal(proofOf(request).claims.ath, ath(token));
      }
    });

    test('createClientAssertion() verifies with the public JWK and has the RFC 7523 claims', async () => {
      const client = await org.connect(signing);
      const publicKey = await importJWK(publicOnly(org.demo.privateJwk), 'RS256');
      const assertions = [await client.createClientAssertion(), await client.createClientAssertion()];
      const jtis = [];
      for (const assertion of assertions) {
        const before = Math.floor(Date.now() / 1000);
        const { payload, protectedHeader } = await jwtVerify(assertion, publicKey, {
          issuer: org.demo.clientId,
          subject: org.demo.clientId,
          audience: org.emu.tokenUrl,
          algorithms: ['RS256'],
        });
        assert.equal(protectedHeader.kid, org.demo.kid);
        assert.equal(payload.exp - payload.iat, 300);
        assert.ok(Math.abs(payload.iat - before) <= 2);
        assert.match(payload.jti, /^[A-Za-z0-9_-]{16,}$/);
        jtis.push(payload.jti);
      }
      assertAllDistinct(jtis, 'assertion jtis');
    });

    test('createDpopProof() verifies with its embedded JWK (public only) and binds htm, htu, nonce and ath', async () => {
      const client = await org.connect(signing);
      const htu = `${org.emu.orgUrl}/api/v1/users/${org.demo.users[0].id}`;
      const proofs = [
        await client.createDpopProof({ htm: 'GET', htu, accessToken: 'tok-123', nonce: 'n-1' }),
        await client.createDpopProof({ htm: 'GET', htu, accessToken: 'tok-123', nonce: 'n-1' }),
      ];
      const jtis = [];
      for (const proof of proofs) {
        const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
        assert.deepEqual(Object.keys(protectedHeader.jwk).sort(), ['crv', 'kty', 'x', 'y']);
        assert.equal(protectedHeader.jwk.crv, 'P-256');
        assert.equal(await calculateJwkThumbprint(protectedHeader.jwk), client.connection.dpopThumbprint);
        assert.equal(payload.htm, 'GET');
        assert.equal(payload.htu, htu);
        assert.equal(payload.nonce, 'n-1');
        assert.equal(payload.ath, ath('tok-123'));
        assert.ok(Math.abs(payload.iat - Date.now() / 1000) <= 2);
        jtis.push(payload.jti);
      }
      assertAllDistinct(jtis, 'proof jtis');
      const plain = await client.createDpopProof({ htm: 'POST', htu: org.emu.tokenUrl });
      const { payload } = await jwtVerify(plain, EmbeddedJWK, { typ: 'dpop+jwt' });
      assert.equal(payload.nonce, undefined);
      assert.equal(payload.ath, undefined);
      const fixed = await client.createDpopProof({ htm: 'POST', htu: org.emu.tokenUrl, now: 1_800_000_000 });
      assert.equal(decodeJwt(fixed).iat, 1_800_000_000);
    });

    test('a custom flow built from createClientAssertion() and createDpopProof() gets a token and calls the API', async () => {
      const client = await org.connect(signing);
      const tokenRequest = async (nonce) =>
        fetch(org.emu.tokenUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: await client.createDpopProof({ htm: 'POST', htu: org.emu.tokenUrl, nonce }) },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            scope: 'okta.users.manage',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: await client.createClientAssertion(),
          }),
        });
      const challenge = await tokenRequest();
      assert.equal(challenge.status, 400);
      assert.equal((await challenge.json()).error, 'use_dpop_nonce');
      const response = await tokenRequest(challenge.headers.get('dpop-nonce'));
      assert.equal(response.status, 200);
      const { access_token: token, token_type: type } = await response.json();
      assert.equal(type, 'DPoP');
      const user = org.demo.users[0];
      const htu = `${org.emu.orgUrl}/api/v1/users/${user.id}`;
      const api = await fetch(htu, { headers: { Authorization: `DPoP ${token}`, DPoP: await client.createDpopProof({ htm: 'GET', htu, accessToken: token }) } });
      assert.equal(api.status, 200);
      assert.equal((await api.json()).profile.login, user.profile.login);
    });
  });
}

describe('other client keys and app kinds', () => {
  let ecApp;
  before(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = 'ec-key-1';
    ecApp = { clientId: oktaId('0oa'), kid, pem: await exportPKCS8(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
    org.emu.addApp({ clientId: ecApp.clientId, jwks: { keys: [ecApp.publicJwk] } });
  });

  for (const signing of SIGNINGS) {
    test(`${signing}: an EC P-256 client key signs ES256 assertions Okta accepts`, async () => {
      const mark = org.emu.requests.length;
      const client = await org.connect(signing, { clientId: ecApp.clientId, privateKey: ecApp.pem, keyId: ecApp.kid });
      assert.equal(client.connection.algorithm, 'ES256');
      const result = await client.verify();
      assert.equal(result.ok, true, JSON.stringify(result.checks));
      const posts = tokenPosts(since(org.emu, mark));
      assert.equal(posts.length, 2);
      const publicKey = await importJWK(ecApp.publicJwk, 'ES256');
      for (const post of posts) {
        const { raw, header } = assertionOf(post);
        assert.equal(header.alg, 'ES256');
        assert.equal(Buffer.from(raw.split('.')[2], 'base64url').length, 64, 'JWS ES256 signatures are r||s, 64 bytes');
        await jwtVerify(raw, publicKey, { audience: org.emu.tokenUrl, issuer: ecApp.clientId });
      }
      const assertion = await client.createClientAssertion();
      await jwtVerify(assertion, publicKey, { audience: org.emu.tokenUrl, subject: ecApp.clientId });
    });

    test(`${signing}: an app without DPoP gets a Bearer token in one request, and API calls carry no proof`, async () => {
      const clientId = oktaId('0oa');
      org.emu.addApp({ clientId, jwks: { keys: [{ ...publicOnly(org.demo.privateJwk), alg: 'RS256', use: 'sig' }] }, dpop: false });
      const client = await org.connect(signing, { clientId });
      const mark = org.emu.requests.length;
      const checks = [];
      const result = await client.verify({ onProgress: (check) => checks.push(check) });
      assert.equal(result.ok, true, JSON.stringify(result.checks));
      assert.match(result.checks.find((c) => c.id === 'dpop').detail, /Bearer/);
      assert.equal(client.connection.dpop, false);
      const user = await client.getUser(org.demo.users[0].id);
      assert.equal(user.id, org.demo.users[0].id);
      const requests = since(org.emu, mark);
      assert.equal(tokenPosts(requests).length, 1, 'no nonce dance for a Bearer app');
      const token = await client.accessToken();
      for (const request of apiRequests(requests)) {
        assert.equal(request.headers.authorization, `Bearer ${token}`);
        assert.equal(request.headers.dpop, undefined);
      }
      assert.equal(decodeJwt(token).cnf, undefined);
    });
  }
});

describe('connect() and close()', () => {
  test('connect() refuses unusable configs with the field and the fix, before any request', async () => {
    const mark = org.emu.requests.length;
    const publicPem = createPublicKey(org.demo.privateKeyPem).export({ type: 'spki', format: 'pem' });
    const cases = [
      [{ privateKey: publicPem }, {}, 'key_is_public', 'privateKey'],
      [{ privateKey: '' }, {}, 'key_missing', 'privateKey'],
      [{ orgUrl: 'https://login.example.com' }, {}, 'org_url_not_okta', 'orgUrl'],
      [{}, { allowInsecureLoopback: false }, 'org_url_insecure', 'orgUrl'],
      [{ clientId: '' }, {}, 'client_id_missing', 'clientId'],
    ];
    for (const signing of SIGNINGS) {
      for (const [overrides, options, code, field] of cases) {
        const error = await org.connect(signing, overrides, options).then(() => assert.fail(`${code} expected`), (e) => e);
        assert.equal(error.name, 'OktaConnectError');
        assert.deepEqual([error.code, error.field, error.retryable], [code, field, false]);
        assert.equal(typeof error.fix, 'string');
        assert.ok(!String(error.stack).includes(org.demo.privateKeyPem.split('\n')[1]), 'no key material in the error');
      }
    }
    assert.equal(since(org.emu, mark).length, 0);
  });

  for (const signing of SIGNINGS) {
    test(`${signing}: after close() every method throws an OktaConnectError and sends nothing`, async () => {
      const client = await org.connect(signing);
      await client.accessToken();
      client.close();
      const mark = org.emu.requests.length;
      for (const call of [() => client.getUser('alice@example.com'), () => client.accessToken(), () => client.createClientAssertion(), () => client.verify()]) {
        const error = await Promise.resolve().then(call).then(() => assert.fail('expected a failure'), (e) => e);
        assert.equal(error.name, 'OktaConnectError');
        assert.equal(error.code, 'invalid_argument');
      }
      assert.equal(since(org.emu, mark).length, 0);
    });
  }
});

test('the token endpoint only ever sees requests from loopback and the paths this suite expects', () => {
  for (const request of org.emu.requests) {
    assert.ok(request.path === TOKEN_PATH || request.path.startsWith('/api/v1/users'), request.path);
    assert.equal(new URL(`http://${request.headers.host}`).hostname, '127.0.0.1');
  }
});
