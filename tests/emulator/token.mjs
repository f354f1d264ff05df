// POST /oauth2/v1/token: client_credentials at the org authorization server, authenticated by a
// private_key_jwt client assertion and, for DPoP apps, bound to the proof's key after the nonce dance.
import { authenticateClient } from './assertion.mjs';
import { TOKEN_LIFETIME_SECONDS } from './access-tokens.mjs';
import { DpopError, readDpopHeader, verifyDpopProof } from './dpop.mjs';
import { HttpError, jsonResponse } from './http.mjs';
import { NO_STORE, oauthFailure, oauthResponse } from './oauth-errors.mjs';

function requestedScopes(form, app) {
  const scopes = [...new Set((form.get('scope') ?? '').split(' ').filter(Boolean))];
  if (scopes.length === 0) throw oauthFailure('scopeMissing');
  if (!scopes.every((scope) => app.scopes.includes(scope))) throw oauthFailure('scopeInvalid');
  return scopes;
}

function dpopFailure(error, nonce) {
  const headers = error.error === 'use_dpop_nonce' ? { 'DPoP-Nonce': nonce } : {};
  return new HttpError(oauthResponse(400, error.error, error.message, headers));
}

/** Verifies the token request's DPoP proof and returns the thumbprint the token is bound to. */
async function proofKeyThumbprint(request, emu) {
  try {
    const proof = readDpopHeader(request.headersDistinct);
    if (proof === undefined) throw oauthFailure('dpopHeaderMissing');
    return await verifyDpopProof(proof, {
      htm: 'POST',
      htu: emu.tokenUrl,
      now: emu.nowSeconds(),
      replayCache: emu.proofJtis,
      nonces: emu.nonces,
    });
  } catch (error) {
    if (error instanceof DpopError) throw dpopFailure(error, emu.nonces.current);
    throw error;
  }
}

export async function handleTokenRequest(request, emu) {
  if (request.headers.origin && emu.rejectBrowserTokenRequests) throw oauthFailure('browserRequest');
  const form = new URLSearchParams(request.body);
  const app = await authenticateClient(form, request.headers.authorization, emu);
  if (form.get('grant_type') !== 'client_credentials') throw oauthFailure('grantType');
  const jkt = app.dpop ? await proofKeyThumbprint(request, emu) : undefined;
  const scopes = requestedScopes(form, app);
  const accessToken = await emu.tokens.issue({
    issuer: emu.orgUrl,
    clientId: app.clientId,
    scopes,
    jkt,
    now: emu.nowSeconds(),
  });
  const body = {
    token_type: jkt ? 'DPoP' : 'Bearer',
    expires_in: TOKEN_LIFETIME_SECONDS,
    access_token: accessToken,
    scope: scopes.join(' '),
  };
  return jsonResponse(200, body, { ...NO_STORE, ...(jkt && { 'DPoP-Nonce': emu.nonces.current }) });
}
