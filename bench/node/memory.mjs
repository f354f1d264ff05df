// wasm linear memory across 10,000 signatures after a warm-up, on every path that touches wasm memory: the
// low-level createClientAssertion(SigningKey) (wasm RSA), DpopKey#createProof (wasm P-256), OktaClient's
// createClientAssertion (drafted in wasm, signed by WebCrypto) and createDpopProof on both signing paths.
// Linear memory never shrinks, so "no growth" is the page count after the run equal to the one after warm-up;
// malloc'd bytes in use are not visible from JS, and a leak smaller than the free space would go unseen: the
// run is long enough (10,000 × ~1 KB of strings) that a per-call leak would need new pages.
import { readFileSync } from 'node:fs';
import * as okta from 'okta-connect';
import { CONFIG, CLIENT_ID, TOKEN_URL } from '../lib/cases.mjs';
import { fixtureKeys } from '../lib/keys.mjs';

const N = Number(process.env.BENCH_MEMORY_N ?? 10_000);
const WARMUP = 200;
// The package already instantiated its wasm (index.node.js calls initSync): the glue module next to the entry
// Node resolved is the very module instance it used, and initSync returns that instance's exports, `memory`
// among them.
const entry = import.meta.resolve('okta-connect');
const glue = await import(new URL('./okta_connect.js', entry));
if (glue.SigningKey !== okta.SigningKey) throw new Error('not the module instance the package uses: its memory would not be the one measured');
const { initSync } = glue;
const { memory } = initSync({ module: readFileSync(new URL('./okta_connect_bg.wasm', entry)) });
const keys = fixtureKeys();
const proof = { htm: 'POST', htu: TOKEN_URL };

async function track(name, n, fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const before = memory.buffer.byteLength;
  const started = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const after = memory.buffer.byteLength;
  return { name, calls: n, warmup: WARMUP, bytesBefore: before, bytesAfter: after, growth: after - before, ms: performance.now() - started };
}

const start = memory.buffer.byteLength;
const key = okta.SigningKey.parse(keys.rsa, 'bench-rsa-2048');
const dpop = new okta.DpopKey();
const fast = await okta.OktaClient.connect(CONFIG(keys), { signing: 'webcrypto' });
const wasm = await okta.OktaClient.connect(CONFIG(keys), { signing: 'wasm' });
const results = [];
// The wasm signers are slow (RSA ~10 ms, P-256 ~1 ms a signature): the low-level calls run 1,000 (RSA) and
// 2,000 (P-256) times after warm-up, which still allocates far more than a page if anything leaked per call.
results.push(await track('OktaClient#createClientAssertion (webcrypto)', N, () => fast.createClientAssertion()));
results.push(await track('OktaClient#createDpopProof (webcrypto)', N, () => fast.createDpopProof(proof)));
results.push(await track('DpopKey#createProof (wasm P-256)', Math.ceil(N / 5), () => dpop.createProof(proof)));
results.push(await track('OktaClient#createDpopProof (wasm P-256)', N, () => wasm.createDpopProof(proof)));
results.push(await track('createClientAssertion(SigningKey) (wasm RSA)', Math.ceil(N / 10), () => okta.createClientAssertion(key, { clientId: CLIENT_ID, audience: TOKEN_URL })));
key.free();
dpop.free();
fast.close();
wasm.close();
process.stdout.write(JSON.stringify({ startBytes: start, endBytes: memory.buffer.byteLength, results }));
