// What is compared, runtime-agnostic: the same code runs in Node, in a Chromium page and inside a workerd
// request. Callers pass the two libraries as module namespaces (`okta` = 'okta-connect', `jose` = panva's jose)
// and the fixture keys as PEM text, so nothing here knows how its runtime loads modules or files.
//
// Per case, three variants are timed side by side (lib/measure.mjs):
//   ours   - okta-connect: OktaClient#createClientAssertion() / #createDpopProof() (signing 'webcrypto' or 'wasm')
//   jose   - jose's SignJWT with the same key (imported once with importPKCS8), the same header and claims
//   native - the runtime's bare crypto.subtle.sign over a signing input of the same length: the floor
import { sideBySide } from './measure.mjs';

export const ORG_URL = 'https://bench-org.okta.com';
export const TOKEN_URL = `${ORG_URL}/oauth2/v1/token`;
/** An Okta-shaped client ID (20 characters starting with 0oa). */
export const CLIENT_ID = '0oabench0c0nnect0000';
export const KEY_ID = 'bench-rsa-2048';

export const CONFIG = (keys) => ({ orgUrl: ORG_URL, clientId: CLIENT_ID, privateKey: keys.rsa, keyId: KEY_ID });
const PROOF = { htm: 'POST', htu: TOKEN_URL };

function pemToDer(pem) {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** jose's client assertion, as a jose user writes it: the claims okta-connect puts in (RFC 7523, Okta's rules). */
function joseAssertion(jose, key) {
  return new jose.SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: KEY_ID })
    .setIssuer(CLIENT_ID)
    .setSubject(CLIENT_ID)
    .setAudience(TOKEN_URL)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(crypto.randomUUID())
    .sign(key);
}

/** jose's DPoP proof (RFC 9449): typ dpop+jwt, the public JWK in the header, jti, htm, htu, iat. */
function joseProof(jose, key, jwk) {
  return new jose.SignJWT({ htm: PROOF.htm, htu: PROOF.htu })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .sign(key);
}

/** Header and claim names of a compact JWS, to show both sides produce the same token. */
function shape(jws) {
  const [h, p] = jws.split('.').slice(0, 2).map((part) => JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))));
  return { header: Object.keys(h).sort().join(','), claims: Object.keys(p).sort().join(','), length: jws.length };
}

/**
 * Everything the speed cases need, set up once: OktaClients on both signing paths, jose keys, native keys.
 * No request is made (createClientAssertion/createDpopProof need no network), so the org URL is a made-up one.
 */
export async function setup({ okta, jose, keys }) {
  const subtle = crypto.subtle;
  const config = CONFIG(keys);
  const fast = await okta.OktaClient.connect(config, { signing: 'webcrypto' });
  const wasm = await okta.OktaClient.connect(config, { signing: 'wasm' });
  const joseRsa = await jose.importPKCS8(keys.rsa, 'RS256');
  const joseP256 = await jose.importPKCS8(keys.p256, 'ES256');
  const { kty, crv, x, y } = await jose.exportJWK(await jose.importPKCS8(keys.p256, 'ES256', { extractable: true }));
  const p256Jwk = { kty, crv, x, y };
  const rsaParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const ecParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const nativeRsa = await subtle.importKey('pkcs8', pemToDer(keys.rsa), rsaParams, false, ['sign']);
  const nativeP256 = await subtle.importKey('pkcs8', pemToDer(keys.p256), ecParams, false, ['sign']);
  // The native floor signs an input as long as ours (header.claims), so hashing costs the same.
  const sampleAssertion = await fast.createClientAssertion();
  const sampleProof = await fast.createDpopProof(PROOF);
  const signingInput = (jws) => new TextEncoder().encode(jws.slice(0, jws.lastIndexOf('.')));
  const assertionInput = signingInput(sampleAssertion);
  const proofInput = signingInput(sampleProof);
  const shapes = {
    assertion: { ours: shape(sampleAssertion), jose: shape(await joseAssertion(jose, joseRsa)) },
    proof: { ours: shape(sampleProof), jose: shape(await joseProof(jose, joseP256, p256Jwk)) },
  };
  return {
    shapes,
    close() {
      fast.close();
      wasm.close();
    },
    cases: {
      'RS256 assertion': {
        ours: () => fast.createClientAssertion(),
        jose: () => joseAssertion(jose, joseRsa),
        native: () => subtle.sign(rsaParams, nativeRsa, assertionInput),
      },
      'ES256 DPoP proof': {
        ours: () => fast.createDpopProof(PROOF),
        jose: () => joseProof(jose, joseP256, p256Jwk),
        native: () => subtle.sign(ecParams, nativeP256, proofInput),
      },
      'RS256 assertion, wasm signer': {
        ours: () => wasm.createClientAssertion(),
        jose: () => joseAssertion(jose, joseRsa),
      },
      'ES256 DPoP proof, wasm signer': {
        ours: () => wasm.createDpopProof(PROOF),
        jose: () => joseProof(jose, joseP256, p256Jwk),
      },
    },
  };
}

/**
 * Runs every speed case; `sampleMs` is the target length of one timed batch (longer for coarse clocks), `rounds`
 * the number of interleaved rounds (`wasmRounds` for the slow wasm-signer cases), `interleave` 'op' (fine
 * clocks; `turnMs` the shortest turn) or 'batch' (coarse clocks), see lib/measure.mjs.
 * Returns { case: { batch, rounds, opsPerVariant, stats, ratios, samples } } plus the token shapes.
 */
export async function runSpeed({ okta, jose, keys, sampleMs = 5, turnMs = 0, rounds = 121, wasmRounds = 41, interleave = 'op', only, log = () => {} }) {
  const bench = await setup({ okta, jose, keys });
  const results = {};
  try {
    for (const [name, variants] of Object.entries(bench.cases)) {
      if (only && !only.includes(name)) continue;
      const compare = [['ours', 'jose'], ...(variants.native ? [['ours', 'native'], ['jose', 'native']] : [])];
      const started = performance.now();
      // The wasm signers are 10-30x slower: fewer rounds keep the run short (still >= 200 signings each).
      const n = name.includes('wasm') ? wasmRounds : rounds;
      results[name] = await sideBySide(variants, { rounds: n, sampleMs, turnMs, compare, interleave });
      log(`${name}: ${results[name].ratios['ours/jose'].ratio.toFixed(2)}x jose (${Math.round(performance.now() - started)} ms)`);
    }
  } finally {
    bench.close();
  }
  return { cases: results, shapes: bench.shapes };
}

/**
 * Cold start of okta-connect: import the package, parse the key (OktaClient.connect: parse, import into WebCrypto,
 * make the DPoP key), first client assertion and first DPoP proof. `load()` imports the package.
 */
export async function coldOurs(load, keys) {
  const t0 = performance.now();
  const okta = await load();
  const t1 = performance.now();
  const client = await okta.OktaClient.connect(CONFIG(keys));
  const t2 = performance.now();
  const assertion = await client.createClientAssertion();
  const proof = await client.createDpopProof(PROOF);
  const t3 = performance.now();
  client.close();
  return { import: t1 - t0, key: t2 - t1, sign: t3 - t2, total: t3 - t0, ok: assertion.split('.').length === 3 && proof.split('.').length === 3 };
}

/** The same with jose: import, importPKCS8 (client key), generateKeyPair + exportJWK (DPoP key), sign both. */
export async function coldJose(load, keys) {
  const t0 = performance.now();
  const jose = await load();
  const t1 = performance.now();
  const key = await jose.importPKCS8(keys.rsa, 'RS256');
  const dpop = await jose.generateKeyPair('ES256');
  const { kty, crv, x, y } = await jose.exportJWK(dpop.publicKey);
  const t2 = performance.now();
  const assertion = await joseAssertion(jose, key);
  const proof = await joseProof(jose, dpop.privateKey, { kty, crv, x, y });
  const t3 = performance.now();
  return { import: t1 - t0, key: t2 - t1, sign: t3 - t2, total: t3 - t0, ok: assertion.split('.').length === 3 && proof.split('.').length === 3 };
}
