// Callers authenticate with `Authorization: Bearer <API_SECRET>`. Both sides are hashed with SHA-256 and the
// digests compared in constant time (workerd's `crypto.subtle.timingSafeEqual`), so neither the content nor
// the length of the secret leaks through timing.
import { HttpError } from './http.js';

const MIN_SECRET_LENGTH = 32;
const encoder = new TextEncoder();
/** The expected secret's digest, computed once per isolate (and again only if the secret changes). */
let expected = { secret: undefined, digest: undefined };

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Constant-time equality of two equal-length byte arrays. */
export function timingSafeEqual(a, b) {
  if (typeof crypto.subtle.timingSafeEqual === 'function') return crypto.subtle.timingSafeEqual(a, b);
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

function unauthorized(message) {
  return new HttpError(401, 'unauthorized', message, { headers: { 'www-authenticate': 'Bearer realm="okta-connect"' } });
}

/** Throws an `HttpError` unless the request carries the worker's bearer secret. */
export async function authenticate(request, env) {
  const secret = env.API_SECRET;
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    // Fail closed: a worker without a strong secret answers nothing.
    throw new HttpError(500, 'worker_misconfigured', `The API_SECRET secret is missing or shorter than ${MIN_SECRET_LENGTH} characters.`, {
      fix: 'Set it with `openssl rand -base64 32 | wrangler secret put API_SECRET`.',
    });
  }
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.get('authorization') ?? '');
  if (!match) throw unauthorized('Send the worker\'s secret as "Authorization: Bearer <API_SECRET>".');
  if (expected.secret !== secret) expected = { secret, digest: await sha256(secret) };
  const given = await sha256(match[1]);
  if (!timingSafeEqual(given, expected.digest)) throw unauthorized('The bearer secret is not valid.');
}
