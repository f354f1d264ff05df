// User records, how they serialise (User schema in users.yaml), how they are looked up, and the
// status rules of the password operations.
import { oktaId } from './ids.mjs';
import { oktaFailure } from './okta-errors.mjs';

const DEFAULT_USER_TYPE = oktaId('oty');

const OPERATIONS = ['setPassword', 'resetPassword', 'expirePassword', 'updateProfile'];

/**
 * For each current status and operation: the status the user moves to, or the error code answered
 * when the status does not allow the operation. README.md shows the same table.
 */
// prettier-ignore
const STATUS_RULES = {
  //                 setPassword   resetPassword expirePassword      updateProfile
  STAGED:           ['STAGED',     'E0000017',   'E0000038',         'STAGED'],
  PROVISIONED:      ['ACTIVE',     'E0000017',   'E0000038',         'PROVISIONED'],
  ACTIVE:           ['ACTIVE',     'RECOVERY',   'PASSWORD_EXPIRED', 'ACTIVE'],
  RECOVERY:         ['ACTIVE',     'RECOVERY',   'PASSWORD_EXPIRED', 'RECOVERY'],
  PASSWORD_EXPIRED: ['ACTIVE',     'RECOVERY',   'PASSWORD_EXPIRED', 'PASSWORD_EXPIRED'],
  LOCKED_OUT:       ['LOCKED_OUT', 'RECOVERY',   'PASSWORD_EXPIRED', 'LOCKED_OUT'],
  SUSPENDED:        ['SUSPENDED',  'E0000038',   'E0000038',         'SUSPENDED'],
  DEPROVISIONED:    ['E0000038',   'E0000017',   'E0000038',         'E0000038'],
};

export const STATUSES = Object.keys(STATUS_RULES);

function outcomeOf(user, operation) {
  return STATUS_RULES[user.status][OPERATIONS.indexOf(operation)];
}

const RESET_NOT_ALLOWED = "Password reset is not allowed in the user's current status";

function isErrorCode(outcome) {
  return outcome.startsWith('E0');
}

/** The status `operation` moves `user` to; throws the Okta error when the status forbids it. */
export function nextStatus(user, operation) {
  const outcome = outcomeOf(user, operation);
  if (!isErrorCode(outcome)) return outcome;
  throw oktaFailure(outcome, { causes: outcome === 'E0000017' ? [RESET_NOT_ALLOWED] : [] });
}

function isAllowed(user, operation) {
  return !isErrorCode(outcomeOf(user, operation));
}

function timestamp(nowMs) {
  return new Date(nowMs).toISOString();
}

export function createUser(fields, nowMs) {
  const { id = oktaId('00u'), login, email, firstName, lastName, password } = fields;
  const { status = 'ACTIVE', isAdmin = false } = fields;
  if (typeof login !== 'string' || login === '') throw new TypeError('addUser needs a login');
  if (!STATUSES.includes(status)) throw new TypeError(`unknown user status: ${status}`);
  const created = timestamp(nowMs);
  const signedIn = status === 'ACTIVE';
  return {
    id,
    status,
    isAdmin,
    profile: {
      firstName: firstName ?? login.split('@')[0],
      lastName: lastName ?? 'User',
      mobilePhone: null,
      secondEmail: null,
      login,
      email: email ?? login,
    },
    created,
    activated: status === 'STAGED' || status === 'PROVISIONED' ? null : created,
    statusChanged: created,
    lastLogin: null,
    lastUpdated: created,
    password: password ?? null,
    passwordHistory: password ? [password] : [],
    passwordChanged: password ? created : null,
    passwordChangedCount: 0,
    sessions: signedIn ? 1 : 0,
    oauthTokens: signedIn ? 1 : 0,
    resetEmailsSent: 0,
    recoveryToken: null,
  };
}

/** Finds a user by id, login (case-insensitive) or unambiguous login shortname. */
export function findUser(users, key) {
  const byId = users.get(key);
  if (byId) return byId;
  const wanted = key.toLowerCase();
  const all = [...users.values()];
  const byLogin = all.find((user) => user.profile.login.toLowerCase() === wanted);
  if (byLogin) return byLogin;
  const byShortname = all.filter((user) => user.profile.login.split('@')[0].toLowerCase() === wanted);
  return byShortname.length === 1 ? byShortname[0] : undefined;
}

export function setStatus(user, status, nowMs) {
  const now = timestamp(nowMs);
  if (status !== user.status) {
    user.status = status;
    user.statusChanged = now;
    if (status === 'ACTIVE' && !user.activated) user.activated = now;
  }
  user.lastUpdated = now;
}

export function recordPassword(user, password, nowMs) {
  user.password = password;
  user.passwordHistory.push(password);
  user.passwordChanged = timestamp(nowMs);
  user.passwordChangedCount += 1;
  user.lastUpdated = user.passwordChanged;
}

export function revokeSessions(user, { oauthTokens }) {
  user.sessions = 0;
  if (oauthTokens) user.oauthTokens = 0;
}

function links(user, orgUrl, collection) {
  const self = `${orgUrl}/api/v1/users/${user.id}`;
  if (collection) return { self: { href: self } };
  const lifecycle = (name) => ({ href: `${self}/lifecycle/${name}`, method: 'POST' });
  return {
    self: { href: self },
    ...(isAllowed(user, 'resetPassword') && { resetPassword: lifecycle('reset_password') }),
    ...(isAllowed(user, 'expirePassword') && { expirePassword: lifecycle('expire_password') }),
  };
}

/** The API representation; never contains a password value. */
export function userJson(user, orgUrl, { collection = false } = {}) {
  return {
    id: user.id,
    status: user.status,
    created: user.created,
    activated: user.activated,
    statusChanged: user.statusChanged,
    lastLogin: user.lastLogin,
    lastUpdated: user.lastUpdated,
    passwordChanged: user.passwordChanged,
    type: { id: DEFAULT_USER_TYPE },
    profile: { ...user.profile },
    credentials: {
      ...(user.password !== null && { password: {} }),
      provider: { type: 'OKTA', name: 'OKTA' },
    },
    _links: links(user, orgUrl, collection),
  };
}
