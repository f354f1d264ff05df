// Client authentication at the org authorization server: only private_key_jwt client assertions
// (RFC 7523) are accepted for client_credentials, checked the way Okta describes its failures.
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import { SIGNING_ALGS } from './dpop.mjs';
import { oauthFailure } from './oauth-errors.mjs';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_LIFETIME_SECONDS = 3600;

function parseAssertion(assertion) {
  try {
    return { header: decodeProtectedHeader(assertion), claims: decodeJwt(assertion) };
  } catch {
    throw oauthFailure('assertionParse');
  }
}

function issuerOf(assertion) {
  try {
    return decodeJwt(assertion).iss;
  } catch {
    return undefined;
  }
}

function basicAuthUser(authorization) {
  const basic = /^basic\s+(\S+)$/i.exec(authorization ?? '');
  return basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] : undefined;
}

/** The client id a token request claims, for rate-limit bucketing before it is authenticated. */
export function claimedClientId(form, authorization) {
  return issuerOf(form.get('client_assertion')) ?? form.get('client_id') ?? basicAuthUser(authorization) ?? 'anonymous';
}

function checkCredentialShape(form, authorization) {
  const hasSecret = /^basic\s/i.test(authorization ?? '') || form.has('client_secret');
  if (!form.has('client_assertion')) {
    throw oauthFailure(hasSecret || form.has('client_id') ? 'privateKeyJwtRequired' : 'noCredentials');
  }
  if (hasSecret) throw oauthFailure('multipleCredentials');
  if (form.get('client_assertion_type') !== JWT_BEARER) throw oauthFailure('assertionType');
}

function findApp(claims, apps) {
  const app = typeof claims.iss === 'string' ? apps.get(claims.iss) : undefined;
  if (!app) throw oauthFailure('assertionIssuer');
  if (claims.sub !== claims.iss) throw oauthFailure('assertionSubject');
  if (app.tokenEndpointAuthMethod !== 'private_key_jwt') throw oauthFailure('privateKeyJwtRequired');
  if (app.applicationType !== 'service') throw oauthFailure('serviceAppRequired');
  return app;
}

function selectKey(keys, kid) {
  const key = kid === undefined ? (keys.length === 1 ? keys[0] : undefined) : keys.find((k) => k.kid === kid);
  if (!key) throw oauthFailure('assertionKid');
  return key;
}

async function verifySignature(assertion, header, app) {
  if (!SIGNING_ALGS.includes(header.alg)) throw oauthFailure('assertionAlgorithm');
  const jwk = selectKey(app.jwks.keys, header.kid);
  try {
    const key = await importJWK(jwk, header.alg);
    await compactVerify(assertion, key, { algorithms: [header.alg] });
  } catch {
    throw oauthFailure('assertionSignature');
  }
}

function checkClaims(claims, tokenUrl, now) {
  if (![claims.aud].flat().includes(tokenUrl)) throw oauthFailure('assertionAudience');
  if (typeof claims.exp !== 'number') throw oauthFailure('assertionExpRequired');
  if (claims.exp <= now) throw oauthFailure('assertionExpired');
  if (claims.exp > now + MAX_LIFETIME_SECONDS) throw oauthFailure('assertionTooLong');
  if (typeof claims.iat === 'number' && claims.iat > now) throw oauthFailure('assertionIssuedInFuture');
}

/**
 * Authenticates the client of a token request and returns its app. A verified assertion's `jti`
 * is consumed here, before any later check (DPoP nonce, scope) can still fail the request.
 */
export async function authenticateClient(form, authorization, emu) {
  checkCredentialShape(form, authorization);
  const assertion = form.get('client_assertion');
  const { header, claims } = parseAssertion(assertion);
  const app = findApp(claims, emu.apps);
  await verifySignature(assertion, header, app);
  const now = emu.nowSeconds();
  checkClaims(claims, emu.tokenUrl, now);
  if (claims.jti !== undefined && !emu.assertionJtis.claim(`${app.clientId} ${claims.jti}`, claims.exp, now)) {
    throw oauthFailure('assertionReplayed');
  }
  return app;
}
