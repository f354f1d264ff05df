// CORS as an Okta Trusted Origin would answer it. The token endpoint "always returns CORS headers
// with the current origin" (oauth.yaml, tokenOptions); /api/v1 answers only trusted origins.
import { emptyResponse } from './http.mjs';

const EXPOSED_HEADERS = [
  'DPoP-Nonce',
  'WWW-Authenticate',
  'X-Rate-Limit-Limit',
  'X-Rate-Limit-Remaining',
  'X-Rate-Limit-Reset',
  'Date',
].join(', ');
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, DPoP, Content-Type, Accept';

function isAllowed(origin, path, allowedOrigins) {
  return path === '/oauth2/v1/token' || allowedOrigins.includes('*') || allowedOrigins.includes(origin);
}

/** Headers added to an actual (non-preflight) response. */
export function corsHeaders(origin, path, allowedOrigins) {
  if (!origin || !isAllowed(origin, path, allowedOrigins)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    Vary: 'Origin',
  };
}

/** Answer to an OPTIONS preflight; without CORS headers when the origin is not trusted. */
export function preflightResponse(origin, path, allowedOrigins) {
  if (!origin || !isAllowed(origin, path, allowedOrigins)) return emptyResponse(204);
  return emptyResponse(204, {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': '3600',
    Vary: 'Origin',
  });
}
