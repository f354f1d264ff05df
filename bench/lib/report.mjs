// Turns the raw results of a run into the summary rows (one per figure and runtime, with the targets),
// the markdown report and the terminal table. Node-only (string building, no I/O).
import { median, ratioOfMedians } from './stats.mjs';

export const TARGETS = {
  speed: 1.2,
  cold: 2,
  gzipBytes: 90_000,
  roundTrips: { coldById: 3, warmById: 1, warmByLogin: 2 },
  concurrency: { coldClient: 2, expiredTokenCachedNonce: 1 },
};

const SPEED_ROWS = [
  { key: 'RS256 assertion', figure: 'RS256 client assertion (RSA-2048), WebCrypto', target: TARGETS.speed },
  { key: 'ES256 DPoP proof', figure: 'ES256 DPoP proof, WebCrypto', target: TARGETS.speed },
  { key: 'RS256 assertion, wasm signer', figure: 'RS256 client assertion, wasm RSA signer', target: null },
  { key: 'ES256 DPoP proof, wasm signer', figure: 'ES256 DPoP proof, wasm P-256 signer', target: null },
];

export const RUNTIME_NAMES = { node: 'Node', chromium: 'Chromium', workerd: 'workerd' };

const us = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(ms < 0.1 ? 1 : 0)} µs`);
const ms = (value) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const x = (value) => `${value.toFixed(2)}×`;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

function verdict(value, target) {
  if (target === null || target === undefined) return 'reported';
  return value <= target ? 'met' : 'NOT met';
}

/** The cold-start figure of one runtime: which measure is the headline, and its ratio of medians. */
export function coldSummary(runtimeKey, cold) {
  const pick = runtimeKey === 'workerd' ? (s) => s.processCpuNet : (s) => s.total;
  const ours = cold.ours.map(pick);
  const jose = cold.jose.map(pick);
  const phases = (side) => Object.fromEntries(['import', 'key', 'sign', 'total'].map((p) => [p, median(cold[side].map((s) => s[p]))]));
  return {
    measure: runtimeKey === 'workerd'
      ? 'workerd process CPU of the isolate\'s first request, minus a no-op first request'
      : runtimeKey === 'node' ? 'fresh process: script start → import, key, first assertion + proof' : 'fresh browser context: script start → import, key, first assertion + proof',
    ours: median(ours),
    jose: median(jose),
    samples: ours.length,
    ...ratioOfMedians(ours, jose),
    minRatio: Math.min(...ours) / Math.min(...jose),
    phases: { ours: phases('ours'), jose: phases('jose') },
    extra: runtimeKey === 'node'
      ? { 'since process start, ours': median(cold.ours.map((s) => s.sinceProcessStart)), 'since process start, jose': median(cold.jose.map((s) => s.sinceProcessStart)) }
      : runtimeKey === 'chromium'
        ? { 'since navigation start, ours': median(cold.ours.map((s) => s.sinceNavigationStart)), 'since navigation start, jose': median(cold.jose.map((s) => s.sinceNavigationStart)) }
        : { 'in-isolate clock (1 ms ticks), ours': median(cold.ours.map((s) => s.total)), 'in-isolate clock (1 ms ticks), jose': median(cold.jose.map((s) => s.total)), 'no-op first request CPU': median(cold.noop.map((s) => s.processCpu)) },
  };
}

/** Summary rows: { figure, runtime, ours, jose, ratio, ci, native, target, verdict } (display strings + numbers). */
export function summaryRows(results) {
  const rows = [];
  for (const [key, run] of Object.entries(results.runtimes)) {
    if (!run || run.error) {
      rows.push({ figure: 'all figures', runtime: RUNTIME_NAMES[key], ours: '', jose: '', ratio: '', ci: '', native: '', target: '', verdict: `failed: ${run?.error ?? 'not run'}` });
      continue;
    }
    for (const spec of SPEED_ROWS) {
      const c = run.cases?.[spec.key];
      if (!c) continue;
      const r = c.ratios['ours/jose'];
      const native = c.ratios['ours/native'];
      rows.push({
        figure: spec.figure,
        runtime: RUNTIME_NAMES[key],
        ours: us(c.stats.ours.median),
        jose: us(c.stats.jose.median),
        ratio: x(r.ratio),
        ratioValue: r.ratio,
        ci: `${r.low.toFixed(2)}–${r.high.toFixed(2)}`,
        native: native ? `${us(c.stats.native.median)} (ours ${x(native.ratio)})` : '',
        target: spec.target ? `≤ ${spec.target}×` : 'reported',
        verdict: verdict(r.ratio, spec.target),
        ops: `${c.opsPerVariant.ours}/${c.opsPerVariant.jose}`,
      });
    }
    if (run.cold) {
      const cold = coldSummary(key, run.cold);
      rows.push({
        figure: 'cold start: import, key, first assertion + proof',
        runtime: RUNTIME_NAMES[key],
        ours: ms(cold.ours),
        jose: ms(cold.jose),
        ratio: x(cold.ratio),
        ratioValue: cold.ratio,
        ci: `${cold.low.toFixed(2)}–${cold.high.toFixed(2)}`,
        native: '',
        target: `≤ ${TARGETS.cold}×`,
        verdict: verdict(cold.ratio, TARGETS.cold),
        ops: `${cold.samples}/${cold.samples}`,
      });
    }
  }
  const size = results.size;
  if (size) {
    const jose = size.jose.assertionAndDpop.minified;
    rows.push({
      figure: 'package size: wasm + all JS of pkg/, gzip -9',
      runtime: 'any',
      ours: `${kb(size.ours.gzip)} (${kb(size.ours.raw)} raw)`,
      jose: `${kb(jose.gzip)} (${kb(jose.raw)} raw)`,
      ratio: x(size.ours.gzip / jose.gzip),
      ratioValue: size.ours.gzip / jose.gzip,
      ci: '',
      native: '',
      target: `≤ ${kb(TARGETS.gzipBytes)} gzip`,
      verdict: verdict(size.ours.gzip, TARGETS.gzipBytes),
      ops: '',
    });
  }
  const rt = results.roundTrips?.roundTrips;
  if (rt) {
    for (const [k, label] of [['coldById', 'round trips: first operation, cold client (getUser by id)'], ['warmById', 'round trips: next operation (getUser by id)'], ['warmByLogin', 'round trips: operation by login (getUser by login)']]) {
      rows.push({ figure: label, runtime: 'Node', ours: `${rt[k].total} (${rt[k].tokenPosts} token POSTs)`, jose: '', ratio: '', ci: '', native: '', target: `≤ ${TARGETS.roundTrips[k]}`, verdict: verdict(rt[k].total, TARGETS.roundTrips[k]), ops: '' });
    }
  }
  const cc = results.roundTrips?.concurrency;
  if (cc) {
    rows.push({ figure: `token POSTs: ${cc.coldClient.calls} concurrent getUser, cold client`, runtime: 'Node', ours: `${cc.coldClient.tokenPosts} (${cc.coldClient.fulfilled} ok)`, jose: `Okta Node SDK: ${cc.oktaNodeSdkReference.tokenPosts} per ${cc.oktaNodeSdkReference.calls} calls (issue's figure)`, ratio: '', ci: '', native: '', target: `${TARGETS.concurrency.coldClient} (nonce discovery)`, verdict: cc.coldClient.tokenPosts === TARGETS.concurrency.coldClient && cc.coldClient.fulfilled === cc.coldClient.calls ? 'met' : 'NOT met', ops: '' });
    rows.push({ figure: `token POSTs: ${cc.expiredTokenCachedNonce.calls} concurrent getUser, token expired, nonce cached`, runtime: 'Node', ours: `${cc.expiredTokenCachedNonce.tokenPosts} (${cc.expiredTokenCachedNonce.fulfilled} ok)`, jose: '', ratio: '', ci: '', native: '', target: `${TARGETS.concurrency.expiredTokenCachedNonce}`, verdict: cc.expiredTokenCachedNonce.tokenPosts === TARGETS.concurrency.expiredTokenCachedNonce && cc.expiredTokenCachedNonce.fulfilled === cc.expiredTokenCachedNonce.calls ? 'met' : 'NOT met', ops: '' });
  }
  const mem = results.memory;
  if (mem) {
    const worst = Math.max(...mem.results.map((r) => r.growth));
    rows.push({ figure: 'wasm linear memory after 10,000 assertions (and proofs), after warm-up', runtime: 'Node', ours: `+${worst} bytes (${(mem.endBytes / 65536).toFixed(0)} pages of 64 KiB)`, jose: '', ratio: '', ci: '', native: '', target: 'no growth', verdict: worst === 0 ? 'met' : 'NOT met', ops: '' });
  }
  return rows;
}

function table(headers, rows) {
  const escape = (value) => String(value ?? '').replace(/\|/g, '\\|');
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n');
}

export function summaryTable(rows) {
  return table(
    ['figure', 'runtime', 'okta-connect', 'jose', 'ratio', '95% CI', 'native floor', 'target', 'verdict'],
    rows.map((r) => [r.figure, r.runtime, r.ours, r.jose, r.ratio, r.ci, r.native, r.target, r.verdict]),
  );
}

const pct = (share) => `${(share * 100).toFixed(1)}%`;

/** The full markdown report: summary, then the details each figure rests on. */
export function markdown(results, rows) {
  const m = results.meta;
  const out = [];
  out.push('# okta-connect benchmarks', '');
  out.push(`Run ${m.date} on ${m.cpus} CPUs (load average ${m.loadBefore.map((l) => l.toFixed(2)).join(' ')} at the start, ${m.loadAfter.map((l) => l.toFixed(2)).join(' ')} at the end), commit ${m.commit}${m.dirty ? ' with local changes' : ''}, ${m.durationSeconds} s. Reproduce with \`make bench\`.`);
  out.push(`Runtimes: ${Object.values(results.runtimes).filter((r) => r && !r.error).map((r) => r.runtime).join('; ')}. jose ${results.size?.jose.version ?? ''}.`);
  if (m.pkgChanged) out.push('', `**pkg/ changed during the run** (another build): the figures may mix two builds.`);
  out.push('', 'Every ratio is okta-connect ÷ jose measured side by side in one run. Node and Chromium: the variants take turns, one operation (Node) or ~0.5 ms of operations (Chromium, 5 µs clock) at a time, and every turn is timed; the ratio is the median of all our turns over the median of all of jose\'s (in Node: of all signings). workerd (1 ms clock): ~50 ms batches alternate, the ratio is of median batch means. The 95% interval is a bootstrap over rounds (a round\'s samples of both sides kept together). "native floor" is the runtime\'s bare `crypto.subtle.sign` over a signing input of the same length, measured in the same rounds.', '');
  out.push(summaryTable(rows), '');

  out.push('## Speed details', '');
  for (const [key, run] of Object.entries(results.runtimes)) {
    if (!run?.cases) continue;
    out.push(`### ${run.runtime}`, '');
    if (key === 'workerd' && run.clock) {
      out.push(`Clock inside a workerd request: a 30 ms busy loop saw performance.now() advance by ${run.clock.elapsed} ms and Date.now() by ${run.clock.dateElapsed} ms, in steps of ${[...new Set(run.clock.steps)].join(', ')} ms (miniflare's local workerd advances its clock during CPU work; on Cloudflare's edge it only moves on I/O, so this method only works locally). Batches of ~50 ms keep the 1 ms tick at 2%.`, '');
    }
    const mode = Object.values(run.cases)[0]?.interleave;
    const sizes = [...new Set(Object.values(run.cases).flatMap((c) => Object.values(c.batch)))];
    out.push(mode === 'op' ? `Interleaved turn by turn, every turn timed (operations per turn: ${sizes.join(', ')}).` : 'Interleaved by batches (median of batch means).', '');
    if (key === 'chromium') out.push(`crossOriginIsolated: ${run.crossOriginIsolated} (performance.now() resolution ${run.crossOriginIsolated ? '5 µs' : '100 µs'}).`, '');
    out.push(table(
      ['case', 'ours (median, p25–p75)', 'jose', 'native', 'ours/jose [95% CI]', 'per-round ratio of means (median)', 'ratio of fastest', 'ours/native', 'jose/native', 'operations ours/jose/native'],
      Object.entries(run.cases).map(([name, c]) => {
        const s = (v) => (c.stats[v] ? `${us(c.stats[v].median)} (${us(c.stats[v].p25)}–${us(c.stats[v].p75)})` : '');
        const r = c.ratios;
        return [name, s('ours'), s('jose'), s('native'), `${x(r['ours/jose'].ratio)} [${r['ours/jose'].low.toFixed(2)}–${r['ours/jose'].high.toFixed(2)}]`, x(r['ours/jose'].paired), x(r['ours/jose'].minRatio), r['ours/native'] ? x(r['ours/native'].ratio) : '', r['jose/native'] ? x(r['jose/native'].ratio) : '', Object.values(c.opsPerVariant).join('/')];
      }),
    ), '');
    if (run.shapes) out.push(`Same token on both sides: assertion header {${run.shapes.assertion.ours.header}} claims {${run.shapes.assertion.ours.claims}} (jose: {${run.shapes.assertion.jose.header}} {${run.shapes.assertion.jose.claims}}); proof header {${run.shapes.proof.ours.header}} claims {${run.shapes.proof.ours.claims}} (jose: {${run.shapes.proof.jose.header}} {${run.shapes.proof.jose.claims}}).`, '');
  }

  out.push('## Cold start details', '');
  const coldRows = [];
  for (const [key, run] of Object.entries(results.runtimes)) {
    if (!run?.cold) continue;
    const c = coldSummary(key, run.cold);
    const p = (side) => `import ${ms(c.phases[side].import)}, key ${ms(c.phases[side].key)}, sign ${ms(c.phases[side].sign)}`;
    coldRows.push([RUNTIME_NAMES[key], c.measure, `${ms(c.ours)} vs ${ms(c.jose)} = ${x(c.ratio)} [${c.low.toFixed(2)}–${c.high.toFixed(2)}]`, x(c.minRatio), p('ours'), p('jose'), Object.entries(c.extra).map(([k, v]) => `${k}: ${ms(v)}`).join('; '), c.samples]);
  }
  out.push(table(['runtime', 'headline measure', 'ours vs jose (median)', 'ratio of fastest', 'ours phases (median, in-runtime clock)', 'jose phases', 'also', 'samples each'], coldRows), '');
  out.push('Ours: `import(\'okta-connect\')` (Node/Chromium: includes reading or fetching and compiling the wasm), `OktaClient.connect()` (parse the key, import it into WebCrypto, generate the DPoP key), `createClientAssertion()` + `createDpopProof()`. jose: `import(\'jose\')`, `importPKCS8` + `generateKeyPair(\'ES256\')` + `exportJWK`, `SignJWT` twice. In Chromium and workerd jose is the minified one-file bundle of that subset; in Node its package entry.', '');

  if (results.size) {
    const s = results.size;
    out.push('## Size details', '');
    out.push(table(['file', 'raw bytes', 'gzip -9 bytes'], [...s.ours.files.map((f) => [f.name, f.raw, f.gzip]), ['**total**', s.ours.raw, s.ours.gzip]]), '');
    out.push(`Budget: ${s.budgetGzip} bytes gzip (the issue's 90 KB read as 90,000 bytes); over by ${s.ours.gzip - s.budgetGzip} bytes. JS minified with esbuild would be ${s.ours.jsMinified.raw} bytes (${s.ours.jsMinified.gzip} gzip) instead of ${s.ours.js.raw} (${s.ours.js.gzip}).`, '');
    out.push(`jose ${s.jose.version} bundled with Vite (Rollup tree-shaking): {${s.jose.assertionAndDpop.exports.join(', ')}} ${s.jose.assertionAndDpop.minified.raw} bytes minified, ${s.jose.assertionAndDpop.minified.gzip} gzip (unminified ${s.jose.assertionAndDpop.unminified.raw} / ${s.jose.assertionAndDpop.unminified.gzip}); {${s.jose.signOnly.exports.join(', ')}} alone ${s.jose.signOnly.minified.raw} / ${s.jose.signOnly.minified.gzip} gzip. jose relies on the runtime's WebCrypto for all cryptography and parsing of keys; okta-connect carries its own (the wasm signers, DER/PEM/JWK parsing, the protocol).`, '');
    const w = s.wasm;
    out.push('### What takes space in the wasm', '');
    out.push(table(['section of pkg/okta_connect_bg.wasm', 'bytes', 'gzip -9 alone'], w.releasedSections.map((x2) => [x2.name, x2.size, x2.gzip])), '');
    if (w.optimised || w.unoptimised) {
      const o = w.optimised ?? w.unoptimised;
      out.push(`Code by crate, from ${o.file} (${o.variant}; code section ${o.codeBytes} bytes, of which ${o.removedByBindgen} are wasm-bindgen describe functions that the release drops)${w.namedIsFromThisBuild ? '' : ' — **that file is not from the same build as pkg/**'}:`, '');
      out.push(table(['crate', 'bytes', 'share of code'], o.byCrate.slice(0, 20).map((r) => [r.name, r.size, pct(r.share)])), '');
      out.push(`okta_connect by module, from ${w.unoptimised.file} (${w.unoptimised.variant}: nothing inlined yet, so modules keep their own code):`, '');
      out.push(table(['module', 'bytes', 'share of code'], w.unoptimised.byModule.map((r) => [r.name, r.size, pct(r.share)])), '');
      out.push('Largest functions (optimised copy):', '');
      out.push(table(['function', 'crate', 'bytes'], o.topFunctions.slice(0, 15).map((f) => [f.name.length > 110 ? `${f.name.slice(0, 107)}…` : f.name, f.crate, f.size])), '');
    }
    if (w.note) out.push(w.note, '');
  }

  if (results.roundTrips) {
    out.push('## Round trips and token requests (local Okta emulator, counted at the emulator)', '');
    const rt = results.roundTrips.roundTrips;
    out.push(table(['operation', 'requests', 'token POSTs', 'sequence'], Object.entries(rt).map(([k, v]) => [k, v.total, v.tokenPosts, v.log.join(' → ')])), '');
    const cc = results.roundTrips.concurrency;
    out.push(`${cc.coldClient.calls} concurrent \`getUser\` on a cold client: ${cc.coldClient.tokenPosts} token POSTs, ${cc.coldClient.api} API calls, ${cc.coldClient.fulfilled} fulfilled. The same burst after the token expired (clock moved 61 min forward in client and emulator), the DPoP nonce still cached: ${cc.expiredTokenCachedNonce.tokenPosts} token POST(s). Reference from the issue (not measured here): Okta's Node SDK sends ${cc.oktaNodeSdkReference.tokenPosts} token POSTs for ${cc.oktaNodeSdkReference.calls} such calls.`, '');
  }
  if (results.memory) {
    out.push('## wasm linear memory (Node)', '');
    out.push(table(['path', 'calls after warm-up', 'bytes before', 'bytes after', 'growth'], results.memory.results.map((r) => [r.name, `${r.calls} (warm-up ${r.warmup})`, r.bytesBefore, r.bytesAfter, r.growth])), '');
    out.push('Linear memory can only grow; equal sizes mean every allocation was served from memory freed before. A leak smaller than the allocator\'s free space would not show.', '');
  }
  if (results.errors?.length) out.push('## Errors', '', ...results.errors.map((e) => `- ${e}`), '');
  return out.join('\n');
}
