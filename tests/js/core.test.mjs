// Every client assertion, DPoP proof and signature okta-connect makes, verified by independent implementations
// (jose, and OpenSSL through node:crypto) for every accepted key form; and validateConfig's reports.
import assert from 'node:assert/strict';
import {
  createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as opensslSign, verify as opensslVerify,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import { createClientAssertion, DpopKey, Session, SigningKey, validateConfig } from 'okta-connect';

const fixture = (name) => readFileSync(new URL(`../fixtures/keys/${name}`, import.meta.url), 'utf8');

const CLIENT_ID = '0oa1bcdefghijklmnop2';
const ORG_URL = 'https://acme.okta.com';
const TOKEN_URL = `${ORG_URL}/oauth2/v1/token`;
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const OKTA_KID = 'Z25zy6fQZkvgcMOi5e-5qdFOsP__bn8NoLMbd10z0Io';
const HASH = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256' };
const JTI = /^[A-Za-z0-9_-]{22}$/;

const RSA2048 = { opensslPem: 'rsa2048.pkcs8.pem', publicPem: 'rsa2048.public.pem', algorithm: 'RS256', keyType: 'RSA', bits: 2048 };
const P256 = { opensslPem: 'p256.pkcs8.pem', publicPem: 'p256.public.pem', algorithm: 'ES256', keyType: 'EC', bits: 256 };
const rsa = (bits, algorithm = 'RS256') => ({ opensslPem: `rsa${bits}.pkcs8.pem`, algorithm, keyType: 'RSA', bits });

/**
 * Every accepted key form: the fixture, the keyId argument and the `kid` the key must carry. `opensslPem` holds
 * the same private key for OpenSSL; `publicPem`, where there is one, its public half as OpenSSL wrote it.
 */
const ACCEPTED = [
  { name: 'RSA 2048 PKCS#8 PEM', file: 'rsa2048.pkcs8.pem', ...RSA2048 },
  { name: 'RSA 2048 PKCS#1 PEM', file: 'rsa2048.pkcs1.pem', ...RSA2048 },
  { name: 'RSA 2048 base64 DER', file: 'rsa2048.pkcs8.der.b64', ...RSA2048 },
  { name: 'RSA 2048 Admin Console JWK', file: 'rsa2048.okta.jwk.json', kid: OKTA_KID, ...RSA2048 },
  { name: 'RSA 2048 JWK with only n, e and d', file: 'rsa2048.nd-only.jwk.json', ...RSA2048 },
  { name: 'JWKS with one private key', file: 'one-private.jwks.json', kid: OKTA_KID, ...RSA2048 },
  { name: 'JWKS of two private keys, the RSA one by key ID', file: 'two-private.jwks.json', keyId: OKTA_KID, kid: OKTA_KID, ...RSA2048 },
  { name: 'JWKS of two private keys, the EC one by key ID', file: 'two-private.jwks.json', keyId: 'ec-key-1', kid: 'ec-key-1', ...P256 },
  { name: 'P-256 PKCS#8 PEM', file: 'p256.pkcs8.pem', ...P256 },
  { name: 'P-256 PKCS#8 PEM with a key ID', file: 'p256.pkcs8.pem', keyId: 'from-console', kid: 'from-console', ...P256 },
  { name: 'P-256 SEC1 PEM', file: 'p256.sec1.pem', ...P256 },
  { name: 'P-256 JWK', file: 'p256.jwk.json', kid: 'ec-key-1', ...P256 },
  { name: 'RSA 3072 PKCS#8 PEM', file: 'rsa3072.pkcs8.pem', ...rsa(3072) },
  { name: 'RSA 3072 RS384 JWK', file: 'rsa3072.rs384.jwk.json', kid: 'rs384-key', ...rsa(3072, 'RS384') },
  { name: 'RSA 4096 PKCS#8 PEM', file: 'rsa4096.pkcs8.pem', ...rsa(4096) },
  { name: 'RSA 4096 RS512 JWK', file: 'rsa4096.rs512.jwk.json', kid: 'rs512-key', ...rsa(4096, 'RS512') },
  { name: 'RSA 8192 PKCS#8 PEM', file: 'rsa8192.pkcs8.pem', ...rsa(8192) },
];

/** Every rejected fixture and its code (as in tests/keys.rs). */
const REJECTED = [
  ['rsa2048.public.pem', 'key_is_public'],
  ['rsa2048.rsapublic.pem', 'key_is_public'],
  ['p256.public.pem', 'key_is_public'],
  ['rsa2048.public.jwk.json', 'key_is_public'],
  ['public-only.jwks.json', 'key_is_public'],
  ['rsa2048.cert.pem', 'key_is_certificate'],
  ['rsa2048.encrypted.pem', 'key_encrypted'],
  ['rsa2048.legacy-encrypted.pem', 'key_encrypted'],
  ['rsa1024.pkcs8.pem', 'key_rsa_too_small'],
  ['rsa1024.jwk.json', 'key_rsa_too_small'],
  ['p384.pkcs8.pem', 'key_unsupported_curve'],
  ['p384.jwk.json', 'key_unsupported_curve'],
  ['secp256k1.sec1.pem', 'key_unsupported_curve'],
  ['ed25519.pkcs8.pem', 'key_unsupported_type'],
  ['ed25519.jwk.json', 'key_unsupported_type'],
  ['oct.jwk.json', 'key_unsupported_type'],
  ['rsapss2048.pkcs8.pem', 'key_unsupported_type'],
  ['rsa2048.mismatch.jwk.json', 'key_mismatch'],
  ['p256.mismatch.jwk.json', 'key_mismatch'],
  ['rsa2048.es256-alg.jwk.json', 'key_alg_mismatch'],
  ['rsa2048.enc-use.jwk.json', 'key_wrong_use'],
  ['two-private.jwks.json', 'key_ambiguous'],
];

const nowSeconds = () => Math.floor(Date.now() / 1000);
const decodePart = (jwt, index) => JSON.parse(Buffer.from(jwt.split('.')[index], 'base64url').toString('utf8'));

function assertJti(jti) {
  assert.match(jti, JTI);
  const bytes = Buffer.from(jti, 'base64url');
  assert.equal(bytes.length, 16, 'jti holds 128 random bits');
  assert.equal(bytes.toString('base64url'), jti, 'jti is canonical base64url');
}

/** The thrown value of `fn`, which must be an OktaConnectError of `code`. */
function assertThrowsCode(fn, code) {
  let error;
  assert.throws(fn, (thrown) => {
    error = thrown;
    return thrown instanceof Error && thrown.name === 'OktaConnectError' && thrown.code === code;
  }, `expected an OktaConnectError ${code}`);
  return error;
}

/** validateConfig, checking on every call that ok is true exactly when no problem is an error. */
function validate(input, options) {
  const result = validateConfig(input, options);
  assert.equal(result.ok, !result.problems.some((p) => p.severity === 'error'), JSON.stringify(result.problems));
  return result;
}

/** The problems of a result as `[field, code, severity]` triples. */
const problemsOf = (result) => result.problems.map((p) => [p.field, p.code, p.severity]);

describe('every accepted key form, checked against OpenSSL and jose', () => {
  for (const form of ACCEPTED) {
    describe(form.name, () => {
      const key = SigningKey.parse(fixture(form.file), form.keyId);
      const publicKey = createPublicKey(fixture(form.publicPem ?? form.opensslPem));
      const opensslJwk = publicKey.export({ format: 'jwk' });
      const hash = HASH[form.algorithm];

      test('parses with the right algorithm, key type, size and key ID', () => {
        assert.deepEqual(
          { algorithm: key.algorithm, keyType: key.keyType, bits: key.bits, keyId: key.keyId },
          { algorithm: form.algorithm, keyType: form.keyType, bits: form.bits, keyId: form.kid },
        );
      });

      test("publicJwk() is OpenSSL's public key plus kid, alg and use, without any private member", () => {
        const expected = { ...opensslJwk, alg: form.algorithm, use: 'sig', ...(form.kid && { kid: form.kid }) };
        assert.deepEqual(key.publicJwk(), expected);
      });

      test('thumbprint() is the RFC 7638 thumbprint jose computes', async () => {
        assert.equal(key.thumbprint(), await calculateJwkThumbprint(opensslJwk));
        assert.equal(key.thumbprint(), await calculateJwkThumbprint(key.publicJwk()));
      });

      test('sign() output verifies with OpenSSL', () => {
        for (const data of [new Uint8Array(0), new TextEncoder().encode('okta-connect'), new Uint8Array(1 << 20).fill(0xa5)]) {
          const signature = key.sign(data);
          assert.ok(signature instanceof Uint8Array);
          if (form.keyType === 'RSA') {
            assert.equal(signature.length, form.bits / 8);
            assert.ok(opensslVerify(hash, data, publicKey, signature), 'RSASSA-PKCS1-v1_5 signature verifies');
          } else {
            assert.equal(signature.length, 64, 'ES256 signatures are r‖s');
            assert.ok(opensslVerify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature), 'ECDSA signature verifies');
          }
        }
      });

      if (form.keyType === 'RSA') {
        test("sign() equals OpenSSL's RSASSA-PKCS1-v1_5 signature byte for byte", () => {
          const privateKey = createPrivateKey(fixture(form.opensslPem));
          for (const data of [new Uint8Array(0), new TextEncoder().encode('okta-connect')]) {
            assert.deepEqual(Buffer.from(key.sign(data)), opensslSign(hash, data, privateKey));
          }
        });
      }

      test('a client assertion verifies with jose and has exactly the RFC 7523 header and claims', async () => {
        const jwt = createClientAssertion(key, { clientId: CLIENT_ID, audience: TOKEN_URL, now: NOW, lifetimeSeconds: 120 });
        const { protectedHeader, payload } = await jwtVerify(jwt, publicKey, {
          algorithms: [form.algorithm],
          typ: 'JWT',
          issuer: CLIENT_ID,
          subject: CLIENT_ID,
          audience: TOKEN_URL,
          currentDate: new Date((NOW + 60) * 1000),
        });
        assert.deepEqual(protectedHeader, { alg: form.algorithm, typ: 'JWT', ...(form.kid && { kid: form.kid }) });
        assert.deepEqual(Object.keys(payload).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sub'], 'no nbf, nothing else');
        assert.deepEqual({ ...payload, jti: undefined }, { iss: CLIENT_ID, sub: CLIENT_ID, aud: TOKEN_URL, iat: NOW, exp: NOW + 120, jti: undefined });
        assertJti(payload.jti);
      });

      test('a client assertion defaults to the current time and a 300 s lifetime', async () => {
        const before = nowSeconds();
        const jwt = createClientAssertion(key, { clientId: CLIENT_ID, audience: TOKEN_URL });
        const after = nowSeconds();
        const { payload } = await jwtVerify(jwt, publicKey, { algorithms: [form.algorithm], issuer: CLIENT_ID, audience: TOKEN_URL });
        assert.ok(payload.iat >= before && payload.iat <= after, `iat ${payload.iat} within [${before}, ${after}]`);
        assert.equal(payload.exp - payload.iat, 300);
      });
    });
  }
});

describe('client assertion jti and lifetime', () => {
  for (const file of ['rsa2048.okta.jwk.json', 'p256.jwk.json']) {
    const key = SigningKey.parse(fixture(file));

    test(`${file}: jti is 128 random bits in base64url, unique across 100 assertions`, () => {
      const jtis = Array.from({ length: 100 }, () => decodePart(createClientAssertion(key, { clientId: CLIENT_ID, audience: TOKEN_URL, now: NOW }), 1).jti);
      jtis.forEach(assertJti);
      assert.equal(new Set(jtis).size, 100);
    });

    test(`${file}: exp - iat is the lifetime, from 1 to 3600 s`, () => {
      for (const lifetimeSeconds of [1, 299, 3600]) {
        const claims = decodePart(createClientAssertion(key, { clientId: CLIENT_ID, audience: TOKEN_URL, now: NOW, lifetimeSeconds }), 1);
        assert.equal(claims.exp - claims.iat, lifetimeSeconds);
      }
      for (const lifetimeSeconds of [0, 3601]) {
        assertThrowsCode(() => createClientAssertion(key, { clientId: CLIENT_ID, audience: TOKEN_URL, lifetimeSeconds }), 'assertion_invalid');
      }
    });
  }
});

describe('DPoP proofs, checked against jose', () => {
  const RFC9449_TOKEN = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
  const RFC9449_ATH = 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo';
  const dpop = new DpopKey();
  const verifyProof = (proof) => jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'], currentDate: new Date(NOW * 1000) });

  test('a proof verifies against its embedded public JWK, with exactly the RFC 9449 header and claims', async () => {
    const proof = dpop.createProof({ htm: 'post', htu: `${TOKEN_URL}?grant_type=x#frag`, nonce: 'server-nonce-1', accessToken: RFC9449_TOKEN, now: NOW });
    const { protectedHeader, payload } = await verifyProof(proof);
    assert.deepEqual(Object.keys(protectedHeader).sort(), ['alg', 'jwk', 'typ']);
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(protectedHeader.typ, 'dpop+jwt');
    assert.deepEqual(protectedHeader.jwk, { kty: 'EC', crv: 'P-256', x: protectedHeader.jwk.x, y: protectedHeader.jwk.y }, 'public members only, no d');
    assert.deepEqual(protectedHeader.jwk, dpop.publicJwk());
    assert.deepEqual(Object.keys(payload).sort(), ['ath', 'htm', 'htu', 'iat', 'jti', 'nonce']);
    assert.deepEqual({ ...payload, jti: undefined }, { htm: 'POST', htu: TOKEN_URL, iat: NOW, nonce: 'server-nonce-1', ath: RFC9449_ATH, jti: undefined });
    assertJti(payload.jti);
  });

  test("ath is base64url(SHA-256(access token)), as in RFC 9449's example", async () => {
    assert.equal(createHash('sha256').update(RFC9449_TOKEN).digest('base64url'), RFC9449_ATH);
    for (const accessToken of [RFC9449_TOKEN, 'eyJ.x.y', 'a'.repeat(4096)]) {
      const { payload } = await verifyProof(dpop.createProof({ htm: 'GET', htu: TOKEN_URL, accessToken, now: NOW }));
      assert.equal(payload.ath, createHash('sha256').update(accessToken).digest('base64url'));
    }
  });

  test('a proof without nonce and access token has neither claim', async () => {
    const { payload } = await verifyProof(dpop.createProof({ htm: 'GET', htu: TOKEN_URL, now: NOW }));
    assert.deepEqual(Object.keys(payload).sort(), ['htm', 'htu', 'iat', 'jti']);
  });

  test('htm is upper-cased and htu loses its query and fragment', async () => {
    for (const [htm, htu, expectedHtm, expectedHtu] of [
      ['get', `${ORG_URL}/api/v1/users?limit=1&after=x`, 'GET', `${ORG_URL}/api/v1/users`],
      ['Post', `${ORG_URL}/api/v1/users/00u1/lifecycle/reset_password?sendEmail=false`, 'POST', `${ORG_URL}/api/v1/users/00u1/lifecycle/reset_password`],
      ['put', `${ORG_URL}/api/v1/users/00u1#section`, 'PUT', `${ORG_URL}/api/v1/users/00u1`],
      ['DELETE', `${ORG_URL}/api/v1/sessions/x?a#b`, 'DELETE', `${ORG_URL}/api/v1/sessions/x`],
      ['patch', ORG_URL, 'PATCH', ORG_URL],
    ]) {
      const { payload } = await verifyProof(dpop.createProof({ htm, htu, now: NOW }));
      assert.deepEqual([payload.htm, payload.htu], [expectedHtm, expectedHtu]);
    }
  });

  test('iat defaults to the current time', async () => {
    const before = nowSeconds();
    const proof = dpop.createProof({ htm: 'GET', htu: TOKEN_URL });
    const after = nowSeconds();
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    assert.ok(payload.iat >= before && payload.iat <= after);
  });

  test('jti is fresh for every proof', () => {
    const jtis = Array.from({ length: 100 }, () => decodePart(dpop.createProof({ htm: 'GET', htu: TOKEN_URL, now: NOW }), 1).jti);
    jtis.forEach(assertJti);
    assert.equal(new Set(jtis).size, 100);
  });

  test('thumbprint() is the RFC 7638 thumbprint of the JWK in the proofs', async () => {
    const header = decodePart(dpop.createProof({ htm: 'GET', htu: TOKEN_URL }), 0);
    assert.equal(dpop.thumbprint(), await calculateJwkThumbprint(header.jwk));
    assert.equal(dpop.thumbprint(), await calculateJwkThumbprint(dpop.publicJwk()));
  });

  test('publicJwk() has no private member and every DpopKey is a new key', () => {
    const jwk = dpop.publicJwk();
    assert.deepEqual(Object.keys(jwk).sort(), ['crv', 'kty', 'x', 'y']);
    assert.deepEqual([jwk.kty, jwk.crv], ['EC', 'P-256']);
    const others = Array.from({ length: 10 }, () => new DpopKey().thumbprint());
    assert.equal(new Set([dpop.thumbprint(), ...others]).size, 11);
  });
});

describe('validateConfig', () => {
  const okta = fixture('rsa2048.okta.jwk.json');
  const good = { orgUrl: ORG_URL, clientId: CLIENT_ID, privateKey: okta };

  test('a correct configuration is ok, with the org URL, token URL and key', async () => {
    const result = validate(good);
    const publicJwk = createPublicKey(fixture('rsa2048.public.pem')).export({ format: 'jwk' });
    assert.deepEqual(result, {
      ok: true,
      orgUrl: ORG_URL,
      tokenUrl: TOKEN_URL,
      key: {
        algorithm: 'RS256',
        keyType: 'RSA',
        bits: 2048,
        keyId: OKTA_KID,
        thumbprint: await calculateJwkThumbprint(publicJwk),
        publicJwk: { ...publicJwk, kid: OKTA_KID, alg: 'RS256', use: 'sig' },
      },
      problems: [],
    });
  });

  test('an Admin Console URL is rewritten with a notice, and the client ID trimmed', () => {
    const result = validate({ ...good, orgUrl: 'acme-admin.okta.com/', clientId: ` ${CLIENT_ID} `, privateKey: fixture('rsa2048.pkcs8.pem') });
    assert.equal(result.ok, true);
    assert.equal(result.tokenUrl, TOKEN_URL);
    assert.deepEqual(problemsOf(result), [['orgUrl', 'org_url_admin_rewritten', 'notice']]);
  });

  for (const [file, code] of REJECTED) {
    test(`${file} is rejected as ${code}, with a fix`, () => {
      const result = validate({ ...good, privateKey: fixture(file) });
      assert.deepEqual(problemsOf(result), [['privateKey', code, 'error']]);
      assert.equal(result.key, undefined);
      const error = assertThrowsCode(() => SigningKey.parse(fixture(file)), code);
      assert.ok(error.fix.length > 0);
      assert.equal(result.problems[0].fix, error.fix);
    });
  }

  for (const [label, file, keyId, field, code] of [
    ['a JWKS of two keys without a key ID', 'two-private.jwks.json', undefined, 'privateKey', 'key_ambiguous'],
    ['a key ID missing from the JWKS', 'two-private.jwks.json', 'nope', 'keyId', 'key_id_not_found'],
    ["a key ID that differs from the JWK's kid", 'p256.jwk.json', 'other', 'keyId', 'key_id_mismatch'],
    ['a key ID with a tab', 'p256.pkcs8.pem', 'a\tb', 'keyId', 'key_id_invalid'],
  ]) {
    test(`${label} is a ${code} problem on ${field}, with a fix`, () => {
      const result = validate({ ...good, privateKey: fixture(file), keyId });
      assert.deepEqual(problemsOf(result), [[field, code, 'error']]);
      assert.ok(result.problems[0].fix.length > 0);
    });
  }

  test('a key ID selects the key of a JWKS', () => {
    const result = validate({ ...good, privateKey: fixture('two-private.jwks.json'), keyId: 'ec-key-1' });
    assert.deepEqual([result.ok, result.key.algorithm, result.key.keyId], [true, 'ES256', 'ec-key-1']);
  });

  for (const [orgUrl, code] of [
    ['', 'org_url_missing'],
    ['http://acme.okta.com', 'org_url_insecure'],
    ['https://acme.okta.com@evil.example', 'org_url_userinfo'],
    ['https://user:pass@acme.okta.com', 'org_url_userinfo'],
    ['https://acme.okta.com:8443', 'org_url_port'],
    ['https://acme.okta.com:443', 'org_url_port'],
    ['https://127.0.0.1', 'org_url_ip_literal'],
    ['https://[::1]', 'org_url_ip_literal'],
    ['https://169.254.169.254/latest/meta-data', 'org_url_ip_literal'],
    ['https://2130706433', 'org_url_ip_literal'],
    ['https://evil.example', 'org_url_not_okta'],
    ['https://acme.okta.com.evil.example', 'org_url_not_okta'],
    ['https://okta.com', 'org_url_not_okta'],
    ['https://аcme.okta.com', 'org_url_non_ascii'],
    ['javascript:alert(1)', 'org_url_invalid'],
  ]) {
    test(`org URL ${JSON.stringify(orgUrl)} is an ${code} error, with a fix`, () => {
      const result = validate({ ...good, orgUrl });
      assert.deepEqual(problemsOf(result), [['orgUrl', code, 'error']]);
      assert.ok(result.problems[0].fix.length > 0);
      assert.equal(result.orgUrl, undefined);
      assert.equal(result.tokenUrl, undefined);
    });
  }

  for (const [orgUrl, expected, code] of [
    ['https://acme-admin.okta.com/admin/dashboard', ORG_URL, 'org_url_admin_rewritten'],
    ['dev-123456-admin.okta.com', 'https://dev-123456.okta.com', 'org_url_admin_rewritten'],
    ['https://acme.okta.com/app/UserHome?x=1#top', ORG_URL, 'org_url_normalized'],
  ]) {
    test(`org URL ${JSON.stringify(orgUrl)} becomes ${expected} with an ${code} notice`, () => {
      const result = validate({ ...good, orgUrl });
      assert.deepEqual([result.ok, result.orgUrl, result.tokenUrl], [true, expected, `${expected}/oauth2/v1/token`]);
      assert.ok(problemsOf(result).some(([field, c, severity]) => field === 'orgUrl' && c === code && severity === 'notice'));
    });
  }

  test('allowedHosts admits exactly the listed custom domains', () => {
    const options = { allowedHosts: [' Login.Example.com '] };
    assert.deepEqual(problemsOf(validate({ ...good, orgUrl: 'https://login.example.com' })), [['orgUrl', 'org_url_not_okta', 'error']]);
    const result = validate({ ...good, orgUrl: 'https://login.example.com/' }, options);
    assert.deepEqual([result.ok, result.orgUrl], [true, 'https://login.example.com']);
    for (const [orgUrl, code] of [
      ['https://evil.login.example.com', 'org_url_not_okta'],
      ['http://login.example.com', 'org_url_insecure'],
      ['https://login.example.com:444', 'org_url_port'],
    ]) {
      assert.deepEqual(problemsOf(validate({ ...good, orgUrl }, options)), [['orgUrl', code, 'error']], orgUrl);
    }
  });

  test('allowInsecureLoopback admits http and ports on loopback hosts only', () => {
    const options = { allowInsecureLoopback: true };
    assert.deepEqual(problemsOf(validate({ ...good, orgUrl: 'http://127.0.0.1:8787' })), [['orgUrl', 'org_url_insecure', 'error']]);
    for (const orgUrl of ['http://127.0.0.1:8787', 'http://localhost:3000', 'http://[::1]:3000']) {
      const result = validate({ ...good, orgUrl }, options);
      assert.deepEqual([result.ok, result.orgUrl, result.tokenUrl], [true, orgUrl, `${orgUrl}/oauth2/v1/token`]);
    }
    for (const [orgUrl, code] of [
      ['http://10.0.0.1:80', 'org_url_insecure'],
      ['http://acme.okta.com', 'org_url_insecure'],
      ['https://10.0.0.1', 'org_url_ip_literal'],
    ]) {
      assert.deepEqual(problemsOf(validate({ ...good, orgUrl }, options)), [['orgUrl', code, 'error']], orgUrl);
    }
  });

  test('client ID: missing and invalid are errors, an unusual one is a warning with a fix', () => {
    assert.deepEqual(problemsOf(validate({ ...good, clientId: '  ' })), [['clientId', 'client_id_missing', 'error']]);
    assert.deepEqual(problemsOf(validate({ ...good, clientId: '0oa1 bcdefghijklmnop2' })), [['clientId', 'client_id_invalid', 'error']]);
    const unusual = validate({ ...good, clientId: 'my-app' });
    assert.deepEqual(problemsOf(unusual), [['clientId', 'client_id_unusual', 'warning']]);
    assert.equal(unusual.ok, true);
    assert.ok(unusual.problems[0].fix.length > 0);
  });

  test('every field is reported at once, in field order', () => {
    const result = validate({ orgUrl: 'https://evil.example', clientId: '0oa1\u0000x', privateKey: fixture('rsa2048.public.pem') });
    assert.deepEqual(problemsOf(result), [
      ['orgUrl', 'org_url_not_okta', 'error'],
      ['clientId', 'client_id_invalid', 'error'],
      ['privateKey', 'key_is_public', 'error'],
    ]);
    assert.ok(result.problems.every((p) => p.fix.length > 0));
    assert.deepEqual(problemsOf(validate({})), [
      ['orgUrl', 'org_url_missing', 'error'],
      ['clientId', 'client_id_missing', 'error'],
      ['privateKey', 'key_missing', 'error'],
    ]);
  });

  test('a wrong JS type is an invalid_argument problem on its field; bad options throw invalid_argument', () => {
    const result = validate({ orgUrl: 42, clientId: ['x'], privateKey: { kty: 'RSA' }, keyId: Symbol('kid') });
    assert.deepEqual(problemsOf(result).sort(), [
      ['clientId', 'invalid_argument', 'error'],
      ['keyId', 'invalid_argument', 'error'],
      ['orgUrl', 'invalid_argument', 'error'],
      ['privateKey', 'invalid_argument', 'error'],
    ]);
    for (const options of ['strict', { allowedHosts: 'login.example.com' }, { allowedHosts: [1] }, { allowInsecureLoopback: 'yes' }]) {
      assertThrowsCode(() => validateConfig(good, options), 'invalid_argument');
    }
  });
});

describe('Session', () => {
  const key = SigningKey.parse(fixture('p256.pkcs8.pem'));
  const session = (dpopJwk) => new Session(ORG_URL, CLIENT_ID, key, dpopJwk);
  const { kty, crv, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });

  test("takes the public JWK of a DpopKey or of OpenSSL's P-256 key", () => {
    for (const jwk of [new DpopKey().publicJwk(), { kty, crv, x, y }]) {
      assert.equal(session(jwk).orgUrl, ORG_URL);
    }
  });

  test('refuses a dpopJwk that is not a public P-256 point, as invalid_argument', () => {
    const yBitFlipped = Buffer.from(y, 'base64url');
    yBitFlipped[31] ^= 1;
    const zero = Buffer.alloc(32).toString('base64url');
    for (const jwk of [{ kty, crv, x, y: yBitFlipped.toString('base64url') }, { kty, crv, x: zero, y: zero }]) {
      assert.match(assertThrowsCode(() => session(jwk), 'invalid_argument').message, /not a point on P-256/);
    }
    const yTooShort = Buffer.from(y, 'base64url').subarray(1).toString('base64url');
    const malformed = [
      { kty, crv, x, y: yTooShort }, { kty, crv: 'P-384', x, y }, { kty: 'RSA', crv, x, y }, { kty, crv, x }, 'not an object',
    ];
    for (const jwk of malformed) {
      assertThrowsCode(() => session(jwk), 'invalid_argument');
    }
  });
});
