// `make bench`: every figure of the benchmark suite, side by side with panva's jose, in one run. Prints the
// summary table and writes bench-output/ (ignored by git): results.md, results.json, one chart-<runtime>.png
// per runtime, and the jose bundle and names-bearing wasm copy the figures were taken from.
//
// Nothing here is a timed test: every speed figure is a ratio of two things measured in the same run,
// interleaved, because these machines are shared and noisy. Exit status: 0 when every figure was measured
// (whether or not it meets its target), 1 when a part failed to run.
//
// Environment: BENCH_ONLY=size,node,memory,roundtrips,chromium,workerd (default: all), BENCH_OUT (default
// bench-output), BENCH_QUICK=1 (fewer cold-start samples, for trying the suite out), CHROMIUM (browser path).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = resolve(ROOT, process.env.BENCH_OUT ?? 'bench-output');
const ONLY = (process.env.BENCH_ONLY ?? 'size,node,memory,roundtrips,chromium,workerd').split(',').map((s) => s.trim());
const QUICK = process.env.BENCH_QUICK === '1';
const COLD = { node: QUICK ? 4 : 12, chromium: QUICK ? 3 : 30, workerd: QUICK ? 3 : 8 };
const started = Date.now();
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

/**
 * Waits for pkg/ (another engineer may be rebuilding it): its wasm, manifest and the node_modules link, and no
 * pkg/.gitignore (wasm-pack writes one and scripts/build.sh removes it last, so it marks a build under way).
 */
async function waitForPackage() {
  const needed = ['pkg/okta_connect_bg.wasm', 'pkg/package.json', 'pkg/index.node.js', 'pkg/index.workerd.js', 'pkg/index.browser.js', 'node_modules/okta-connect/package.json'];
  for (let waited = 0; ; waited += 30) {
    if (needed.every((file) => existsSync(join(ROOT, file))) && !existsSync(join(ROOT, 'pkg/.gitignore'))) return;
    if (waited >= 600) throw new Error(`pkg/ is missing (${needed.filter((f) => !existsSync(join(ROOT, f))).join(', ')}): run make build`);
    log(`pkg/ is not there (being rebuilt?); waiting 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
}

const pkgHash = () => createHash('sha256').update(readFileSync(join(ROOT, 'pkg/okta_connect_bg.wasm'))).digest('hex').slice(0, 16);

/** Runs `node <script> …args` in a fresh process; its stdout is one JSON document. */
function child(script, args = [], { quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk) => { out += chunk; });
    proc.stderr?.on('data', (chunk) => { err += chunk; });
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited ${code}${err ? `: ${err.slice(-1500)}` : ''}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`${script} printed no JSON: ${out.slice(0, 300)}`));
      }
    });
  });
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function main() {
  await mkdir(OUT, { recursive: true });
  await waitForPackage();
  const hashBefore = pkgHash();
  const results = {
    meta: { date: new Date().toISOString(), cpus: cpus().length, loadBefore: loadavg(), node: process.version, commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown', dirty: git(['status', '--porcelain']) !== '', pkgWasmSha256: hashBefore },
    runtimes: {},
    errors: [],
  };
  const part = async (name, fn) => {
    if (!ONLY.includes(name)) return undefined;
    const t = Date.now();
    log(`${name}…`);
    try {
      const value = await fn();
      log(`${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      return value;
    } catch (error) {
      log(`${name} FAILED: ${error.stack ?? error}`);
      results.errors.push(`${name}: ${String(error.message ?? error).split('\n')[0]}`);
      return { error: String(error.message ?? error).split('\n')[0] };
    }
  };

  // Size first: it also writes the jose bundle the Chromium and workerd cold starts load.
  const { measureSize } = await import('./lib/size.mjs');
  const size = await part('size', () => measureSize(OUT));
  if (size && !size.error) results.size = size;
  const needBundle = ONLY.includes('chromium') || ONLY.includes('workerd');
  if (needBundle && !existsSync(join(OUT, 'jose-subset.mjs'))) {
    const { bundleJose } = await import('./lib/size.mjs');
    const bundle = await bundleJose(['SignJWT', 'importPKCS8', 'generateKeyPair', 'exportJWK'], OUT);
    await writeFile(join(OUT, 'jose-subset.mjs'), bundle.minified.code);
  }

  results.runtimes.node = await part('node', async () => {
    const speed = await child('bench/node/speed.mjs');
    const cold = { ours: [], jose: [] };
    for (let i = -1; i < COLD.node; i++) {
      for (const which of i % 2 ? ['jose', 'ours'] : ['ours', 'jose']) {
        const sample = await child('bench/node/cold.mjs', [which]);
        if (i >= 0) cold[which].push(sample); // sample -1 warms the file system cache for both
      }
    }
    return { ...speed, cold };
  });
  const memory = await part('memory', () => child('bench/node/memory.mjs'));
  if (memory && !memory.error) results.memory = memory;
  const roundTrips = await part('roundtrips', () => child('bench/node/roundtrips.mjs'));
  if (roundTrips && !roundTrips.error) results.roundTrips = roundTrips;

  // Chromium runs the browser figures and draws the charts.
  let browser;
  try {
    const { launchBrowser } = await import('./chromium/run.mjs');
    browser = await launchBrowser();
  } catch (error) {
    results.errors.push(`Chromium did not start: ${String(error.message).split('\n')[0]}`);
  }
  try {
    if (ONLY.includes('chromium')) {
      results.runtimes.chromium = browser
        ? await part('chromium', async () => (await import('./chromium/run.mjs')).runChromium({ browser, outDir: OUT, coldSamples: COLD.chromium, log }))
        : { error: 'Chromium did not start' };
    }
    results.runtimes.workerd = await part('workerd', async () => (await import('./workerd/run.mjs')).runWorkerd({ outDir: OUT, coldSamples: COLD.workerd, log }));
    for (const key of Object.keys(results.runtimes)) if (results.runtimes[key] === undefined) delete results.runtimes[key];

    results.meta.loadAfter = loadavg();
    results.meta.durationSeconds = Math.round((Date.now() - started) / 1000);
    results.meta.pkgChanged = existsSync(join(ROOT, 'pkg/okta_connect_bg.wasm')) && pkgHash() !== hashBefore;

    const { RUNTIME_NAMES, markdown, summaryRows, summaryTable } = await import('./lib/report.mjs');
    const rows = summaryRows(results);
    results.summary = rows;
    await writeFile(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(OUT, 'results.md'), `${markdown(results, rows)}\n`);

    if (browser) {
      const { chartRows, chartSvg, renderPng } = await import('./lib/chart.mjs');
      for (const [key, run] of Object.entries(results.runtimes)) {
        if (!run || run.error) continue;
        const rowsOfRuntime = chartRows(key, run);
        if (!rowsOfRuntime.length) continue;
        const svg = chartSvg(`okta-connect ÷ jose in ${RUNTIME_NAMES[key]}`, [
          `${run.runtime}; ${results.meta.date.slice(0, 16).replace('T', ' ')} UTC, commit ${results.meta.commit}${results.meta.dirty ? ' + local changes' : ''}`,
          'bar: median ratio, whisker: 95% interval, red tick: target, grey ◆: bare crypto.subtle.sign ÷ jose (the native floor)',
        ], rowsOfRuntime);
        await writeFile(join(OUT, `chart-${key}.svg`), svg);
        await renderPng(browser, svg, join(OUT, `chart-${key}.png`));
      }
    }
    process.stdout.write(`\n${summaryTable(rows)}\n\n`);
    if (results.meta.pkgChanged) process.stdout.write('WARNING: pkg/ changed during the run (another build): figures may mix two builds.\n');
    for (const e of results.errors) process.stdout.write(`ERROR: ${e}\n`);
    process.stdout.write(`Written: ${relative(process.cwd(), OUT) || '.'}/results.md, results.json, chart-*.png (${results.meta.durationSeconds} s)\n`);
  } finally {
    await browser?.close();
  }
  process.exitCode = results.errors.length ? 1 : 0;
}

await main();
