// DPoP proof verification (RFC 9449) with Okta's error descriptions, shared by the token endpoint
// and the /api/v1 resource server, plus the server nonce.
import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';

/** Asymmetric algorithms Okta accepts for DPoP proofs and client assertions. */
export const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const MAX_FUTURE_SECONDS = 60;
const MAX_AGE_SECONDS = 300;

const NONCE_REQUIRED = 'Authorization server requires nonce in DPoP proof.';

export class DpopError extends Error {
  constructor(description, error = 'invalid_dpop_proof') {
    super(description);
    this.error = error;
  }
}

export class NonceManager {
  #current = NonceManager.#fresh();
  #previous = null;

  static #fresh() {
    return randomBytes(24).toString('base64url');
  }

  get current() {
    return this.#current;
  }

  rotate({ keepPrevious = true } = {}) {
    this.#previous = keepPrevious ? this.#current : null;
    this.#current = NonceManager.#fresh();
    return this.#current;
  }

  accepts(nonce) {
    return nonce !== undefined && (nonce === this.#current || nonce === this.#previous);
  }
}

/**
 * The single DPoP header value, undefined when absent. A compact JWT has no commas, so a comma
 * means a client or proxy folded several DPoP headers into one (RFC 9110 §5.3).
 */
export function readDpopHeader(headersDistinct) {
  const values = (headersDistinct.dpop ?? []).flatMap((value) => value.split(','));
  if (values.length > 1) throw new DpopError('Multiple DPoP proof JWT headers are not allowed.');
  return values[0];
}

/** base64url(SHA-256(ASCII access token)), the `ath` claim. */
function accessTokenHash(accessToken) {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

function parseProof(proof) {
  try {
    return { header: decodeProtectedHeader(proof), claims: decodeJwt(proof) };
  } catch {
    throw new DpopError('The DPoP proof JWT cannot be parsed.');
  }
}

function checkHeader(header) {
  if (header.typ !== 'dpop+jwt') throw new DpopError("'typ' must be 'dpop+jwt' in the DPoP proof JWT.");
  if (!SIGNING_ALGS.includes(header.alg)) throw new DpopError('The DPoP proof JWT signature algorithm is invalid.');
  const { jwk } = header;
  if (typeof jwk !== 'object' || jwk === null || PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    throw new DpopError('The DPoP proof JWT is invalid.');
  }
}

async function verifySignature(proof, { jwk, alg }) {
  let key;
  try {
    key = await importJWK(jwk, alg);
  } catch {
    throw new DpopError('The DPoP proof JWT is invalid.');
  }
  try {
    await compactVerify(proof, key, { algorithms: [alg] });
  } catch {
    throw new DpopError('The DPoP proof JWT signature is invalid.');
  }
}

function checkClaims(claims, { htm, htu, now }) {
  if (claims.htm !== htm) throw new DpopError("'htm' claim in the DPoP proof JWT is invalid.");
  if (claims.htu !== htu) throw new DpopError("'htu' claim in the DPoP proof JWT is invalid.");
  if (typeof claims.iat !== 'number') throw new DpopError("'iat' claim in the DPoP proof JWT is invalid.");
  if (claims.iat > now + MAX_FUTURE_SECONDS) throw new DpopError('The DPoP proof JWT is issued in the future.');
  if (claims.iat < now - MAX_AGE_SECONDS) {
    throw new DpopError('The DPoP proof JWT is issued more than five minutes in the past.');
  }
  if (typeof claims.jti !== 'string' || claims.jti === '') {
    throw new DpopError("'jti' claim in the DPoP proof JWT is invalid.");
  }
}

function checkBinding(claims, jkt, { accessToken, boundJkt }) {
  if (claims.ath !== accessTokenHash(accessToken)) {
    throw new DpopError("'ath' claim in the DPoP proof does not match the presented access_token.");
  }
  if (jkt !== boundJkt) throw new DpopError('The access_token is not bound to the provided DPoP proof.');
}

/**
 * Verifies `proof` and consumes its `jti`; returns the thumbprint (jkt) of its key.
 * `expected`: { htm, htu, now (epoch seconds), replayCache, nonces? (NonceManager when a nonce
 * is required), accessToken? and boundJkt? (resource requests) }.
 */
export async function verifyDpopProof(proof, expected) {
  const { header, claims } = parseProof(proof);
  checkHeader(header);
  await verifySignature(proof, header);
  checkClaims(claims, expected);
  const jkt = await calculateJwkThumbprint(header.jwk);
  if (expected.accessToken !== undefined) checkBinding(claims, jkt, expected);
  if (!expected.replayCache.claim(claims.jti, claims.iat + MAX_AGE_SECONDS, expected.now)) {
    throw new DpopError('The DPoP proof JWT has already been used.');
  }
  if (expected.nonces && !expected.nonces.accepts(claims.nonce)) {
    throw new DpopError(NONCE_REQUIRED, 'use_dpop_nonce');
  }
  return jkt;
}
