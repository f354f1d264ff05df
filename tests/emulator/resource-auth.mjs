// Authentication of /api/v1 requests: the access token, its scheme, and for DPoP-bound tokens the
// proof (RFC 9449 §7). DPoP failures answer with an empty body and a WWW-Authenticate challenge.
import { DpopError, readDpopHeader, SIGNING_ALGS, verifyDpopProof } from './dpop.mjs';
import { emptyResponse, HttpError } from './http.mjs';
import { oktaFailure } from './okta-errors.mjs';

function parseAuthorization(header) {
  const match = /^(\S+)\s+(\S+)$/.exec(header ?? '');
  return match ? { scheme: match[1].toLowerCase(), token: match[2] } : {};
}

function challenge(status, orgUrl, error, description, headers = {}) {
  const value =
    `DPoP algs="${SIGNING_ALGS.join(' ')}", realm="${orgUrl}", ` +
    `error="${error}", error_description="${description}"`;
  return new HttpError(emptyResponse(status, { 'WWW-Authenticate': value, ...headers }));
}

/** The live token record the request presents, if any. */
export function presentedToken(request, emu) {
  const { token } = parseAuthorization(request.headers.authorization);
  return token === undefined ? undefined : emu.tokens.find(token, emu.nowSeconds());
}

async function checkProof(request, emu, accessToken, record) {
  try {
    const proof = readDpopHeader(request.headersDistinct);
    if (proof === undefined) {
      throw challenge(400, emu.orgUrl, 'invalid_request', 'The resource request requires a DPoP proof.');
    }
    await verifyDpopProof(proof, {
      htm: request.method,
      htu: emu.orgUrl + request.decodedPath,
      now: emu.nowSeconds(),
      replayCache: emu.proofJtis,
      nonces: emu.apiNonceRequired ? emu.nonces : undefined,
      accessToken,
      boundJkt: record.jkt,
    });
  } catch (error) {
    if (!(error instanceof DpopError)) throw error;
    const nonce = error.error === 'use_dpop_nonce' ? { 'DPoP-Nonce': emu.nonces.current } : {};
    throw challenge(401, emu.orgUrl, error.error, error.message, nonce);
  }
}

/** Returns `{ app, token }` for an authenticated request or throws the answer Okta gives. */
export async function authenticateResourceRequest(request, emu) {
  const { scheme, token } = parseAuthorization(request.headers.authorization);
  const record = presentedToken(request, emu);
  if (!record) throw oktaFailure('E0000011');
  if (record.jkt) {
    if (scheme !== 'dpop') {
      throw challenge(
        400,
        emu.orgUrl,
        'invalid_request',
        'The resource request must use the DPoP authentication scheme when using a DPoP bound token.',
      );
    }
    await checkProof(request, emu, token, record);
  } else if (scheme !== 'bearer') {
    throw challenge(401, emu.orgUrl, 'invalid_token', 'The presented access_token is not DPoP bound.');
  }
  return { app: emu.apps.get(record.clientId), token: record };
}
