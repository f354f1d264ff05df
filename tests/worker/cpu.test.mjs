// CPU time per request of the worker in real workerd, as the operating system reports it for the workerd
// process (/proc/PID/task/*/schedstat, nanoseconds), and what workerd's own trace events report.
//
// workerd fills a tail worker's `cpuTime`/`wallTime` only on Cloudflare's edge; locally they are 0, which the
// last test checks and records. So the numbers here are the process's CPU per request, minus the CPU of an
// authenticated request that does no Okta work (routing through miniflare's entry worker, the bearer check,
// the JSON answer): an upper bound of what okta-connect adds, since the process also runs the HTTP client
// for the subrequests to Okta. Results are printed as TAP diagnostics (`# cpu …`).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ROOT, startWorld, waitForPackage, workerModules } from './harness.mjs';

const WARM_RUNS = 30;
const COLD_RUNS = 3;
await waitForPackage();
let w;
const results = {};

before(async () => {
  const workers = { warm: {}, 'kv-seed': { kv: 'fleet' } };
  for (let i = 0; i < COLD_RUNS; i++) {
    workers[`cold-${i}`] = {};
    workers[`cold-base-${i}`] = {};
    workers[`kv-cold-${i}`] = { kv: 'fleet' };
    workers[`steps-${i}`] = { entry: `${ROOT}/tests/worker/fixtures/cold-steps.js` };
  }
  w = await startWorld({ workers });
});
after(() => w?.close());

/** Mean CPU (ms) of the workerd process per call of `fn`, over `runs` sequential calls. */
async function cpuPerCall(runs, fn) {
  const before = w.cpuNs();
  for (let i = 0; i < runs; i++) {
    const r = await fn(i);
    assert.ok(r.status < 500, r.text);
  }
  return (w.cpuNs() - before) / runs / 1e6;
}

const enc = encodeURIComponent;
const alice = () => w.emu.getUser('alice@example.com');

test('module load makes no request; the worker and package sizes', () => {
  assert.equal(w.emu.requests.length, 0);
  const modules = workerModules();
  const bytes = (m) => (typeof m.contents === 'string' ? Buffer.byteLength(m.contents) : m.contents.byteLength);
  const total = modules.reduce((sum, m) => sum + bytes(m), 0);
  const gzip = modules.reduce((sum, m) => sum + gzipSync(m.contents).byteLength, 0);
  results.size = { modules: modules.length, kib: Math.round(total / 1024), gzipKib: Math.round(gzip / 1024) };
  assert.ok(gzip < 3 * 1024 * 1024, 'fits the Workers Free plan (3 MB compressed)');
});

test('CPU per request: cold isolates, warm requests per route, baselines', async (t) => {
  const get = (worker, who = 'alice@example.com') => w.call('GET', `/v1/users/${enc(who)}`, { worker });
  // Warm the isolate's client up (token, nonce), then measure.
  assert.equal((await get('warm')).status, 200);

  results.unauthenticated = await cpuPerCall(WARM_RUNS, () => w.call('GET', '/v1/users/x', { worker: 'warm', secret: 'wrong' }));
  results.baseline = await cpuPerCall(WARM_RUNS, () => w.call('GET', '/v1/nothing-here', { worker: 'warm' }));
  results.getUserById = await cpuPerCall(WARM_RUNS, () => get('warm', alice().id));
  results.getUserByLogin = await cpuPerCall(WARM_RUNS, () => get('warm'));
  results.setPassword = await cpuPerCall(WARM_RUNS, (i) => w.call('POST', `/v1/users/${alice().id}/password`, { worker: 'warm', body: { password: `Cpu-Measure-${i}-Passw0rd!` } }));
  results.resetPassword = await cpuPerCall(WARM_RUNS, () => w.call('POST', `/v1/users/${alice().id}/reset-password`, { worker: 'warm', body: { sendEmail: false } }));
  results.expirePassword = await cpuPerCall(WARM_RUNS, () => w.call('POST', `/v1/users/${alice().id}/expire-password`, { worker: 'warm', body: { tempPassword: true } }));
  results.revokeSessions = await cpuPerCall(WARM_RUNS, () => w.call('DELETE', `/v1/users/${alice().id}/sessions`, { worker: 'warm' }));
  results.verify = await cpuPerCall(10, () => w.call('POST', '/v1/verify', { worker: 'warm' }));

  const coldBase = [];
  for (let i = 0; i < COLD_RUNS; i++) coldBase.push(await cpuPerCall(1, () => w.call('GET', '/v1/nothing-here', { worker: `cold-base-${i}` })));
  results.coldBaseline = coldBase.reduce((a, b) => a + b) / coldBase.length;
  const cold = [];
  for (let i = 0; i < COLD_RUNS; i++) cold.push(await cpuPerCall(1, () => get(`cold-${i}`, alice().id)));
  results.coldGetUser = cold.reduce((a, b) => a + b) / cold.length;

  // With KV-shared tokens (the tokenCache connect option), a cold isolate skips the token request.
  assert.equal((await get('kv-seed', alice().id)).status, 200);
  const kvCold = [];
  for (let i = 0; i < COLD_RUNS; i++) kvCold.push(await cpuPerCall(1, () => get(`kv-cold-${i}`, alice().id)));
  results.coldGetUserKvHit = kvCold.reduce((a, b) => a + b) / kvCold.length;

  const ms = (v) => `${v.toFixed(2)} ms`;
  const net = (v, base = results.baseline) => (v === undefined ? '' : ` (${(v - base).toFixed(2)} ms over the baseline)`);
  t.diagnostic(`cpu worker: ${results.size.modules} modules, ${results.size.kib} KiB, ${results.size.gzipKib} KiB gzipped`);
  t.diagnostic(`cpu baseline, authenticated request without Okta work: ${ms(results.baseline)}`);
  t.diagnostic(`cpu 401, wrong bearer secret: ${ms(results.unauthenticated)}`);
  t.diagnostic(`cpu first request of a fresh isolate without Okta work: ${ms(results.coldBaseline)}`);
  for (const name of ['getUserById', 'getUserByLogin', 'setPassword', 'resetPassword', 'expirePassword', 'revokeSessions', 'verify']) {
    t.diagnostic(`cpu ${name}: ${ms(results[name])}${net(results[name])}`);
  }
  for (const name of ['coldGetUser', 'coldGetUserKvHit']) {
    t.diagnostic(`cpu ${name}: ${ms(results[name])}${net(results[name], results.coldBaseline).replace('baseline', 'fresh-isolate baseline')}`);
  }
  // Figures are reported, not judged (speed targets belong in benchmarks); only check they were measured.
  for (const [name, value] of Object.entries(results)) {
    if (typeof value === 'number') assert.ok(Number.isFinite(value) && value > 0, `${name} was measured`);
  }
});

test('where a cold isolate\'s CPU goes: connect, first token, first call', async (t) => {
  const steps = { noop: [], connect: [], token: [], user: [] };
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const step of Object.keys(steps)) {
      steps[step].push(await cpuPerCall(1, () => w.call('GET', `/${step}?u=${alice().id}`, { worker: `steps-${i}`, secret: null })));
    }
  }
  const mean = (values) => values.reduce((a, b) => a + b) / values.length;
  const warm = mean(steps.noop.slice(1));
  t.diagnostic(`cpu cold steps (each minus the warm baseline ${results.baseline.toFixed(2)} ms): ${Object.entries(steps).map(([step, values]) => `${step} ${(mean(values) - results.baseline).toFixed(2)} ms`).join(', ')}`);
  assert.ok(warm >= 0);
});

test('workerd\'s trace events (what a tail worker sees): outcome ok, cpuTime only filled in on the edge', async (t) => {
  const traced = await startWorld({ tail: true });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await traced.call('GET', '/v1/users/alice%40example.com')).status, 200);
    for (let i = 0; i < 50 && traced.tailEvents.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(traced.tailEvents.length, 3);
    for (const event of traced.tailEvents) {
      assert.equal(event.outcome, 'ok');
      assert.equal(typeof event.cpuTime, 'number');
    }
    t.diagnostic(`cpu workerd trace cpuTime/wallTime: ${traced.tailEvents.map((e) => `${e.cpuTime}/${e.wallTime}`).join(', ')} (0 = not measured locally)`);
  } finally {
    await traced.close();
  }
});
