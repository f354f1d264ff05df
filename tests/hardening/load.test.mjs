// Load: 10,000 operations from 100 concurrent callers on one OktaClient against the local Okta emulator (in a
// worker thread, so it has a core of its own), with the emulator's rate limits on; then 1,000 more from 4 clients
// sharing a token cache. Checked against the emulator's state and request log:
//   - no operation lost or duplicated: every call resolves; per user, the successful requests are exactly the
//     caller's operations, in order (each once); the password history is exactly the passwords set, in order;
//     reset e-mails and password changes are counted once each;
//   - the client respects X-Rate-Limit-Reset: after a 429 carrying reset R, the same caller's next request is sent
//     (client clock) and arrives (emulator log) no earlier than R (epoch seconds);
//   - nothing but 429 is ever refused, and the client sees exactly the requests the emulator logged.
// Rate limits: each run starts under a small window (50 requests per 2 s), so the first burst of 100 callers is
// refused in part on any machine, however fast or slow; when that window ends the limit becomes 85% of what this
// machine sustained in a warm-up, over 10 s windows, so the load keeps running into it as it goes. Nothing is asserted
// about timing except the reset rule. The report gives throughput and retries.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { OktaClient } from 'okta-connect';

const CALLERS = 100;
const OPS_PER_CALLER = 100;
const WINDOW_SECONDS = 10;
const LOAD_SHARE = 0.85;
const FIRST_WINDOW = { limit: 50, windowSeconds: 2 };
const TOKEN_LIMIT = { limit: 100_000, windowSeconds: 60 };
const TOKEN_PATH = '/oauth2/v1/token';
const KINDS = ['getUser(id)', 'getUser(login)', 'setPassword', 'resetPassword', 'revokeSessions'];

// ---------------------------------------------------------------------------------------------------------------
// The emulator in a worker

let worker;
let nextCall = 0;
const pending = new Map();

function call(method, args = {}) {
  return new Promise((resolve, reject) => {
    const id = nextCall++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
}

let org;
let rateLimits;
let warmupRate;

before(async () => {
  worker = new Worker(new URL('./load-emulator-worker.mjs', import.meta.url));
  worker.on('message', ({ id, result, error }) => {
    const { resolve, reject } = pending.get(id);
    pending.delete(id);
    if (error) reject(new Error(`emulator worker: ${error}`));
    else resolve(result);
  });
  worker.on('error', (error) => {
    for (const { reject } of pending.values()) reject(error);
  });
  org = await call('start');
});

after(async () => {
  if (!worker) return;
  await call('close').catch(() => {});
  await worker.terminate();
});

// ---------------------------------------------------------------------------------------------------------------
// Callers, attribution and the checks

/** `count` users with logins `${prefix}N@load.test` and an initial password. */
async function addUsers(prefix, count) {
  const users = Array.from({ length: count }, (_, c) => ({ login: `${prefix}${c}@load.test`, firstName: `${prefix}${c}`, password: `Init-${prefix}-${c}-Aa1` }));
  return call('addUsers', { users });
}

/** The operation kind of a users request (method, path, query), or undefined for anything else. */
function kindOf(method, path, search) {
  if (method === 'GET' && path === '/api/v1/users' && search) return 'getUser(login)';
  const [, , tail = ''] = /^\/api\/v1\/users\/([^/]+)(\/.*)?$/.exec(path) ?? [];
  if (method === 'GET' && path.split('/').length === 5) return 'getUser(id)';
  if (method === 'POST' && path.split('/').length === 5) return 'setPassword';
  if (method === 'POST' && tail === '/lifecycle/reset_password') return 'resetPassword';
  if (method === 'DELETE' && tail === '/sessions') return 'revokeSessions';
  return undefined;
}

/** Which caller a request belongs to: its user's id in the path, or its login in the search. */
function attribution(users) {
  const byId = new Map(users.map((user, c) => [user.id, c]));
  const byLogin = new Map(users.map((user, c) => [user.login, c]));
  return (method, path, search) => {
    if (path === TOKEN_PATH) return { caller: -1, kind: 'token' };
    const login = search && /^profile\.login eq "(.*)"$/.exec(search)?.[1];
    const id = /^\/api\/v1\/users\/([^/]+)/.exec(path)?.[1];
    const caller = login !== undefined && login !== null ? byLogin.get(login) : byId.get(id);
    return { caller: caller ?? -2, kind: kindOf(method, path, search) ?? 'other' };
  };
}

/** A fetch that records, for every request, what was sent when and what came back; `on429` runs at the first 429. */
function recordingFetch(attribute, log, on429) {
  let seen429 = false;
  return async (url, init) => {
    const parsed = new URL(url);
    const method = init?.method ?? 'GET';
    const record = { ...attribute(method, parsed.pathname, parsed.searchParams.get('search')), method, path: parsed.pathname, sentAt: Date.now(), status: 0 };
    log.push(record);
    const response = await fetch(url, init);
    record.status = response.status;
    record.reset = response.headers.get('x-rate-limit-reset');
    record.receivedAt = Date.now();
    if (response.status === 429 && !seen429) {
      seen429 = true;
      on429?.(record.reset);
    }
    return response;
  };
}

const passwordFor = (prefix, c, k) => `Hx${c}-${k}-Qz9-${prefix.toUpperCase()}`;

/**
 * Runs every caller's operations concurrently (caller c on clients[c % clients.length], operation k of kind
 * KINDS[(c + k) % 5]); returns { seconds, completed, failures, plans, passwords }.
 */
async function runCallers({ clients, users, opsPerCaller, prefix }) {
  const plans = users.map((_, c) => Array.from({ length: opsPerCaller }, (__, k) => KINDS[(c + k) % KINDS.length]));
  const passwords = users.map(() => []);
  const failures = [];
  let completed = 0;
  const start = performance.now();
  await Promise.all(
    users.map(async (user, c) => {
      const client = clients[c % clients.length];
      for (const [k, kind] of plans[c].entries()) {
        try {
          if (kind === 'getUser(id)' || kind === 'getUser(login)') {
            const found = await client.getUser(kind === 'getUser(id)' ? user.id : user.login);
            assert.equal(found.id, user.id, 'the user found');
          } else if (kind === 'setPassword') {
            const password = passwordFor(prefix, c, k);
            const changed = await client.setPassword(user.id, password);
            passwords[c].push(password);
            assert.equal(changed.id, user.id, 'the user changed');
          } else if (kind === 'resetPassword') {
            assert.deepEqual(await client.resetPassword(user.id, { sendEmail: true }), {});
          } else {
            assert.equal(await client.revokeSessions(user.id), undefined);
          }
          completed += 1;
        } catch (error) {
          failures.push(`caller ${c}, operation ${k} (${kind}): ${error?.code ?? error?.name} ${error?.message}`);
        }
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, completed, failures, plans, passwords };
}

/** Every violation of the load contract, as strings (empty when all is well), and the counts for the report. */
function check({ users, run, clientLog, snapshot, attribute }) {
  const problems = [];
  const problem = (text) => {
    if (problems.length < 40) problems.push(text);
  };
  const emuLog = snapshot.requests.map((r) => ({ ...r, ...attribute(r.method, r.path, r.query.search) }));
  const byCaller = (log) => users.map((_, c) => log.filter((r) => r.caller === c));
  const clientByCaller = byCaller(clientLog);
  const emuByCaller = byCaller(emuLog);

  for (const r of [...clientLog, ...emuLog]) {
    if (r.caller === -2 || r.kind === 'other') problem(`a request that belongs to no caller's operation: ${r.method} ${r.path}`);
    const nonceChallenge = r.kind === 'token' && r.status === 400;
    if (r.status !== 429 && !nonceChallenge && (r.status < 200 || r.status > 299)) problem(`${r.method} ${r.path} answered ${r.status}`);
  }
  let rateLimited = 0;
  let maxConsecutive = 0;
  let maxWaitMs = 0;
  users.forEach((user, c) => {
    const sent = clientByCaller[c];
    const logged = emuByCaller[c];
    if (sent.length !== logged.length) problem(`caller ${c}: the client sent ${sent.length} requests, the emulator logged ${logged.length}`);
    sent.forEach((r, i) => {
      const l = logged[i];
      if (l && (l.method !== r.method || l.path !== r.path || l.status !== r.status)) problem(`caller ${c}, request ${i}: client ${r.method} ${r.path} ${r.status}, emulator ${l.method} ${l.path} ${l.status}`);
    });
    // Exactly once, in order: the successful requests are the caller's operations.
    const done = logged.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.kind);
    if (JSON.stringify(done) !== JSON.stringify(run.plans[c])) problem(`caller ${c}: the operations Okta applied (${done.length}) are not the caller's ${run.plans[c].length}, once each, in order`);
    // X-Rate-Limit-Reset: nothing from this caller before the reset it was given.
    let consecutive = 0;
    sent.forEach((r, i) => {
      if (r.status !== 429) {
        consecutive = 0;
        return;
      }
      rateLimited += 1;
      consecutive += 1;
      maxConsecutive = Math.max(maxConsecutive, consecutive);
      const resetMs = Number(r.reset) * 1000;
      if (!Number.isFinite(resetMs) || resetMs <= 0) return problem(`caller ${c}: a 429 without X-Rate-Limit-Reset`);
      const next = sent[i + 1];
      if (!next) return problem(`caller ${c}: a 429 (${r.kind}) was never retried`);
      maxWaitMs = Math.max(maxWaitMs, next.sentAt - r.receivedAt);
      if (next.sentAt < resetMs) problem(`caller ${c}: request ${i + 1} was sent ${resetMs - next.sentAt} ms before the X-Rate-Limit-Reset of the 429 before it`);
      const arrived = logged[i + 1]?.at;
      if (arrived !== undefined && arrived < resetMs) problem(`caller ${c}: request ${i + 1} reached Okta ${resetMs - arrived} ms before the X-Rate-Limit-Reset of the 429 before it`);
    });
  });
  // The users' state: every password set once and in order, every reset e-mail once.
  snapshot.users.forEach((state, c) => {
    const plan = run.plans[c];
    const count = (kind) => plan.filter((k) => k === kind).length;
    if (JSON.stringify(state.passwordHistory.slice(1)) !== JSON.stringify(run.passwords[c])) problem(`caller ${c}: the password history is not exactly the passwords set, in order`);
    if (state.passwordChangedCount !== count('setPassword')) problem(`caller ${c}: ${state.passwordChangedCount} password changes for ${count('setPassword')} setPassword calls`);
    if (state.resetEmailsSent !== count('resetPassword')) problem(`caller ${c}: ${state.resetEmailsSent} reset e-mails for ${count('resetPassword')} resetPassword calls`);
    if (state.password !== run.passwords[c].at(-1)) problem(`caller ${c}: the password is not the last one set`);
  });
  const tokenRequests = emuLog.filter((r) => r.kind === 'token');
  return {
    problems,
    rateLimited,
    maxConsecutive,
    maxWaitMs,
    apiRequests: emuLog.length - tokenRequests.length,
    tokens: tokenRequests.filter((r) => r.status === 200).length,
    tokenRequests: tokenRequests.length,
  };
}

function report(t, label, run, counts) {
  const apiPerSecond = counts.apiRequests / run.seconds;
  t.diagnostic(
    `${label}: ${run.completed} operations in ${run.seconds.toFixed(1)} s = ${(run.completed / run.seconds).toFixed(0)} ops/s ` +
      `(${counts.apiRequests} API requests, ${apiPerSecond.toFixed(0)}/s); ${counts.rateLimited} answered 429 and retried ` +
      `(at most ${counts.maxConsecutive} in a row for one operation, longest wait ${counts.maxWaitMs} ms); ` +
      `${counts.tokens} access tokens from ${counts.tokenRequests} token requests; ` +
      `users limit ${rateLimits.users.limit} per ${rateLimits.users.windowSeconds} s (warm-up: ${warmupRate.toFixed(0)} ops/s)`,
  );
}

async function connect(log, attribute, options = {}, on429 = undefined) {
  return OktaClient.connect(
    { orgUrl: org.orgUrl, clientId: org.clientId, privateKey: org.privateKeyPem, keyId: org.kid },
    { allowInsecureLoopback: true, fetch: recordingFetch(attribute, log, on429), ...options },
  );
}

// ---------------------------------------------------------------------------------------------------------------

test('the load checks catch an early retry, a lost operation and a duplicated one', () => {
  const users = [{ id: '00uLOADCHECK00000001', login: 'check@load.test' }];
  const attribute = attribution(users);
  const path = `/api/v1/users/${users[0].id}`;
  const reset = Math.floor(Date.now() / 1000) + 5;
  const run = { plans: [['getUser(id)', 'setPassword']], passwords: [['Pw-1-Aa9']] };
  const sent = (method, status, sentAt, extra = {}) => ({ ...attribute(method, path, null), method, path, status, sentAt, receivedAt: sentAt + 5, ...extra });
  const logged = (r) => ({ method: r.method, path: r.path, query: {}, status: r.status, at: r.sentAt + 2 });
  const state = { passwordHistory: ['Init-1', 'Pw-1-Aa9'], passwordChangedCount: 1, resetEmailsSent: 0, password: 'Pw-1-Aa9' };
  const verdict = (clientLog, requests = clientLog.map(logged), users_ = [state]) =>
    check({ users, run, clientLog, snapshot: { users: users_, requests }, attribute }).problems.join('\n');

  const good = [sent('GET', 429, reset * 1000 - 3000, { reset: String(reset) }), sent('GET', 200, reset * 1000 + 1000), sent('POST', 200, reset * 1000 + 1100)];
  assert.equal(verdict(good), '');
  const early = [good[0], { ...good[1], sentAt: reset * 1000 - 10 }, good[2]];
  assert.match(verdict(early), /sent 10 ms before the X-Rate-Limit-Reset/);
  assert.match(verdict(good, [...good.map(logged), logged(good[2])], [{ ...state, passwordChangedCount: 2 }]), /not the caller's 2, once each, in order[\s\S]*2 password changes for 1 setPassword/);
  assert.match(verdict(good.slice(0, 2), good.slice(0, 2).map(logged), [{ ...state, passwordHistory: ['Init-1'] }]), /not the caller's 2|password history/);
  assert.match(verdict([good[0]]), /was never retried/);
});

/**
 * Starts a run under FIRST_WINDOW. `raise` (recordingFetch's `on429`) raises the limit to `rateLimits` once the
 * first window is over (at the X-Rate-Limit-Reset of the first 429): every request beyond the first window's 50 is
 * refused, and the callers refused come back (a second after the reset) to the load's own limit.
 */
async function startUnderFirstWindow() {
  await call('configure', { rateLimits: { token: TOKEN_LIMIT, users: FIRST_WINDOW } });
  let raised;
  return {
    raise: (reset) => {
      const wait = Math.max(0, Number(reset) * 1000 - Date.now());
      raised ??= new Promise((resolve) => setTimeout(resolve, wait)).then(() => call('setRateLimits', { rateLimits }));
    },
    settled: () => raised,
  };
}

test(`load: ${(CALLERS * OPS_PER_CALLER).toLocaleString('en-US')} operations from ${CALLERS} concurrent callers on one client, rate limits on`, { timeout: 180_000 }, async (t) => {
  // Warm-up, without rate limits and on other users: how fast this machine goes, to set a limit the load exceeds.
  const warmUsers = await addUsers('warm', CALLERS);
  await call('configure', { rateLimits: { token: TOKEN_LIMIT, users: { limit: 1_000_000, windowSeconds: 60 } } });
  const warmClient = await connect([], attribution(warmUsers));
  await warmClient.getUser(warmUsers[0].id);
  const warmup = await runCallers({ clients: [warmClient], users: warmUsers, opsPerCaller: 6, prefix: 'warm' });
  warmClient.close();
  assert.deepEqual(warmup.failures, []);
  warmupRate = warmup.completed / warmup.seconds;
  rateLimits = { token: TOKEN_LIMIT, users: { limit: Math.max(CALLERS * 2, Math.round(LOAD_SHARE * warmupRate * WINDOW_SECONDS)), windowSeconds: WINDOW_SECONDS } };

  const users = await addUsers('hammer', CALLERS);
  const attribute = attribution(users);
  const log = [];
  const limits = await startUnderFirstWindow();
  const client = await connect(log, attribute, {}, limits.raise);
  try {
    const run = await runCallers({ clients: [client], users, opsPerCaller: OPS_PER_CALLER, prefix: 'load' });
    await limits.settled();
    const snapshot = await call('snapshot', { ids: users.map((u) => u.id) });
    const counts = check({ users, run, clientLog: log, snapshot, attribute });
    report(t, 'one client', run, counts);

    assert.deepEqual(run.failures.slice(0, 20), [], `${run.failures.length} operations failed`);
    assert.equal(run.completed, CALLERS * OPS_PER_CALLER);
    assert.deepEqual(counts.problems, [], 'the load contract');
    assert.ok(counts.rateLimited >= CALLERS - FIRST_WINDOW.limit, `${counts.rateLimited} requests answered 429`);
    assert.ok(counts.maxConsecutive <= 3, 'no operation was refused more often than the client retries');
    assert.ok(counts.tokens === 1, `one access token for one client (got ${counts.tokens})`);
  } finally {
    client.close();
  }
});

test('load: 1,000 operations from 4 clients sharing a token cache, 25 callers each, rate limits on', { timeout: 120_000 }, async (t) => {
  assert.ok(rateLimits, 'the first load test set the rate limits');
  const users = await addUsers('anvil', CALLERS);
  const attribute = attribution(users);
  const log = [];
  const entries = new Map();
  const tokenCache = {
    get: async (key) => entries.get(key),
    put: async (key, value) => {
      entries.set(key, value);
    },
  };
  const limits = await startUnderFirstWindow();
  const clients = await Promise.all(Array.from({ length: 4 }, () => connect(log, attribute, { tokenCache }, limits.raise)));
  try {
    const run = await runCallers({ clients, users, opsPerCaller: 10, prefix: 'shared' });
    await limits.settled();
    const snapshot = await call('snapshot', { ids: users.map((u) => u.id) });
    const counts = check({ users, run, clientLog: log, snapshot, attribute });
    report(t, 'four clients, one token cache', run, counts);

    assert.deepEqual(run.failures.slice(0, 20), [], `${run.failures.length} operations failed`);
    assert.equal(run.completed, CALLERS * 10);
    assert.deepEqual(counts.problems, [], 'the load contract');
    assert.ok(counts.rateLimited >= CALLERS - FIRST_WINDOW.limit, `${counts.rateLimited} requests answered 429`);
    assert.ok(counts.maxConsecutive <= 3, 'no operation was refused more often than the client retries');
    assert.ok(counts.tokens >= 1 && counts.tokens <= clients.length, `${counts.tokens} access tokens for ${clients.length} clients sharing a cache`);
    assert.equal(entries.size, 1, 'one cache entry: every client shares the same token key');
  } finally {
    for (const client of clients) client.close();
  }
});
