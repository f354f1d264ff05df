// Secret hygiene, proven by searching every output for the secrets.
//
// Part 1 drives OktaClient (both signing paths) and the lower-level API against the local Okta emulator through
// successes and failures (policy violations, faults, timeouts, aborts, rate limits, wrong keys, mangled keys) and
// collects every output a secret could escape through: console lines (console methods patched), process
// warnings, every thrown error (String, message, stack, JSON.stringify, util.inspect with hidden members), every
// returned value (JSON.stringify, util.inspect, String), progress callbacks, the token cache's stored values and
// the URLs requested. The emulator's own request log is not an output (it holds passwords by design). Secrets:
// the private keys (every 12-byte window of d, p, q, dp, dq, qi as base64, base64url, hex and a decimal byte
// list, in each base64 alignment; the PEM body lines and JWK member strings), the passwords set, the reset URLs
// and their recovery tokens, the temporary passwords and the access tokens. A value is exempt only from the check
// against the secret it exists to return (resetPassword's URL, expirePassword's temporary password,
// accessToken()'s token, the cache's token).
//
// Part 2 reads wasm linear memory: a fresh instance of the wasm-bindgen glue (pkg/okta_connect.js, initSync with
// the wasm bytes), a key parsed with its SigningKey, its private bytes found in memory (proving the search), then
// free(), and none of them may be left anywhere in memory (heap or shadow stack), in any representation: big-endian
// (DER, JWK), little-endian (the bignum limbs the key is held in), the PKCS#8 DER, the pasted text.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { format, inspect } from 'node:util';
import * as api from 'okta-connect';
import { AccessTokens } from '../emulator/access-tokens.mjs';
import { addUser, startOrg, strongPassword } from '../js/support.mjs';

const { OktaClient, validateConfig, SigningKey, DpopKey, createClientAssertion } = api;
const FIXTURES = new URL('../fixtures/keys/', import.meta.url);
const fixture = (name) => readFileSync(new URL(name, FIXTURES), 'utf8');
const PKG = new URL('../../pkg/', import.meta.url);
const WASM_BYTES = readFileSync(new URL('okta_connect_bg.wasm', PKG));

// ---------------------------------------------------------------------------------------------------------------
// Secrets and the search

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];
const WINDOW = 12;
const STEP = 6;

/** The private components of a key, as big-endian bytes: { d, p, … } (from a PEM, JWK object or JWK text). */
function privateComponents(key) {
  const jwk = typeof key === 'object' ? key : createPrivateKey(key.trim().startsWith('{') ? { key: JSON.parse(key), format: 'jwk' } : key).export({ format: 'jwk' });
  return Object.fromEntries(PRIVATE_MEMBERS.filter((m) => jwk[m]).map((m) => [m, Buffer.from(jwk[m], 'base64url')]));
}

/**
 * Text needles for a key: every WINDOW-byte window of each private component, at offsets of each residue mod 3
 * (so the window's base64 is a substring of any base64 text holding the component, whatever its alignment), as
 * base64, base64url, hex (both cases) and a decimal byte list (Rust's `{:?}` of a byte slice).
 */
function keyNeedles(label, key) {
  const needles = [];
  for (const [member, bytes] of Object.entries(privateComponents(key))) {
    for (let phase = 0; phase < 3; phase += 1) {
      for (let at = phase; at + WINDOW <= bytes.length; at += STEP) {
        const window = bytes.subarray(at, at + WINDOW);
        const hex = window.toString('hex');
        for (const text of new Set([window.toString('base64'), window.toString('base64url'), hex, hex.toUpperCase(), [...window].join(', ')])) {
          needles.push({ label: `${label}: private member ${member} (bytes ${at}..${at + WINDOW})`, text });
        }
      }
    }
  }
  return needles;
}

class SecretBook {
  #needles = [];

  /** A secret string searched for whole (passwords, tokens, URLs). */
  add(label, value) {
    assert.equal(typeof value, 'string', `${label} is a string`);
    assert.ok(value.length >= 8, `${label} is long enough to search for meaningfully`);
    this.#needles.push({ label, text: value });
  }

  addKey(label, key) {
    const needles = keyNeedles(label, key);
    assert.ok(needles.length > 0, `${label} has private members`);
    this.#needles.push(...needles);
  }

  /** Labels of the secrets found in `text`, leaving out the needles equal to or inside an `exempt` value. */
  found(text, exempt = []) {
    const labels = new Set();
    for (const { label, text: needle } of this.#needles) {
      if (exempt.some((value) => value.includes(needle))) continue;
      if (text.includes(needle)) labels.add(label);
    }
    return [...labels];
  }

  get size() {
    return this.#needles.length;
  }
}

/** Every output, with where it came from: { where, text, exempt }. */
class Outputs {
  list = [];

  text(where, text, exempt = []) {
    this.list.push({ where, text: String(text), exempt });
  }

  /** A thrown value: every way it could be printed or logged. */
  error(where, error) {
    assert.ok(error !== undefined, `${where}: something was thrown`);
    const views = { String: () => String(error), message: () => error?.message, stack: () => error?.stack, JSON: () => JSON.stringify(error), inspect: () => inspect(error, { showHidden: true, depth: 8 }) };
    for (const [view, render] of Object.entries(views)) this.text(`${where} (error ${view})`, render() ?? '');
    for (const [name, value] of Object.entries(error ?? {})) this.text(`${where} (error.${name})`, typeof value === 'string' ? value : inspect(value, { depth: 8 }));
  }

  /** A returned value: serialised, inspected, stringified. `exempt` are the secrets it exists to return. */
  value(where, value, exempt = []) {
    this.text(`${where} (JSON)`, JSON.stringify(value) ?? 'undefined', exempt);
    this.text(`${where} (inspect)`, inspect(value, { showHidden: true, depth: 8, getters: true }), exempt);
    this.text(`${where} (String)`, safeString(value), exempt);
  }
}

function safeString(value) {
  try {
    return String(value);
  } catch (error) {
    return `String() threw ${error?.name}`;
  }
}

/** Runs `promise`, which must reject; records the error and returns it. */
async function expectFailure(outputs, where, promise) {
  try {
    const value = await promise;
    outputs.value(`${where} (unexpectedly succeeded)`, value);
  } catch (error) {
    outputs.error(where, error);
    return error;
  }
  assert.fail(`${where}: expected a failure`);
}

/** Runs `promise` and records how it ended, success or failure. */
async function settleAndRecord(outputs, where, promise) {
  try {
    outputs.value(`${where} (returned)`, await promise);
  } catch (error) {
    outputs.error(where, error);
  }
}

function expectThrow(outputs, where, run) {
  try {
    const value = run();
    outputs.value(`${where} (returned)`, value);
    return undefined;
  } catch (error) {
    outputs.error(where, error);
    return error;
  }
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'dirxml', 'table', 'assert', 'group', 'groupCollapsed', 'timeLog', 'count'];

/** Patches every console method to record instead of print; returns the restore function. */
function captureConsole(outputs) {
  const originals = Object.fromEntries(CONSOLE_METHODS.map((name) => [name, console[name]]));
  for (const name of CONSOLE_METHODS) {
    console[name] = (...args) => outputs.text(`console.${name}`, name === 'dir' ? inspect(args[0], { depth: 8, showHidden: true }) : format(...args.map((a) => (typeof a === 'object' && a !== null ? inspect(a, { depth: 8, showHidden: true }) : a))));
  }
  const onWarning = (warning) => outputs.text('process warning', `${warning.stack}`);
  process.on('warning', onWarning);
  return () => {
    Object.assign(console, originals);
    process.off('warning', onWarning);
  };
}

/** Asserts that no output holds a secret; the message names the outputs and the secrets, never the values. */
function assertClean(outputs, secrets, what) {
  const leaks = [];
  for (const { where, text, exempt } of outputs.list) {
    const found = secrets.found(text, exempt);
    if (found.length) leaks.push(`${where}: ${found.slice(0, 5).join('; ')}${found.length > 5 ? ` and ${found.length - 5} more` : ''}`);
  }
  assert.deepEqual(leaks, [], `${what}: secrets found in ${leaks.length} outputs`);
}

test('the secret search finds fragments of a key in every encoding, and whole secrets', () => {
  const secrets = new SecretBook();
  const jwk = JSON.parse(fixture('rsa2048.okta.jwk.json'));
  secrets.addKey('rsa2048 fixture', jwk);
  secrets.add('a password', 'Qx7-correct-horse-Zp');
  const p = Buffer.from(jwk.p, 'base64url');
  const d = Buffer.from(jwk.d, 'base64url');
  for (const text of [
    `... ${jwk.d.slice(40, 80)} ...`,
    `PEM-ish ${d.subarray(31, 61).toString('base64')}`,
    `hex ${p.subarray(5, 40).toString('hex').toUpperCase()}`,
    `debug [${[...p.subarray(20, 50)].join(', ')}]`,
    fixture('rsa2048.pkcs8.pem'),
    fixture('rsa2048.pkcs1.pem').replace(/\n/g, ''),
    'password: Qx7-correct-horse-Zp',
  ]) {
    assert.ok(secrets.found(text).length > 0, `found in ${text.slice(0, 40)}`);
  }
  assert.deepEqual(secrets.found(`public: ${jwk.n} ${jwk.e} ${JSON.stringify(validateConfig({ orgUrl: 'https://acme.okta.com', clientId: '0oa1bcdefghijklmnop2', privateKey: JSON.stringify(jwk) }))}`), []);
  // The console capture records what would have been printed.
  const captured = new Outputs();
  const restore = captureConsole(captured);
  try {
    console.error('password: %s', 'Qx7-correct-horse-Zp');
    console.dir({ nested: { d: jwk.d } });
  } finally {
    restore();
  }
  assert.equal(captured.list.length, 2);
  assert.ok(captured.list.every(({ text }) => secrets.found(text).length > 0), 'both console lines are caught');
});

// ---------------------------------------------------------------------------------------------------------------
// Part 1: OktaClient and the API against the emulator

describe('no secret in any error, log line, serialised value, inspect output, stack or URL', () => {
  const outputs = new Outputs();
  const secrets = new SecretBook();
  const requestedUrls = [];
  const cacheValues = new Map();
  let org;
  let restoreConsole;

  const tokenCache = {
    get: async (key) => cacheValues.get(key),
    put: async (key, value) => {
      cacheValues.set(key, value);
    },
  };
  const recordingFetch = (url, init) => {
    requestedUrls.push(`${init?.method ?? 'GET'} ${url}`);
    return fetch(url, init);
  };

  before(async () => {
    restoreConsole = captureConsole(outputs);
    org = await startOrg();
    secrets.addKey('the demo org key', org.demo.privateJwk);
    for (const name of ['rsa2048.pkcs8.pem', 'p256.pkcs8.pem']) secrets.addKey(`fixture ${name}`, fixture(name));
    for (const user of org.demo.users) if (user.password) secrets.add(`${user.profile.login}'s initial password`, user.password);
  });
  after(async () => {
    restoreConsole?.();
    await org?.close();
  });

  /** A fresh ACTIVE user whose initial password is a secret too. */
  const freshUser = (fields = {}) => {
    const user = addUser(org.emu, fields);
    if (user.password) secrets.add(`${user.profile.login}'s initial password`, user.password);
    return user;
  };
  const newPassword = (label) => {
    const password = strongPassword();
    secrets.add(label, password);
    return password;
  };

  for (const signing of ['webcrypto', 'wasm']) {
    describe(`${signing} signing`, () => {
      let client;
      const connect = (overrides = {}, options = {}) => org.connect(signing, overrides, { fetch: recordingFetch, ...options });

      before(async () => {
        client = await connect();
      });

      test('connect (PEM and JWK), the connection facts, the client object and verify()', async () => {
        outputs.value(`${signing}: client`, client);
        outputs.value(`${signing}: client.connection`, client.connection);
        const jwkClient = await connect({ privateKey: JSON.stringify(org.demo.privateJwk, null, 2), keyId: undefined });
        outputs.value(`${signing}: JWK client.connection`, jwkClient.connection);
        const progress = [];
        const result = await client.verify({ onProgress: (check) => progress.push(structuredClone(check)) });
        assert.equal(result.ok, true, JSON.stringify(result.checks));
        outputs.value(`${signing}: verify()`, result);
        outputs.value(`${signing}: verify() progress`, progress);
        const token = await client.accessToken();
        secrets.add(`${signing}: access token`, token);
        secrets.add(`${signing}: access token signature`, token.split('.').at(-1));
        outputs.value(`${signing}: accessToken()`, token, [token]);
        outputs.value(`${signing}: client.connection after a token`, client.connection);
        outputs.value(`${signing}: createClientAssertion()`, await client.createClientAssertion());
        outputs.value(`${signing}: createDpopProof()`, await client.createDpopProof({ htm: 'GET', htu: `${org.emu.orgUrl}/api/v1/users` }));
        jwkClient.close();
        outputs.value(`${signing}: a closed client`, jwkClient);
      });

      test('user look-ups, password changes, reset links, temporary passwords, session revocation', async () => {
        const user = freshUser();
        outputs.value(`${signing}: getUser(id)`, await client.getUser(user.id));
        outputs.value(`${signing}: getUser(login)`, await client.getUser(user.profile.login));
        const password = newPassword(`${signing}: set password`);
        outputs.value(`${signing}: setPassword()`, await client.setPassword(user.id, password));
        outputs.value(`${signing}: setPassword(revokeSessions)`, await client.setPassword(user.profile.login, newPassword(`${signing}: set password 2`), { revokeSessions: true }));

        const reset = await client.resetPassword(user.id, { sendEmail: false });
        assert.ok(reset.resetPasswordUrl, 'a reset URL');
        secrets.add(`${signing}: reset URL`, reset.resetPasswordUrl);
        secrets.add(`${signing}: reset URL recovery token`, user.recoveryToken);
        outputs.value(`${signing}: resetPassword(sendEmail: false)`, reset, [reset.resetPasswordUrl]);
        outputs.value(`${signing}: resetPassword(sendEmail: true)`, await client.resetPassword(user.id, { sendEmail: true, revokeSessions: true }));

        const expired = await client.expirePassword(user.id, { tempPassword: true });
        assert.ok(expired.tempPassword, 'a temporary password');
        secrets.add(`${signing}: temporary password`, expired.tempPassword);
        outputs.value(`${signing}: expirePassword(tempPassword)`, expired, [expired.tempPassword]);
        outputs.value(`${signing}: expirePassword()`, await client.expirePassword(user.id, { revokeSessions: true }));
        outputs.value(`${signing}: revokeSessions()`, await client.revokeSessions(user.id));
        outputs.value(`${signing}: getUser after all that`, await client.getUser(user.id));
      });

      test('Okta refusals: password policy, history, user status, admin targets, unknown users', async () => {
        const user = freshUser({ prefix: 'policy' });
        const reused = newPassword(`${signing}: reused password`);
        await client.setPassword(user.id, reused);
        await expectFailure(outputs, `${signing}: setPassword(a recently used password)`, client.setPassword(user.id, reused));
        const withLogin = `Xx9-${user.profile.login.split('@')[0]}-Qq`;
        secrets.add(`${signing}: password holding the login`, withLogin);
        await expectFailure(outputs, `${signing}: setPassword(password holding the login)`, client.setPassword(user.id, withLogin));
        const short = 'aB3-xYz';
        await expectFailure(outputs, `${signing}: setPassword(too short)`, client.setPassword(user.id, `${short}`));
        for (const status of ['SUSPENDED', 'DEPROVISIONED', 'STAGED']) {
          const other = freshUser({ status });
          await settleAndRecord(outputs, `${signing}: setPassword on ${status}`, client.setPassword(other.id, newPassword(`${signing}: password for ${status}`)));
          await expectFailure(outputs, `${signing}: resetPassword on ${status}`, client.resetPassword(other.id, { sendEmail: false }));
          await expectFailure(outputs, `${signing}: expirePassword(temp) on ${status}`, client.expirePassword(other.id, { tempPassword: true }));
        }
        const admin = freshUser({ isAdmin: true });
        await expectFailure(outputs, `${signing}: setPassword on an admin`, client.setPassword(admin.id, newPassword(`${signing}: password for an admin`)));
        await expectFailure(outputs, `${signing}: setPassword on an unknown login`, client.setPassword('nobody-here@example.com', newPassword(`${signing}: password for nobody`)));
        await expectFailure(outputs, `${signing}: getUser(bad user argument)`, client.getUser('a\nb'));
        await expectFailure(outputs, `${signing}: setPassword(empty password)`, client.setPassword(user.id, ''));
        await expectFailure(outputs, `${signing}: setPassword(password with NUL)`, client.setPassword(user.id, `${newPassword(`${signing}: NUL password`)}\u0000`));
      });

      test('faults around password changes: 500, dropped, malformed, huge, timeout, abort', async () => {
        const user = freshUser({ prefix: 'faults' });
        const path = new RegExp(`^/api/v1/users/${user.id}$`);
        for (const fault of [
          { kind: 'status', status: 500 },
          { kind: 'status', status: 503, when: 'after' },
          { kind: 'drop' },
          { kind: 'drop', when: 'after' },
          { kind: 'malformed', when: 'after' },
          { kind: 'huge', when: 'after' },
        ]) {
          org.emu.addFault({ method: 'POST', path, times: 1, ...fault });
          const label = `${signing}: setPassword under fault ${fault.kind}${fault.status ? ` ${fault.status}` : ''} ${fault.when ?? 'before'}`;
          await expectFailure(outputs, label, client.setPassword(user.id, newPassword(`password under ${label}`)));
        }
        org.emu.addFault({ method: 'POST', path: `/api/v1/users/${user.id}/lifecycle/reset_password`, kind: 'malformed', when: 'after' });
        await expectFailure(outputs, `${signing}: resetPassword(sendEmail: false) answered malformed`, client.resetPassword(user.id, { sendEmail: false }));
        secrets.add(`${signing}: recovery token never delivered`, user.recoveryToken);
        org.emu.addFault({ method: 'POST', path: `/api/v1/users/${user.id}/lifecycle/expire_password_with_temp_password`, kind: 'drop', when: 'after' });
        await expectFailure(outputs, `${signing}: expirePassword(temp) dropped after applying`, client.expirePassword(user.id, { tempPassword: true }));
        secrets.add(`${signing}: temporary password never delivered`, user.password);
        org.emu.addFault({ method: 'DELETE', path: `/api/v1/users/${user.id}/sessions`, kind: 'status', status: 500, times: 5 });
        await expectFailure(outputs, `${signing}: setPassword(revokeSessions) whose revocation fails`, client.setPassword(user.id, newPassword(`${signing}: password before a failed revocation`), { revokeSessions: true }));
        org.emu.faults.length = 0;

        const slow = await connect({}, { timeoutMs: 200 });
        org.emu.addFault({ method: 'POST', path, kind: 'delay', delayMs: 1500 });
        await expectFailure(outputs, `${signing}: setPassword timing out`, slow.setPassword(user.id, newPassword(`${signing}: password timing out`)));
        await new Promise((resolve) => setTimeout(resolve, 1500));

        const controller = new AbortController();
        const abortable = await connect({}, { signal: controller.signal });
        org.emu.addFault({ method: 'POST', path, kind: 'delay', delayMs: 1000 });
        const pending = abortable.setPassword(user.id, newPassword(`${signing}: password aborted`));
        setTimeout(() => controller.abort(), 300);
        await expectFailure(outputs, `${signing}: setPassword aborted`, pending);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        org.emu.faults.length = 0;
      });

      test('token trouble: revoked tokens, a failing token endpoint, scopes withdrawn, rate limits', async () => {
        const user = freshUser({ prefix: 'tokens' });
        const old = await client.accessToken();
        org.emu.tokens = await AccessTokens.create();
        org.emu.addFault({ method: 'POST', path: '/oauth2/v1/token', kind: 'status', status: 500, times: 10 });
        await expectFailure(outputs, `${signing}: a revoked token and a failing token endpoint`, client.setPassword(user.id, newPassword(`${signing}: password with a revoked token`)));
        org.emu.faults.length = 0;
        outputs.value(`${signing}: getUser with a new token`, await client.getUser(user.id));
        const token = await client.accessToken();
        assert.notEqual(token, old);
        secrets.add(`${signing}: second access token`, token);

        const app = org.emu.apps.get(org.demo.clientId);
        app.scopes = [];
        await expectFailure(outputs, `${signing}: scope withdrawn`, client.setPassword(user.id, newPassword(`${signing}: password without scope`)));
        app.scopes = ['okta.users.manage'];
        app.roles = ['READ_ONLY_ADMIN'];
        await expectFailure(outputs, `${signing}: read-only role`, client.setPassword(user.id, newPassword(`${signing}: password with a read-only role`)));
        const weak = await client.verify();
        outputs.value(`${signing}: verify() with a read-only role`, weak);
        app.roles = ['ORG_ADMIN'];

        const limited = await connect({}, { maxRateLimitWaitMs: 1000 });
        const saved = org.emu.rateLimits;
        org.emu.rateLimits = { ...saved, users: { limit: 0, windowSeconds: 60 } };
        await expectFailure(outputs, `${signing}: rate limited`, limited.setPassword(user.id, newPassword(`${signing}: password rate limited`)));
        org.emu.rateLimits = saved;
        org.emu.reset();
      });

      test('the wrong key, the wrong client, the wrong kid', async () => {
        const wrongKey = await connect({ privateKey: fixture('rsa2048.pkcs8.pem'), keyId: org.demo.kid });
        await expectFailure(outputs, `${signing}: getUser signed with an unregistered key`, wrongKey.getUser('alice@example.com'));
        outputs.value(`${signing}: verify() with an unregistered key`, await wrongKey.verify());
        const wrongKid = await connect({ keyId: 'not-the-kid' });
        await expectFailure(outputs, `${signing}: wrong kid`, wrongKid.getUser('alice@example.com'));
        const unknownClient = await connect({ clientId: '0oa0000000000unknown' });
        await expectFailure(outputs, `${signing}: unknown client`, unknownClient.setPassword('alice@example.com', newPassword(`${signing}: password with an unknown client`)));
      });

      test('a token cache holds the token, never a key or a password', async () => {
        const user = freshUser({ prefix: 'cache' });
        const first = await connect({}, { tokenCache });
        const second = await connect({ privateKey: JSON.stringify(org.demo.privateJwk) , keyId: undefined }, { tokenCache });
        outputs.value(`${signing}: setPassword through a cached token`, await first.setPassword(user.id, newPassword(`${signing}: password with a cache`)));
        outputs.value(`${signing}: getUser through the shared token`, await second.getUser(user.id));
        const tokens = [await first.accessToken(), await second.accessToken()];
        for (const token of tokens) secrets.add(`${signing}: cached access token`, token);
        assert.ok(cacheValues.size >= 1, 'something was cached');
        for (const [key, value] of cacheValues) outputs.text(`${signing}: token cache entry ${key}`, `${key} ${value}`, tokens);
      });

      test('closed clients, and misuse after close()', async () => {
        const closing = await connect();
        await closing.getUser('alice@example.com');
        closing.close();
        closing.close();
        await expectFailure(outputs, `${signing}: getUser after close()`, closing.getUser('alice@example.com'));
        await expectFailure(outputs, `${signing}: setPassword after close()`, closing.setPassword('alice@example.com', newPassword(`${signing}: password after close`)));
        outputs.value(`${signing}: a closed client`, closing);
      });
    });
  }

  test('connect and validateConfig with pasted keys that are wrong in every way', async () => {
    const pem = org.demo.privateKeyPem;
    const jwk = org.demo.privateJwk;
    const lines = pem.trim().split('\n');
    const flip = (text) => `${text.slice(0, -3)}${text.at(-3) === 'A' ? 'B' : 'A'}${text.slice(-2)}`;
    const mangled = {
      'PEM cut in the middle': pem.slice(0, Math.floor(pem.length / 2)),
      'PEM without its END line': lines.slice(0, -1).join('\n'),
      'PEM with a line dropped': [...lines.slice(0, 5), ...lines.slice(6)].join('\n'),
      'PEM with a character changed': pem.replace(lines[8], flip(lines[8])),
      'PEM body without armour, cut': lines.slice(1, -5).join(''),
      'PEM under an RSA PUBLIC KEY label': pem.replace(/PRIVATE KEY/g, 'PUBLIC KEY'),
      'PEM under a CERTIFICATE label': pem.replace(/PRIVATE KEY/g, 'CERTIFICATE'),
      'PEM as an ENCRYPTED PRIVATE KEY': pem.replace(/PRIVATE KEY/g, 'ENCRYPTED PRIVATE KEY'),
      'PEM with legacy encryption headers': pem.replace('\n', '\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n'),
      'PEM inside JSON quotes with \\n escapes, cut': JSON.stringify(pem).slice(0, 900),
      'JWK with d altered': JSON.stringify({ ...jwk, d: flip(jwk.d) }),
      'JWK with p altered': JSON.stringify({ ...jwk, p: flip(jwk.p) }),
      'JWK with q missing': JSON.stringify({ ...jwk, q: undefined }),
      'JWK with d not base64url': JSON.stringify({ ...jwk, d: `${jwk.d.slice(0, 50)}!!${jwk.d.slice(52)}` }),
      'JWK with d as a number': JSON.stringify({ ...jwk, d: 12345 }),
      'JWK cut in the middle': JSON.stringify(jwk).slice(0, 700),
      'JWK with a wrong alg': JSON.stringify({ ...jwk, alg: 'ES256' }),
      'JWK marked for encryption': JSON.stringify({ ...jwk, use: 'enc' }),
      'JWK with a kid mismatch (keyId given)': JSON.stringify(jwk),
      'JWK with an unknown kty': JSON.stringify({ ...jwk, kty: 'RSA-ish' }),
      'JWKS with the key twice': JSON.stringify({ keys: [jwk, { ...jwk, kid: 'other' }] }),
      'JWKS without the requested kid': JSON.stringify({ keys: [jwk] }),
      'the key pasted twice': `${pem}\n${pem}`.replace(/-----END PRIVATE KEY-----\n-----BEGIN/, '-----END PRIVATE KEY-----BEGIN'),
      'the key followed by garbage': `${pem}${'x'.repeat(70_000)}`,
    };
    const keyIds = { 'JWK with a kid mismatch (keyId given)': 'another-kid', 'JWKS without the requested kid': 'missing-kid' };
    for (const [label, privateKey] of Object.entries(mangled)) {
      const config = { ...org.config, privateKey, keyId: keyIds[label] };
      outputs.value(`validateConfig(${label})`, validateConfig(config, { allowInsecureLoopback: true }));
      try {
        const accepted = await OktaClient.connect(config, { allowInsecureLoopback: true });
        outputs.value(`OktaClient.connect(${label}) accepted it: connection`, accepted.connection);
        accepted.close();
      } catch (error) {
        outputs.error(`OktaClient.connect(${label})`, error);
        assert.equal(error.name, 'OktaConnectError', label);
      }
      expectThrow(outputs, `SigningKey.parse(${label})`, () => SigningKey.parse(privateKey, keyIds[label]));
    }
    outputs.value('validateConfig(the good key)', validateConfig(org.config, { allowInsecureLoopback: true }));
  });

  test('the lower-level API: keys, assertions, DPoP proofs, sessions, and their misuse', async () => {
    const token = await (await org.connect('wasm')).accessToken();
    secrets.add('lower-level: access token', token);
    for (const [label, text] of [['PEM', org.demo.privateKeyPem], ['JWK', JSON.stringify(org.demo.privateJwk)], ['EC fixture', fixture('p256.pkcs8.pem')]]) {
      const key = SigningKey.parse(text);
      outputs.value(`SigningKey.parse(${label})`, key);
      outputs.value(`SigningKey(${label}).publicJwk()`, key.publicJwk());
      outputs.value(`SigningKey(${label}) getters`, { algorithm: key.algorithm, bits: key.bits, keyId: key.keyId, keyType: key.keyType, thumbprint: key.thumbprint() });
      outputs.value(`createClientAssertion(${label})`, createClientAssertion(key, { clientId: org.demo.clientId, audience: org.emu.tokenUrl }));
      expectThrow(outputs, `createClientAssertion(${label}, lifetime 0)`, () => createClientAssertion(key, { clientId: org.demo.clientId, audience: org.emu.tokenUrl, lifetimeSeconds: 0 }));
      expectThrow(outputs, `createClientAssertion(${label}, bad audience)`, () => createClientAssertion(key, { clientId: org.demo.clientId, audience: 'not a url' }));
      const derived = DpopKey.derive(key, org.emu.orgUrl, org.demo.clientId);
      outputs.value(`DpopKey.derive(${label})`, derived);
      outputs.value(`DpopKey.derive(${label}).publicJwk()`, derived.publicJwk());
      derived.free();
      key.free();
      expectThrow(outputs, `a freed SigningKey(${label}).sign()`, () => key.sign(new Uint8Array(4)));
      outputs.value(`a freed SigningKey(${label})`, key);
    }
    const dpop = new DpopKey();
    outputs.value('new DpopKey()', dpop);
    outputs.value('DpopKey.createProof(with the token)', dpop.createProof({ htm: 'GET', htu: `${org.emu.orgUrl}/api/v1/users`, accessToken: token }));
    const spaced = `${token.slice(0, 30)} ${token.slice(30)}`;
    for (const [label, options] of [
      ['a bad htu', { htm: 'GET', htu: 'not a url', accessToken: token }],
      ['a bad htm', { htm: 'G E T', htu: `${org.emu.orgUrl}/api/v1/users`, accessToken: token }],
      ['an access token with a space', { htm: 'GET', htu: `${org.emu.orgUrl}/api/v1/users`, accessToken: spaced }],
      ['an access token with a newline', { htm: 'GET', htu: `${org.emu.orgUrl}/api/v1/users`, accessToken: `${token}\n` }],
      ['a 20 KiB access token', { htm: 'GET', htu: `${org.emu.orgUrl}/api/v1/users`, accessToken: token.repeat(30) }],
      ['a nonce with the token in it', { htm: 'GET', htu: `${org.emu.orgUrl}/api/v1/users`, nonce: ` ${token}` }],
      ['a bad now', { htm: 'GET', htu: `${org.emu.orgUrl}/api/v1/users`, accessToken: token, now: -1 }],
    ]) {
      expectThrow(outputs, `DpopKey.createProof(${label})`, () => dpop.createProof(options));
    }
    dpop.free();

    const key = SigningKey.parse(org.demo.privateKeyPem);
    const session = new api.Session(org.emu.orgUrl, org.demo.clientId, key, new DpopKey().publicJwk(), { allowInsecureLoopback: true });
    outputs.value('new Session()', session);
    outputs.value('Session facts', { orgUrl: session.orgUrl, tokenCacheKey: session.tokenCacheKey, dpopThumbprint: session.dpopThumbprint });
    outputs.value('Session.draftClientAssertion()', session.draftClientAssertion(Date.now()));
    expectThrow(outputs, 'Session.draftDpopProof(a token with a space)', () => session.draftDpopProof({ htm: 'GET', htu: `${org.emu.orgUrl}/x`, accessToken: spaced }, Date.now()));
    const password = newPassword('lower-level: password in an operation');
    const operation = session.begin({ type: 'setPassword', user: '00u1abcdefghijklmnop', password });
    outputs.value('Operation', operation);
    const step = operation.next(Date.now());
    outputs.value('Operation step (needToken)', step);
    expectThrow(outputs, 'Operation.provideSignatures out of order', () => operation.provideSignatures([new Uint8Array(64)]));
    expectThrow(outputs, 'Operation.handleResponse out of order', () => operation.handleResponse(200, [], '{}', Date.now()));
    expectThrow(outputs, 'Session.begin(a bad spec holding a password)', () => session.begin({ type: 'setPassword', user: 'a\nb', password }));
    expectThrow(outputs, 'Session.begin(an unknown type, with a password)', () => session.begin({ type: 'setPasswordNow', user: 'x', password }));
    expectThrow(outputs, 'Session.begin(a password of the wrong type)', () => session.begin({ type: 'setPassword', user: 'x', password: { value: password } }));
    expectThrow(outputs, 'Session.importToken(garbage)', () => session.importToken(`{"accessToken":"${token}"`, Date.now()));
    operation.free();
    session.free();
    key.free();
  });

  test('no output holds a secret', (t) => {
    restoreConsole();
    restoreConsole = undefined;
    const consoleLines = outputs.list.filter((o) => o.where.startsWith('console.')).length;
    t.diagnostic(`${outputs.list.length} outputs (${consoleLines} console lines) searched for ${secrets.size} secret strings and key fragments; ${requestedUrls.length} URLs; ${cacheValues.size} cache entries`);
    assert.ok(outputs.list.length > 500, 'many outputs were collected');
    for (const url of requestedUrls) outputs.text('a requested URL', url);
    assertClean(outputs, secrets, 'errors, logs, values, stacks, URLs and cache entries');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Part 2: key bytes in wasm memory are zeroized by free()

/** The initial value of the wasm's stack pointer (its first mutable i32 global): below it is the shadow stack. */
function stackTop(bytes) {
  const leb = (at) => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return [value, at];
  };
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size;
    [size, at] = leb(at);
    if (id === 6) {
      let [count, p] = leb(at);
      for (; count > 0; count -= 1) {
        const [type, mutable, op] = [bytes[p], bytes[p + 1], bytes[p + 2]];
        p += 3;
        if (type === 0x7f && mutable === 1 && op === 0x41) return leb(p)[0];
        return undefined;
      }
    }
    at += size;
  }
  return undefined;
}

const STACK_TOP = stackTop(WASM_BYTES);
let instances = 0;

/** A fresh, separate instance of the glue and the wasm: { glue, memory }. */
async function freshInstance() {
  instances += 1;
  const glue = await import(`${new URL('okta_connect.js', PKG).href}?instance=${instances}`);
  const exports = glue.initSync({ module: WASM_BYTES });
  return { glue, memory: exports.memory };
}

function findAll(memory, needle) {
  const haystack = Buffer.from(memory.buffer);
  const found = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

const where = (address) => `0x${address.toString(16)} (${STACK_TOP === undefined ? 'unknown region' : address < STACK_TOP ? 'shadow stack' : 'heap'})`;

/**
 * Byte needles for a key and the text it was pasted as: each private component big-endian (as in DER and JWK) and
 * little-endian (the 32-bit-limb bignums the key is held in on wasm32), the PKCS#8 DER, and the pasted text's
 * private parts (PEM body lines that hold private bytes, JWK private member strings).
 */
function memoryNeedles(pem, pasted) {
  const key = createPrivateKey(pem);
  const components = privateComponents(pem);
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const needles = [];
  for (const [member, bytes] of Object.entries(components)) {
    needles.push({ label: `${member} big-endian`, bytes, live: false });
    needles.push({ label: `${member} little-endian`, bytes: Buffer.from(bytes).reverse(), live: member === 'd' });
  }
  if (components.qi) {
    // The rsa crate keeps q⁻¹ mod p in Montgomery form: qi · 2^(32·limbs) mod p, limbs little-endian.
    const big = (bytes) => BigInt(`0x${bytes.toString('hex')}`);
    const p = big(components.p);
    const limbBits = BigInt(Math.ceil(p.toString(2).length / 32) * 32);
    const monty = ((big(components.qi) << limbBits) % p).toString(16).padStart(components.p.length * 2, '0');
    needles.push({ label: 'qi in Montgomery form, little-endian', bytes: Buffer.from(monty, 'hex').reverse() });
  }
  needles.push({ label: 'the PKCS#8 DER', bytes: der });
  if (key.asymmetricKeyType === 'rsa') needles.push({ label: 'the PKCS#1 DER', bytes: key.export({ format: 'der', type: 'pkcs1' }) });
  if (key.asymmetricKeyType === 'ec') needles.push({ label: 'the SEC1 DER', bytes: key.export({ format: 'der', type: 'sec1' }) });
  if (pasted.includes('-----BEGIN')) {
    const body = pasted.split('\n').filter((line) => line && !line.startsWith('-----'));
    const raw = Buffer.from(body.join(''), 'base64');
    const ranges = Object.values(components).map((bytes) => [raw.indexOf(bytes), bytes.length]).filter(([at]) => at >= 0);
    body.forEach((line, index) => {
      const [start, end] = [index * 48, index * 48 + 48];
      if (ranges.some(([at, length]) => at < end && at + length > start)) needles.push({ label: `pasted PEM body line ${index + 1}`, bytes: Buffer.from(line) });
    });
  } else if (pasted.trim().startsWith('{')) {
    const jwk = JSON.parse(pasted);
    for (const member of PRIVATE_MEMBERS) if (jwk[member]) needles.push({ label: `pasted JWK member "${member}"`, bytes: Buffer.from(jwk[member]) });
  } else {
    const compact = pasted.replace(/\s/g, '');
    for (let at = 0; at + 64 <= compact.length; at += 64) needles.push({ label: `pasted base64 DER characters ${at}..${at + 64}`, bytes: Buffer.from(compact.slice(at, at + 64)) });
  }
  return needles;
}

/** "label at address (region), …" for every needle still in memory. */
function leftovers(memory, needles) {
  return needles.flatMap(({ label, bytes }) => {
    const found = findAll(memory, bytes);
    return found.length ? [`${label} at ${found.map(where).join(', ')}`] : [];
  });
}

const KEY_FORMS = [
  ['rsa2048.pkcs8.pem', 'rsa2048.pkcs8.pem'],
  ['rsa2048.pkcs1.pem', 'rsa2048.pkcs8.pem'],
  ['rsa2048.okta.jwk.json', 'rsa2048.pkcs8.pem'],
  ['rsa2048.pkcs8.der.b64', 'rsa2048.pkcs8.pem'],
  ['p256.pkcs8.pem', 'p256.pkcs8.pem'],
  ['p256.sec1.pem', 'p256.pkcs8.pem'],
  ['p256.jwk.json', 'p256.pkcs8.pem'],
];

describe('key bytes in wasm memory are zeroized after free()', () => {
  test('the wasm stack pointer is read from the module, to tell stack residue from heap', (t) => {
    t.diagnostic(`shadow stack below 0x${STACK_TOP?.toString(16)}`);
    assert.equal(typeof STACK_TOP, 'number');
  });

  for (const [name, pemName] of KEY_FORMS) {
    test(`SigningKey.parse(${name}) then free(): no private byte is left in wasm memory`, async (t) => {
      const { glue, memory } = await freshInstance();
      const text = fixture(name);
      const needles = memoryNeedles(fixture(pemName), text);
      const key = glue.SigningKey.parse(text);
      assert.equal(key.thumbprint(), SigningKey.parse(text).thumbprint(), 'the fresh instance parsed the same key');
      const live = needles.filter((n) => n.live).map(({ label, bytes }) => [label, findAll(memory, bytes)]);
      t.diagnostic(`while the key is alive: ${live.map(([label, found]) => `${label} at ${found.map(where).join(', ') || 'nowhere'}`).join('; ')}`);
      assert.ok(live.every(([, found]) => found.length > 0), 'the search finds the live key (d, little-endian) before free()');
      key.free();
      assert.deepEqual(leftovers(memory, needles), [], `after SigningKey.parse(${name}) and free(), these remain in wasm memory`);
    });
  }

  test('sign() then free(): nothing left either (RSA and EC)', async () => {
    const problems = [];
    for (const name of ['rsa2048.pkcs8.pem', 'p256.pkcs8.pem']) {
      const { glue, memory } = await freshInstance();
      const needles = memoryNeedles(fixture(name), fixture(name));
      const key = glue.SigningKey.parse(fixture(name));
      key.sign(new TextEncoder().encode('data to sign'));
      key.free();
      const left = leftovers(memory, needles);
      if (left.length) problems.push(`${name}: ${left.join('; ')}`);
    }
    assert.deepEqual(problems, [], 'after SigningKey.parse(), sign() and free(), these remain in wasm memory');
  });

  test('validateConfig() leaves no private byte in wasm memory', async () => {
    const problems = [];
    for (const [name, pemName] of KEY_FORMS) {
      const { glue, memory } = await freshInstance();
      const report = glue.validateConfig({ orgUrl: 'https://acme.okta.com', clientId: '0oa1bcdefghijklmnop2', privateKey: fixture(name) });
      assert.equal(report.ok, true, name);
      const left = leftovers(memory, memoryNeedles(fixture(pemName), fixture(name)));
      if (left.length) problems.push(`${name}: ${left.join('; ')}`);
    }
    assert.deepEqual(problems, [], 'after validateConfig(), these remain in wasm memory');
  });

  test('DpopKey.derive() then free(): the client key and the derived key leave nothing', async () => {
    const { glue, memory } = await freshInstance();
    const text = fixture('p256.pkcs8.pem');
    const needles = memoryNeedles(text, text);
    const key = glue.SigningKey.parse(text);
    const derived = glue.DpopKey.derive(key, 'https://acme.okta.com', '0oa1bcdefghijklmnop2');
    derived.createProof({ htm: 'GET', htu: 'https://acme.okta.com/api/v1/users' });
    derived.free();
    key.free();
    assert.deepEqual(leftovers(memory, needles), [], 'after DpopKey.derive(), createProof() and both free(), these remain in wasm memory');
  });

  for (const signing of ['wasm', 'webcrypto']) {
    test(`OktaClient (${signing} signing): connect, verify, close(): the org key leaves nothing in the package's wasm memory`, async (t) => {
      const org = await startOrg();
      try {
        // The package's own instance: importing the glue by the path the package entry resolves to gives the same
        // module, and initSync returns the exports it was initialised with.
        const glue = await import(new URL('okta_connect.js', PKG).href);
        const { memory } = glue.initSync({ module: WASM_BYTES });
        const needles = memoryNeedles(org.demo.privateKeyPem, org.demo.privateKeyPem);
        const client = await org.connect(signing);
        if (signing === 'wasm') {
          const found = findAll(memory, needles.find((n) => n.live).bytes);
          t.diagnostic(`while the client is open: d little-endian at ${found.map(where).join(', ') || 'nowhere'}`);
          assert.ok(found.length > 0, 'the search finds the client key in the package instance (same instance)');
        }
        assert.equal((await client.verify()).ok, true);
        await client.setPassword('alice@example.com', strongPassword());
        client.close();
        assert.deepEqual(leftovers(memory, needles), [], `after OktaClient.connect(signing: ${signing}), verify(), setPassword() and close(), these remain in wasm memory`);
      } finally {
        await org.close();
      }
    });
  }
});
