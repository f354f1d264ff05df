// Authorization of /api/v1/users operations: the token's scopes (still granted to the app) say
// what the app may call, the app's admin roles say what it may do and to whom.
import { oktaFailure } from './okta-errors.mjs';

const READ_SCOPES = ['okta.users.read', 'okta.users.manage'];
const MANAGE_SCOPES = ['okta.users.manage'];

const HELP_DESK_PERMISSIONS = ['read', 'resetPassword', 'expirePassword', 'clearSessions'];
const USER_ADMIN_PERMISSIONS = [...HELP_DESK_PERMISSIONS, 'updateProfile', 'setPassword'];

const ROLE_PERMISSIONS = {
  SUPER_ADMIN: USER_ADMIN_PERMISSIONS,
  ORG_ADMIN: USER_ADMIN_PERMISSIONS,
  HELP_DESK_ADMIN: HELP_DESK_PERMISSIONS,
  READ_ONLY_ADMIN: ['read'],
};

export const ADMIN_ROLES = Object.keys(ROLE_PERMISSIONS);

function insufficientScope(orgUrl) {
  const challenge =
    `Bearer realm="${orgUrl}", error="insufficient_scope", ` +
    'error_description="The access token provided does not contain the required scopes."';
  return oktaFailure('E0000006', { headers: { 'WWW-Authenticate': challenge } });
}

/** Throws 403 E0000006 unless the caller may perform `permission` at all. */
export function authorize({ emu, app, token }, permission) {
  const granted = token.scopes.filter((scope) => app.scopes.includes(scope));
  const accepted = permission === 'read' ? READ_SCOPES : MANAGE_SCOPES;
  if (!accepted.some((scope) => granted.includes(scope))) throw insufficientScope(emu.orgUrl);
  if (!app.roles.some((role) => ROLE_PERMISSIONS[role]?.includes(permission))) throw oktaFailure('E0000006');
}

/** Throws 403 E0000006 when the target holds an admin role and the caller is not a Super Admin. */
export function authorizeTarget({ app }, user) {
  if (user.isAdmin && !app.roles.includes('SUPER_ADMIN')) throw oktaFailure('E0000006');
}
