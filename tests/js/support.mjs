// Shared helpers of the OktaClient integration suites (tests/js/client*.test.mjs): an emulated org, clients on
// both signing paths, the emulator's request log decoded, and assertions on OktaConnectError.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { OktaClient } from 'okta-connect';
import { startEmulator } from '../emulator/okta-emulator.mjs';
import { seedDemo } from '../emulator/seed.mjs';
import { oktaId, randomBase62 } from '../emulator/ids.mjs';

export { OktaClient, oktaId, randomBase62 };

/** Both signing paths of OktaClient. */
export const SIGNINGS = ['webcrypto', 'wasm'];

export const TOKEN_PATH = '/oauth2/v1/token';

/** A password that satisfies the emulator's default policy for any seeded login. */
export function strongPassword() {
  const digits = Array.from({ length: 12 }, () => Math.floor(Math.random() * 10)).join('');
  return `Qx7-${digits}-Zp`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fresh emulator seeded with the demo org: `{ emu, demo, config, connect, close }`.
 * `connect(signing, { config overrides }, { options })` connects an OktaClient to it.
 */
export async function startOrg() {
  const emu = await startEmulator();
  const demo = await seedDemo(emu);
  const config = { orgUrl: emu.orgUrl, clientId: demo.clientId, privateKey: demo.privateKeyPem, keyId: demo.kid };
  const clients = [];
  const connect = async (signing, overrides = {}, options = {}) => {
    const client = await OktaClient.connect({ ...config, ...overrides }, { allowInsecureLoopback: true, signing, ...options });
    clients.push(client);
    return client;
  };
  const close = async () => {
    for (const client of clients) {
      try {
        client.close();
      } catch {
        // already closed by the test
      }
    }
    await emu.close();
  };
  return { emu, demo, config, connect, close };
}

let userCounter = 0;
/** Adds a user with a unique login (`prefix-N@example.com`) and an initial password unless STAGED/PROVISIONED. */
export function addUser(emu, { prefix = 'user', ...fields } = {}) {
  userCounter += 1;
  const status = fields.status ?? 'ACTIVE';
  const password = status === 'STAGED' || status === 'PROVISIONED' ? undefined : `Init-${randomBase62(12)}`;
  return emu.addUser({ login: `${prefix}${userCounter}x@example.com`, password, ...fields });
}

/** The requests the emulator logged since `mark` (an index into `emu.requests`). */
export function since(emu, mark) {
  return emu.requests.slice(mark);
}

export const tokenPosts = (requests) => requests.filter((r) => r.method === 'POST' && r.path === TOKEN_PATH);
export const apiRequests = (requests) => requests.filter((r) => r.path.startsWith('/api/v1/'));

/** The client assertion of a logged token request, decoded: `{ header, claims, raw }`. */
export function assertionOf(record) {
  const raw = new URLSearchParams(record.body).get('client_assertion');
  assert.ok(raw, 'the token request carries a client_assertion');
  return { raw, header: decodeProtectedHeader(raw), claims: decodeJwt(raw) };
}

/** The DPoP proof of a logged request, decoded: `{ header, claims, raw }`. */
export function proofOf(record) {
  const raw = record.headers.dpop;
  assert.ok(raw, `${record.method} ${record.path} carries a DPoP header`);
  return { raw, header: decodeProtectedHeader(raw), claims: decodeJwt(raw) };
}

/** Asserts that every value is distinct. */
export function assertAllDistinct(values, what) {
  assert.equal(new Set(values).size, values.length, `${what} must all differ: ${values.join(', ')}`);
}

/**
 * Awaits `promise`, which must reject with an OktaConnectError of `code`; returns the error.
 * `fields` are further expected properties (deep-equal).
 */
export async function rejectsWith(promise, code, fields = {}) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `expected an OktaConnectError ${code}, but the call succeeded`);
  assert.equal(error.name, 'OktaConnectError', `expected an OktaConnectError ${code}, got ${inspect(error)}`);
  assert.ok(error instanceof Error, 'an OktaConnectError is an Error');
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  assert.equal(typeof error.retryable, 'boolean');
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
  for (const [name, value] of Object.entries(fields)) assert.deepEqual(error[name], value, `error.${name}`);
  return error;
}

/** Asserts that none of `secrets` appears anywhere in `error` (message, stack, JSON, inspect, fields). */
export function assertNoSecrets(error, secrets) {
  const views = [String(error), error?.message ?? '', error?.stack ?? '', JSON.stringify(error) ?? '', inspect(error, { depth: 5, showHidden: true })];
  for (const secret of secrets.filter(Boolean)) {
    for (const view of views) assert.ok(!view.includes(secret), `a secret leaked into the error: ${error?.code}`);
  }
}

/** A deep copy of every emulator user record, keyed by id. */
export function snapshotUsers(emu) {
  return structuredClone(Object.fromEntries(emu.users));
}

/** A fetch that records `{ method, url, status, headers, at, sentAt }` of every response it passes through. */
export function recordingFetch(log = []) {
  const fetchAndRecord = async (url, init) => {
    const sentAt = Date.now();
    const response = await fetch(url, init);
    log.push({ method: init?.method ?? 'GET', url: String(url), status: response.status, headers: Object.fromEntries(response.headers), sentAt, at: Date.now() });
    return response;
  };
  fetchAndRecord.log = log;
  return fetchAndRecord;
}

/** The status table of tests/emulator/README.md: the status after the operation, or the Okta error code. */
export { STATUS_TABLE } from '../emulator/status-table.mjs';
