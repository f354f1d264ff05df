// The org's password policy as the admin set-password operation enforces it.
import { randomInt } from 'node:crypto';

export const DEFAULT_PASSWORD_POLICY = Object.freeze({
  minLength: 8,
  lowercase: true,
  uppercase: true,
  number: true,
  symbol: false,
  excludeUsername: true,
  historyCount: 4,
});

const USERNAME_DELIMITERS = /[,.\-_#+/\s]+/;
const MIN_USERNAME_PART_LENGTH = 3;
const LETTERS_AND_DIGITS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const SYMBOLS = '!#$%&*+-=?@^_';

/** The errorCauses summary Okta gives for a password that misses the policy's requirements. */
function requirementsSummary(policy) {
  const requirements = [
    `at least ${policy.minLength} characters`,
    policy.lowercase && 'a lowercase letter',
    policy.uppercase && 'an uppercase letter',
    policy.number && 'a number',
    policy.symbol && 'a symbol',
    policy.excludeUsername && 'no parts of your username',
  ].filter(Boolean);
  return `password: Password requirements were not met. Password requirements: ${requirements.join(', ')}.`;
}

function containsUsernamePart(password, login) {
  const lowered = password.toLowerCase();
  return login
    .split('@')[0]
    .toLowerCase()
    .split(USERNAME_DELIMITERS)
    .some((part) => part.length >= MIN_USERNAME_PART_LENGTH && lowered.includes(part));
}

function meetsRequirements(password, login, policy) {
  return (
    [...password].length >= policy.minLength &&
    (!policy.lowercase || /\p{Ll}/u.test(password)) &&
    (!policy.uppercase || /\p{Lu}/u.test(password)) &&
    (!policy.number || /\p{Nd}/u.test(password)) &&
    (!policy.symbol || /[^\p{L}\p{N}]/u.test(password)) &&
    (!policy.excludeUsername || !containsUsernamePart(password, login))
  );
}

/**
 * The errorCauses summary when `password` may not become `user`'s password, else null.
 * History counts only when `strict` (Okta's `strict=true`); the admin operation bypasses it otherwise.
 */
export function passwordViolation(password, user, policy, { strict }) {
  if (typeof password !== 'string' || !meetsRequirements(password, user.profile.login, policy)) {
    return requirementsSummary(policy);
  }
  const recent = policy.historyCount > 0 ? user.passwordHistory.slice(-policy.historyCount) : [];
  if (strict && recent.includes(password)) return 'password: Password has been used too recently';
  return null;
}

/** A random temporary password that satisfies `policy` for `user`. */
export function generateTempPassword(user, policy) {
  const alphabet = LETTERS_AND_DIGITS + (policy.symbol ? SYMBOLS : '');
  const length = Math.max(8, policy.minLength);
  for (;;) {
    const candidate = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
    if (passwordViolation(candidate, user, policy, { strict: true }) === null) return candidate;
  }
}
