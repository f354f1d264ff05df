// A demo org: one API Services app with a fresh RSA key pair and users in every status.
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { oktaId, randomBase62 } from './ids.mjs';

const DEMO_USERS = [
  { login: 'alice@example.com', firstName: 'Alice', lastName: 'Anderson', status: 'ACTIVE' },
  { login: 'bob+test@example.com', firstName: 'Bob', lastName: 'Baker', status: 'ACTIVE' },
  { login: 'carol/ops@example.com', firstName: 'Carol', lastName: 'Chen', status: 'ACTIVE' },
  { login: 'zoë@example.com', firstName: 'Zoë', lastName: 'Zimmermann', status: 'ACTIVE' },
  { login: 'dave@example.com', firstName: 'Dave', lastName: 'Davis', status: 'STAGED' },
  { login: 'erin@example.com', firstName: 'Erin', lastName: 'Evans', status: 'PROVISIONED' },
  { login: 'frank@example.com', firstName: 'Frank', lastName: 'Foster', status: 'RECOVERY' },
  { login: 'grace@example.com', firstName: 'Grace', lastName: 'Garcia', status: 'PASSWORD_EXPIRED' },
  { login: 'heidi@example.com', firstName: 'Heidi', lastName: 'Hughes', status: 'LOCKED_OUT' },
  { login: 'ivan@example.com', firstName: 'Ivan', lastName: 'Ivanov', status: 'SUSPENDED' },
  { login: 'judy@example.com', firstName: 'Judy', lastName: 'Jones', status: 'DEPROVISIONED' },
  { login: 'admin@example.com', firstName: 'Ada', lastName: 'Admin', status: 'ACTIVE', isAdmin: true },
];

/** Users that were never activated have no password yet. */
function initialPassword(status) {
  return status === 'STAGED' || status === 'PROVISIONED' ? undefined : `Init-${randomBase62(12)}`;
}

/**
 * Seeds `emu` and returns what a customer would copy out of the Admin Console:
 * `{ clientId, privateKeyPem, privateJwk, kid, users }` (users are the emulator's live records).
 */
export async function seedDemo(emu) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const clientId = oktaId('0oa');
  emu.addApp({
    clientId,
    jwks: { keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] },
    dpop: true,
    scopes: ['okta.users.manage'],
    roles: ['ORG_ADMIN'],
  });
  const users = DEMO_USERS.map((user) => emu.addUser({ ...user, password: initialPassword(user.status) }));
  return {
    clientId,
    privateKeyPem: await exportPKCS8(privateKey),
    privateJwk: { ...(await exportJWK(privateKey)), kid },
    kid,
    users,
  };
}

/** What to paste into Connect (and the demo users), as written to the demo credentials file. */
export function demoCredentials(orgUrl, demo) {
  return {
    orgUrl,
    clientId: demo.clientId,
    kid: demo.kid,
    scopes: ['okta.users.manage'],
    privateKeyPem: demo.privateKeyPem,
    privateJwk: demo.privateJwk,
    users: demo.users.map(({ id, profile, status, isAdmin }) => ({ id, login: profile.login, status, isAdmin })),
  };
}
