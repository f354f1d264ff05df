// /api/v1/users operations (users.yaml): get, search, set password, reset/expire password,
// revoke sessions. Handlers get `ctx = { emu, app, token, params, request }` and return responses.
import { jsonResponse, emptyResponse } from './http.mjs';
import { randomBase62 } from './ids.mjs';
import { oktaFailure } from './okta-errors.mjs';
import { generateTempPassword, passwordViolation } from './password-policy.mjs';
import { authorize, authorizeTarget } from './permissions.mjs';
import { matchesSearch, parseSearch } from './search.mjs';
import { findUser, nextStatus, recordPassword, revokeSessions, setStatus, userJson } from './user-model.mjs';

const MAX_PAGE_SIZE = 200;

function notFound(key) {
  return oktaFailure('E0000007', { detail: `Resource not found: ${key} (User)` });
}

/** `{id}` paths take an id, login or login shortname. */
function userByIdOrLogin({ emu }, key) {
  const user = findUser(emu.users, key);
  if (!user) throw notFound(key);
  return user;
}

/** `{userId}` paths take an id only. */
function userById({ emu }, id) {
  const user = emu.users.get(id);
  if (!user) throw notFound(id);
  return user;
}

function flag(ctx, name) {
  return ctx.request.query.get(name) === 'true';
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parts of an UpdateUserRequest the emulator applies; 400 E0000003 when malformed. */
function parseUpdate(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw oktaFailure('E0000003');
  }
  if (!isPlainObject(body) || (body.profile !== undefined && !isPlainObject(body.profile))) {
    throw oktaFailure('E0000003');
  }
  return { password: body.credentials?.password, profile: body.profile };
}

function respondWithUser(ctx, user) {
  return jsonResponse(200, userJson(user, ctx.emu.orgUrl));
}

function getUser(ctx) {
  authorize(ctx, 'read');
  return respondWithUser(ctx, userByIdOrLogin(ctx, ctx.params.id));
}

function pageLinks(ctx, page, hasMore) {
  const self = new URL(ctx.request.url.pathname + ctx.request.url.search, ctx.emu.orgUrl);
  const links = [`<${self}>; rel="self"`];
  if (hasMore) {
    const next = new URL(self);
    next.searchParams.set('after', page.at(-1).id);
    links.push(`<${next}>; rel="next"`);
  }
  return links.join(', ');
}

function listUsers(ctx) {
  authorize(ctx, 'read');
  const { query } = ctx.request;
  if (query.has('filter') || query.has('q')) throw oktaFailure('E0000031');
  const all = [...ctx.emu.users.values()];
  let matches = all.filter((user) => user.status !== 'DEPROVISIONED');
  if (query.has('search')) {
    const terms = parseSearch(query.get('search'));
    if (!terms) throw oktaFailure('E0000031');
    matches = all.filter((user) => matchesSearch(user, terms));
  }
  const start = query.has('after') ? matches.findIndex((user) => user.id === query.get('after')) + 1 : 0;
  const requested = Number.parseInt(query.get('limit'), 10);
  const limit = requested > 0 ? Math.min(requested, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
  const page = matches.slice(start, start + limit);
  const body = page.map((user) => userJson(user, ctx.emu.orgUrl, { collection: true }));
  return jsonResponse(200, body, { Link: pageLinks(ctx, page, start + limit < matches.length) });
}

function checkPassword(ctx, user, value) {
  const violation = passwordViolation(value, user, ctx.emu.passwordPolicy, { strict: flag(ctx, 'strict') });
  if (violation) throw oktaFailure('E0000001', { detail: 'password', causes: [violation] });
}

/** POST /users/{id}: partial update of credentials.password and/or profile. */
function updateUser(ctx) {
  const { password, profile } = parseUpdate(ctx.request.body);
  const changesPassword = password !== undefined;
  if (changesPassword) authorize(ctx, 'setPassword');
  if (profile !== undefined || !changesPassword) authorize(ctx, 'updateProfile');
  const user = userByIdOrLogin(ctx, ctx.params.id);
  authorizeTarget(ctx, user);
  const status = nextStatus(user, changesPassword ? 'setPassword' : 'updateProfile');
  if (changesPassword) checkPassword(ctx, user, password?.value);
  const now = ctx.emu.now();
  if (changesPassword) recordPassword(user, password.value, now);
  Object.assign(user.profile, profile);
  setStatus(user, status, now);
  return respondWithUser(ctx, user);
}

/** Shared prologue of the lifecycle operations: permission first, then the user, then its status. */
function lifecycleTarget(ctx, permission, operation) {
  authorize(ctx, permission);
  const user = userByIdOrLogin(ctx, ctx.params.id);
  authorizeTarget(ctx, user);
  return { user, status: nextStatus(user, operation) };
}

function resetPassword(ctx) {
  const { user, status } = lifecycleTarget(ctx, 'resetPassword', 'resetPassword');
  setStatus(user, status, ctx.emu.now());
  if (flag(ctx, 'revokeSessions')) revokeSessions(user, { oauthTokens: false });
  user.recoveryToken = randomBase62(20);
  if (ctx.request.query.get('sendEmail') !== 'false') {
    user.resetEmailsSent += 1;
    return jsonResponse(200, {});
  }
  return jsonResponse(200, { resetPasswordUrl: `${ctx.emu.orgUrl}/reset_password/${user.recoveryToken}` });
}

function expirePassword(ctx) {
  const { user, status } = lifecycleTarget(ctx, 'expirePassword', 'expirePassword');
  setStatus(user, status, ctx.emu.now());
  return respondWithUser(ctx, user);
}

function expirePasswordWithTempPassword(ctx) {
  const { user, status } = lifecycleTarget(ctx, 'expirePassword', 'expirePassword');
  const tempPassword = generateTempPassword(user, ctx.emu.passwordPolicy);
  const now = ctx.emu.now();
  recordPassword(user, tempPassword, now);
  setStatus(user, status, now);
  if (flag(ctx, 'revokeSessions')) revokeSessions(user, { oauthTokens: false });
  return jsonResponse(200, { tempPassword });
}

function deleteSessions(ctx) {
  authorize(ctx, 'clearSessions');
  const user = userById(ctx, ctx.params.userId);
  authorizeTarget(ctx, user);
  revokeSessions(user, { oauthTokens: flag(ctx, 'oauthTokens') });
  return emptyResponse(204);
}

/** Paths are relative to /api/v1/ and matched against the percent-decoded request path. */
export const USER_ROUTES = [
  { method: 'GET', path: 'users', handler: listUsers },
  { method: 'GET', path: 'users/:id', handler: getUser },
  { method: 'POST', path: 'users/:id', handler: updateUser },
  { method: 'POST', path: 'users/:id/lifecycle/reset_password', handler: resetPassword },
  { method: 'POST', path: 'users/:id/lifecycle/expire_password', handler: expirePassword },
  {
    method: 'POST',
    path: 'users/:id/lifecycle/expire_password_with_temp_password',
    handler: expirePasswordWithTempPassword,
  },
  { method: 'DELETE', path: 'users/:userId/sessions', handler: deleteSessions },
];
