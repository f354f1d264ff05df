// okta-connect as a Cloudflare Worker: a small HTTP API over one customer's Okta org, for the platform's
// verification workflows. Every route needs `Authorization: Bearer <API_SECRET>`; answers are JSON.
//
//   POST   /v1/verify                          run the Connect verification        → { ok, checks, connection }
//   GET    /v1/users/{user}                    look a user up (id or login)         → { user }
//   POST   /v1/users/{user}/password           { password, revokeSessions? }        → { user }
//   POST   /v1/users/{user}/reset-password     { sendEmail, revokeSessions? }       → { emailSent, resetPasswordUrl? }
//   POST   /v1/users/{user}/expire-password    { tempPassword?, revokeSessions? }   → { expired, tempPassword? }
//   DELETE /v1/users/{user}/sessions                                                → { revoked }
//
// `{user}` is an Okta user id or a login, percent-encoded as one path segment. Errors:
// `{ "error": { code, message, fix?, retryable, status?, errorCode?, errorSummary?, errorCauses?, errorId? } }`.
//
// Module scope holds constants and empty per-isolate state only: the Okta client is created inside the first
// request (see okta.js), as workerd allows randomness and I/O only there.
import { authenticate } from './auth.js';
import { HttpError, errorResponse, json } from './http.js';
import { clientFor } from './okta.js';

const MAX_BODY_BYTES = 16 * 1024;
const MAX_USER_LENGTH = 1024;

async function readBody(request) {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, 'request_too_large', `The request body is over ${MAX_BODY_BYTES} bytes.`);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new HttpError(413, 'request_too_large', `The request body is over ${MAX_BODY_BYTES} bytes.`);
  if (text.trim() === '') return {};
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid_request', 'The request body must be a JSON object.');
  return body;
}

function boolean(body, name, { required = false, fallback = false } = {}) {
  const value = body[name];
  if (value === undefined && !required) return fallback;
  if (typeof value !== 'boolean') throw new HttpError(400, 'invalid_request', `"${name}" must be ${required ? '' : 'omitted or '}true or false.`);
  return value;
}

function string(body, name) {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, 'invalid_request', `"${name}" must be a non-empty string.`);
  return value;
}

/** Route handlers: `(okta, user, body) → [status, json]`. `okta` is `{ client, tokenCache, cold }`. */
const USER_ROUTES = {
  '': {
    GET: async ({ client }, user) => ({ user: await client.getUser(user) }),
  },
  password: {
    POST: async ({ client }, user, body) => {
      const password = string(body, 'password');
      return { user: await client.setPassword(user, password, { revokeSessions: boolean(body, 'revokeSessions') }) };
    },
  },
  'reset-password': {
    POST: async ({ client }, user, body) => {
      const sendEmail = boolean(body, 'sendEmail', { required: true });
      const result = await client.resetPassword(user, { sendEmail, revokeSessions: boolean(body, 'revokeSessions') });
      return { emailSent: sendEmail, ...result };
    },
  },
  'expire-password': {
    POST: async ({ client }, user, body) => {
      const options = { tempPassword: boolean(body, 'tempPassword'), revokeSessions: boolean(body, 'revokeSessions') };
      return { expired: true, ...(await client.expirePassword(user, options)) };
    },
  },
  sessions: {
    DELETE: async ({ client }, user) => {
      await client.revokeSessions(user);
      return { revoked: true };
    },
  },
};

const VERIFY_ROUTE = {
  POST: async ({ client, tokenCache }) => {
    const { ok, checks } = await client.verify();
    return { ok, checks, connection: { ...client.connection, tokenCache } };
  },
};

/** `{ methods, user }` for a path, or undefined. */
function match(pathname) {
  if (pathname === '/v1/verify') return { methods: VERIFY_ROUTE };
  const parts = pathname.split('/');
  if (parts.length < 4 || parts.length > 5 || parts[0] !== '' || parts[1] !== 'v1' || parts[2] !== 'users') return undefined;
  const methods = USER_ROUTES[parts[4] ?? ''];
  if (!methods || parts[3] === '') return undefined;
  let user;
  try {
    user = decodeURIComponent(parts[3]);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The user in the path is not valid percent-encoding.');
  }
  if (user.trim() === '' || user.length > MAX_USER_LENGTH) throw new HttpError(400, 'invalid_request', 'The user must be an Okta user id or login.');
  return { methods, user };
}

async function handle(request, env) {
  await authenticate(request, env);
  const route = match(new URL(request.url).pathname);
  if (!route) throw new HttpError(404, 'not_found', 'No such route.');
  const handler = route.methods[request.method];
  if (!handler) {
    const allow = Object.keys(route.methods).join(', ');
    throw new HttpError(405, 'method_not_allowed', `Use ${allow}.`, { headers: { allow } });
  }
  const body = request.method === 'POST' ? await readBody(request) : {};
  const okta = await clientFor(env);
  const result = await handler(okta, route.user, body);
  return json(200, result, { 'x-okta-connect-isolate': okta.cold ? 'cold' : 'warm' });
}

export default {
  async fetch(request, env) {
    try {
      return await handle(request, env);
    } catch (error) {
      return errorResponse(error);
    }
  },
};
