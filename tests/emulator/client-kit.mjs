// Test-side helpers that play the client: register an app, sign client assertions and DPoP proofs
// with jose, and call the emulator. Every default can be overridden to build a faulty request;
// a claim or header member overridden with `undefined` is left out.
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { oktaId } from './ids.mjs';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function defined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** A key pair whose public JWK carries its RFC 7638 thumbprint as kid. */
export async function createKeys(alg = 'RS256') {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const thumbprint = await calculateJwkThumbprint(publicJwk);
  return { alg, privateKey, publicJwk: { ...publicJwk, kid: thumbprint }, thumbprint };
}

/** Registers an app with a fresh key; `options` go to emu.addApp. Returns `{ app, keys }`. */
export async function registerApp(emu, options = {}) {
  const keys = await createKeys();
  const app = emu.addApp({ clientId: oktaId('0oa'), jwks: { keys: [keys.publicJwk] }, ...options });
  return { app, keys };
}

export async function signAssertion(emu, { app, keys }, { claims = {}, header = {}, signingKey } = {}) {
  const now = emu.nowSeconds();
  const payload = defined({
    iss: app.clientId,
    sub: app.clientId,
    aud: emu.tokenUrl,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...claims,
  });
  return new SignJWT(payload)
    .setProtectedHeader(defined({ alg: keys.alg, kid: keys.publicJwk.kid, ...header }))
    .sign(signingKey ?? keys.privateKey);
}

function tokenHash(accessToken) {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

export async function signProof(emu, dpopKeys, options = {}) {
  const { htm, htu, nonce, accessToken, claims = {}, header = {}, signingKey } = options;
  const { kid, ...jwk } = dpopKeys.publicJwk;
  const payload = defined({
    htm,
    htu,
    iat: emu.nowSeconds(),
    jti: randomUUID(),
    nonce,
    ath: accessToken && tokenHash(accessToken),
    ...claims,
  });
  return new SignJWT(payload)
    .setProtectedHeader(defined({ typ: 'dpop+jwt', alg: dpopKeys.alg, jwk, ...header }))
    .sign(signingKey ?? dpopKeys.privateKey);
}

/**
 * POSTs to the token endpoint for every scope granted to the app. `form` entries override the
 * defaults (undefined removes one);
 * `proof: undefined` sends no DPoP header; a proof is signed with `dpopKeys` unless given.
 */
export async function requestToken(emu, client, { dpopKeys, nonce, form = {}, proof, headers = {} } = {}) {
  const body = defined({
    grant_type: 'client_credentials',
    scope: client.app.scopes.join(' '),
    client_assertion_type: JWT_BEARER,
    client_assertion: await signAssertion(emu, client),
    ...form,
  });
  const dpop = proof ?? (dpopKeys && (await signProof(emu, dpopKeys, { htm: 'POST', htu: emu.tokenUrl, nonce })));
  return fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(dpop && { DPoP: dpop }), ...headers },
    body: new URLSearchParams(body),
  });
}

/** The full DPoP token flow (nonce challenge, then retry); returns the access token string. */
export async function obtainToken(emu, client, dpopKeys) {
  const challenge = await requestToken(emu, client, { dpopKeys });
  const nonce = challenge.headers.get('dpop-nonce');
  const response = await requestToken(emu, client, { dpopKeys, nonce });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return (await response.json()).access_token;
}

/**
 * Calls `${orgUrl}${path}` with `Authorization: DPoP <token>` and a fresh proof for it.
 * `proofOptions` tweak the proof; `headers` override or add request headers.
 */
export async function callApi(emu, options) {
  const { method = 'GET', path, accessToken, dpopKeys, body, proofOptions = {}, headers = {} } = options;
  const url = new URL(path, emu.orgUrl);
  const proof = await signProof(emu, dpopKeys, {
    htm: method,
    htu: emu.orgUrl + decodeURIComponent(url.pathname),
    accessToken,
    ...proofOptions,
  });
  return fetch(url, {
    method,
    headers: {
      Authorization: `DPoP ${accessToken}`,
      DPoP: proof,
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** An emulator-side setup most tests start from: a DPoP app, its client keys and a DPoP key. */
export async function connectedClient(emu, appOptions = {}) {
  const client = await registerApp(emu, appOptions);
  const dpopKeys = await createKeys('ES256');
  const accessToken = await obtainToken(emu, client, dpopKeys);
  const call = (options) => callApi(emu, { accessToken, dpopKeys, ...options });
  return { ...client, dpopKeys, accessToken, call };
}
