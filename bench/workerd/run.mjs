// The same benchmark code (bench/lib/) in real workerd through miniflare, the way tests/worker/harness.mjs
// runs worker/: the published package's files given to workerd as modules (its "workerd" export condition,
// the wasm as a CompiledWasm module), nothing bundled or rewritten. jose is given as its own ES modules
// (dist/webapi) for the speed cases, and as the one-file bundle of its subset for the cold starts (as
// wrangler would bundle it).
//
// Speed: one isolate, one request per case, 50 ms batches (workerd's clock ticks in whole milliseconds;
// miniflare's local workerd does advance it while a request computes, which GET /clock checks each run).
// Cold starts: one isolate per sample (a worker of its own), its first request importing the library
// dynamically, timed twice: inside the isolate (Date.now/performance.now, 1 ms ticks: coarse next to a few
// ms), and as the CPU time the workerd process spent on that request (/proc/PID/task/*/schedstat, ns; other
// processes' load does not change it) minus the same for a fresh isolate's no-op first request. workerd
// compiles a CompiledWasm module when it loads the worker, before any request: the wasm compilation is
// therefore outside the cold-start figure here (it is inside it in Node and Chromium).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { packageEntry, workerModules, wranglerConfig } from '../../tests/worker/harness.mjs';
import { processCpuNs, workerdPids } from '../../tests/worker/workerd-cpu.mjs';
import { fixtureKeys } from '../lib/keys.mjs';
import { median } from '../lib/stats.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JOSE_ENTRY = fileURLToPath(import.meta.resolve('jose'));
const CASES = ['RS256 assertion', 'ES256 DPoP proof', 'RS256 assertion, wasm signer', 'ES256 DPoP proof, wasm signer'];

/** CPU time of every thread of `pids`, in ms. */
function cpuMs(pids) {
  return pids.reduce((sum, pid) => sum + processCpuNs(pid), 0) / 1e6;
}

/** Miniflare modules for a benchmark worker: the harness's walker, with jose as a second package. */
function modulesFor(entry, extra = {}) {
  const packages = {
    'okta-connect': { entry: packageEntry(), root: dirname(packageEntry()) },
    jose: { entry: JOSE_ENTRY, root: dirname(JOSE_ENTRY) },
  };
  return workerModules(entry, { packages, extra });
}

/** Speed cases in one isolate, and `coldSamples` fresh isolates per library for the cold starts. */
export async function runWorkerd({ outDir, coldSamples = 8, rounds = 61, log = () => {} }) {
  const keys = fixtureKeys();
  const { compatibilityDate, compatibilityFlags } = wranglerConfig();
  const base = { modulesRoot: ROOT, compatibilityDate, compatibilityFlags, bindings: { BENCH_RSA: keys.rsa, BENCH_P256: keys.p256 } };
  const joseSubset = readFileSync(join(outDir, 'jose-subset.mjs'), 'utf8');
  const coldModules = modulesFor(join(ROOT, 'bench/workerd/cold-worker.mjs'), { 'bench/workerd/jose-subset.mjs': joseSubset });
  const workers = [{ name: 'speed', ...base, modules: modulesFor(join(ROOT, 'bench/workerd/speed-worker.mjs')) }];
  // Sample -1 of each is discarded: whichever isolate goes first also pays the process's one-time costs.
  for (let i = -1; i < coldSamples; i++) {
    for (const which of ['ours', 'jose', 'noop']) {
      workers.push({ name: `cold-${which}-${i}`, ...base, modules: coldModules, bindings: { ...base.bindings, WHICH: which } });
    }
  }
  const output = [];
  const before = workerdPids();
  const mf = new Miniflare({
    workers,
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (chunk) => output.push(String(chunk)));
      stderr.on('data', (chunk) => output.push(String(chunk)));
    },
  });
  const call = async (worker, path) => {
    const response = await (await mf.getWorker(worker)).fetch(`https://bench.example${path}`);
    const text = await response.text();
    if (!response.ok) throw new Error(`workerd ${worker} ${path}: ${response.status} ${text.slice(0, 500)}\n${output.join('').slice(-2000)}`);
    return JSON.parse(text);
  };
  try {
    await mf.ready;
    const pids = workerdPids().filter((pid) => !before.includes(pid));
    // Cold starts first, while every cold isolate is still untouched.
    const cold = { ours: [], jose: [], noop: [] };
    for (let i = -1; i < coldSamples; i++) {
      for (const which of i % 2 ? ['jose', 'noop', 'ours'] : ['ours', 'noop', 'jose']) {
        const started = performance.now();
        const cpuBefore = cpuMs(pids);
        const result = await call(`cold-${which}-${i}`, '/');
        const sample = { ...result, processCpu: cpuMs(pids) - cpuBefore, wallFromNode: performance.now() - started };
        if (i >= 0) cold[which].push(sample);
      }
    }
    const noopCpu = median(cold.noop.map((s) => s.processCpu));
    for (const which of ['ours', 'jose']) for (const s of cold[which]) s.processCpuNet = s.processCpu - noopCpu;
    const clock = await call('speed', '/clock');
    const cases = {};
    let shapes;
    for (const name of CASES) {
      const started = performance.now();
      const result = await call('speed', `/speed?case=${encodeURIComponent(name)}&rounds=${rounds}`);
      cases[name] = result.cases[name];
      shapes = result.shapes;
      log(`workerd: ${name}: ${cases[name].ratios['ours/jose'].ratio.toFixed(2)}x jose (${Math.round(performance.now() - started)} ms)`);
    }
    const miniflareVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/miniflare/package.json'), 'utf8')).version;
    return { runtime: `workerd (miniflare ${miniflareVersion}, compatibility date ${compatibilityDate})`, clock, cases, shapes, cold, pids: pids.length };
  } finally {
    await mf.dispose();
  }
}
