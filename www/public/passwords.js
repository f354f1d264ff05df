// Password generation (CSPRNG, shaped for Okta's default policy) and strength feedback.
// Okta does not expose the org's policy to an API Services app, so the rules shown are the default
// policy's shape; Okta's own answer (its errorCauses) has the last word.

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!#$%&*+-=?@^_';
const ALL = LOWER + UPPER + DIGITS + SYMBOLS;
// Okta's username rule: the login's local part split on these delimiters; parts of 3+ characters.
const USERNAME_DELIMITERS = /[,.\-_#+/\s]+/;
const COMMON = ['password', 'passwort', 'qwerty', 'letmein', 'welcome', 'admin', '123456', '12345678', 'abc123', 'iloveyou', 'monkey', 'dragon', 'okta'];

/** A uniformly random integer in [0, n), from crypto.getRandomValues (rejection sampling, no modulo bias). */
export function randomIndex(n) {
  const limit = Math.floor(0x100000000 / n) * n;
  const word = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(word);
    if (word[0] < limit) return word[0] % n;
  }
}

const pick = (alphabet) => alphabet[randomIndex(alphabet.length)];

/** The parts of a login Okta's "no parts of your username" rule looks for. */
export function usernameParts(login = '') {
  return login.split('@')[0].toLowerCase().split(USERNAME_DELIMITERS).filter((part) => part.length >= 3);
}

function containsUsernamePart(password, login) {
  const lowered = password.toLowerCase();
  return usernameParts(login).some((part) => lowered.includes(part));
}

/**
 * A random password with a lowercase and an uppercase letter, a digit and a symbol, none of the login's
 * parts, and no look-alike characters. 20 characters ≈ 124 bits.
 */
export function generatePassword({ length = 20, login = '' } = {}) {
  for (;;) {
    const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
    while (chars.length < length) chars.push(pick(ALL));
    for (let i = chars.length - 1; i > 0; i -= 1) {
      const j = randomIndex(i + 1);
      [chars[i], chars[j]] = [chars[j], chars[i]];
    }
    const password = chars.join('');
    if (!containsUsernamePart(password, login)) return password;
  }
}

/** Rules of Okta's default password policy, checked locally as guidance. */
export function passwordRules(password, login) {
  return [
    { id: 'length', label: 'At least 8 characters', met: [...password].length >= 8 },
    { id: 'lower', label: 'A lowercase letter', met: /\p{Ll}/u.test(password) },
    { id: 'upper', label: 'An uppercase letter', met: /\p{Lu}/u.test(password) },
    { id: 'number', label: 'A number', met: /\p{Nd}/u.test(password) },
    { id: 'symbol', label: 'A symbol (if your policy asks for one)', met: /[^\p{L}\p{N}]/u.test(password), optional: true },
    { id: 'username', label: 'No part of the username', met: password !== '' && !containsUsernamePart(password, login) },
  ];
}

/** Strength from an entropy estimate, capped when a rule is missed or the password is common. */
export function assessPassword(password, login = '') {
  const rules = passwordRules(password, login);
  if (password === '') return { score: 0, label: 'Enter a password or generate one.', rules, empty: true };
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^A-Za-z0-9]/.test(password)) pool += 33;
  const unique = new Set(password).size;
  const bits = Math.log2(Math.max(pool, 2)) * Math.min([...password].length, unique * 2);
  let score = bits < 36 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  const lowered = password.toLowerCase();
  const common = COMMON.some((word) => lowered.includes(word));
  const missed = rules.some((rule) => !rule.met && !rule.optional);
  if (common || missed) score = Math.min(score, 1);
  const words = ['', 'Weak', 'Fair', 'Strong', 'Very strong'];
  let label = `Strength: ${words[score]}`;
  if (missed) label += ' — misses a requirement below';
  else if (common) label += ' — contains a common word';
  return { score, label, rules, empty: false };
}
