// Round trips and token requests, counted at the local Okta emulator (emu.requests): no timing involved.
// Prints JSON on stdout. Run by bench/run.mjs in a fresh process (it moves this process's clock forward).
import { OktaClient } from 'okta-connect';
import { startEmulator } from '../../tests/emulator/okta-emulator.mjs';
import { seedDemo } from '../../tests/emulator/seed.mjs';

const TOKEN_PATH = '/oauth2/v1/token';
const CONCURRENT = 1000;

const emu = await startEmulator();
const demo = await seedDemo(emu);
// 1,000 calls at once would meet the emulator's default 600 requests/minute: rate limits are not measured here.
emu.rateLimits.users.limit = 1_000_000;
emu.rateLimits.token.limit = 1_000_000;
const config = { orgUrl: emu.orgUrl, clientId: demo.clientId, privateKey: demo.privateKeyPem, keyId: demo.kid };
const alice = emu.getUser('alice@example.com');
const connect = (signing = 'webcrypto') => OktaClient.connect(config, { allowInsecureLoopback: true, signing });

const query = (q) => (q && Object.keys(q).length ? `?${new URLSearchParams(q)}` : '');

/** Requests made by `fn`: total, token POSTs, /api/v1 calls, each as "METHOD path status". */
async function count(fn) {
  const mark = emu.requests.length;
  const value = await fn();
  const requests = emu.requests.slice(mark);
  return {
    total: requests.length,
    tokenPosts: requests.filter((r) => r.method === 'POST' && r.path === TOKEN_PATH).length,
    api: requests.filter((r) => r.path.startsWith('/api/v1/')).length,
    log: requests.map((r) => `${r.method} ${r.path}${query(r.query)} ${r.status}`),
    value,
  };
}

const results = { roundTrips: {}, concurrency: {} };
try {
  const client = await connect();
  const strip = ({ value, ...rest }) => rest;
  results.roundTrips.coldById = strip(await count(() => client.getUser(alice.id)));
  results.roundTrips.warmById = strip(await count(() => client.getUser(alice.id)));
  results.roundTrips.warmByLogin = strip(await count(() => client.getUser('alice@example.com')));
  results.roundTrips.warmSetPassword = strip(await count(() => client.setPassword(alice.id, `Bench-${Date.now()}-Xy9!`)));
  client.close();
  const byLogin = await connect();
  results.roundTrips.coldByLogin = strip(await count(() => byLogin.getUser('alice@example.com')));
  byLogin.close();

  // 1,000 concurrent getUser calls on a cold client: one token exchange (2 POSTs: the first learns the nonce).
  const cold = await connect();
  const burst = () => Promise.allSettled(Array.from({ length: CONCURRENT }, () => cold.getUser(alice.id)));
  const first = await count(burst);
  results.concurrency.coldClient = { calls: CONCURRENT, ...strip(first), log: undefined, fulfilled: first.value.filter((s) => s.status === 'fulfilled').length };
  // An hour later (the token has expired; the client still holds the nonce Okta gave it): one token POST.
  const realNow = Date.now;
  Date.now = () => realNow() + 3_660_000; // the emulator runs in this process: both clocks move together
  const second = await count(burst);
  Date.now = realNow;
  results.concurrency.expiredTokenCachedNonce = { calls: CONCURRENT, ...strip(second), log: undefined, fulfilled: second.value.filter((s) => s.status === 'fulfilled').length };
  cold.close();
  results.concurrency.oktaNodeSdkReference = { calls: 100, tokenPosts: 110, source: 'figure quoted in the issue, not measured here' };
} finally {
  await emu.close();
}
process.stdout.write(JSON.stringify(results));
