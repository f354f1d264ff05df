// Random identifiers shaped like Okta's (base62 bodies behind a three-letter type prefix).
import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random base62 string of `length` characters. */
export function randomBase62(length) {
  return Array.from({ length }, () => BASE62[randomInt(BASE62.length)]).join('');
}

/** An Okta-style object id: `00u` + 17 characters for users, `0oa` + 17 for apps. */
export function oktaId(prefix) {
  return prefix + randomBase62(17);
}
