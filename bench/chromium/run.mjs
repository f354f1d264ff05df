// The same benchmark code (bench/lib/) in headless Chromium (Debian's, through playwright-core, as the page
// tests run it). A small static server on 127.0.0.1 serves:
//   /speed.html  import map: okta-connect -> the package's browser entry, jose -> jose's browser build
//                (node_modules/jose/dist/webapi/index.js, its unbundled ES modules); runs lib/cases.mjs runSpeed
//   /cold.html   one cold start per fresh browser context (own HTTP cache, own renderer): import the package,
//                parse the key, first assertion and proof; jose is loaded as the minified one-file bundle of
//                its subset (bench-output/jose-subset.mjs) — what a bundler ships — not as ~40 separate
//                module requests, which would make its start-up look worse than it is
// The pages are cross-origin isolated (COOP/COEP), which gives performance.now() 5 µs resolution instead of
// 100 µs.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { fixtureKeys } from '../lib/keys.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE_DIR = dirname(fileURLToPath(import.meta.resolve('okta-connect')));
const JOSE_DIR = join(dirname(fileURLToPath(import.meta.resolve('jose'))), '..', '..');

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const page = (importMap, script) => `<!doctype html><meta charset="utf-8"><title>okta-connect bench</title><link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports: importMap })}</script>
<script type="module">${script}</script>`;

const SPEED_PAGE = page(
  { 'okta-connect': '/node_modules/okta-connect/index.browser.js', jose: '/node_modules/jose/dist/webapi/index.js' },
  `import * as okta from 'okta-connect';
import * as jose from 'jose';
import { runSpeed } from '/bench/lib/cases.mjs';
const keys = await (await fetch('/keys.json')).json();
try {
  // Turn-by-turn interleaving with the 5 µs clock of a cross-origin isolated page (turns of >= 0.5 ms keep the
  // tick at 1%); batches otherwise.
  window.benchResult = await runSpeed({ okta, jose, keys, sampleMs: 5, turnMs: 0.5, interleave: crossOriginIsolated ? 'op' : 'batch', log: (line) => console.log(line) });
} catch (error) {
  window.benchResult = { error: String(error && error.stack || error) };
}`,
);

const COLD_PAGE = page(
  { 'okta-connect': '/node_modules/okta-connect/index.browser.js', jose: '/jose-subset.mjs' },
  `import { coldJose, coldOurs } from '/bench/lib/cases.mjs';
const keys = await (await fetch('/keys.json')).json();
const which = new URLSearchParams(location.search).get('which');
try {
  const result = which === 'ours' ? await coldOurs(() => import('okta-connect'), keys) : await coldJose(() => import('jose'), keys);
  window.benchResult = { which, ...result, sinceNavigationStart: performance.now() };
} catch (error) {
  window.benchResult = { error: String(error && error.stack || error) };
}`,
);

/** Serves the pages, bench/lib, the package, jose and the fixture keys (test-only keys). */
async function startServer(outDir) {
  const keys = JSON.stringify(fixtureKeys());
  const routes = [
    ['/node_modules/okta-connect/', PACKAGE_DIR],
    ['/node_modules/jose/', JOSE_DIR],
    ['/bench/lib/', join(ROOT, 'bench/lib')],
  ];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
    const send = (status, type, body) => {
      res.writeHead(status, { ...headers, 'content-type': type });
      res.end(body);
    };
    try {
      if (path === '/speed.html') return send(200, TYPES['.html'], SPEED_PAGE);
      if (path === '/cold.html') return send(200, TYPES['.html'], COLD_PAGE);
      if (path === '/keys.json') return send(200, TYPES['.json'], keys);
      if (path === '/jose-subset.mjs') return send(200, TYPES['.mjs'], await readFile(join(outDir, 'jose-subset.mjs')));
      for (const [prefix, dir] of routes) {
        if (!path.startsWith(prefix)) continue;
        const file = normalize(join(dir, path.slice(prefix.length)));
        if (!file.startsWith(dir)) break;
        return send(200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file));
      }
      send(404, 'text/plain', 'not found');
    } catch {
      send(404, 'text/plain', 'not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function openAndWait(browser, url, timeout, log) {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    tab.on('console', (message) => log?.(message.text()));
    tab.on('pageerror', (error) => log?.(`page error: ${error}`));
    await tab.goto(url);
    await tab.waitForFunction(() => window.benchResult !== undefined, null, { timeout, polling: 50 });
    const result = await tab.evaluate(() => window.benchResult);
    if (result.error) throw new Error(`Chromium: ${result.error}`);
    return { ...result, isolated: await tab.evaluate(() => crossOriginIsolated) };
  } finally {
    await context.close();
  }
}

/** Speed cases and `coldSamples` cold starts each (alternating), in Chromium. */
export async function runChromium({ browser, outDir, coldSamples = 10, log = () => {} }) {
  const server = await startServer(outDir);
  try {
    const version = browser.version();
    const speed = await openAndWait(browser, `${server.url}/speed.html`, 600_000, (line) => log(`chromium: ${line}`));
    const cold = { ours: [], jose: [] };
    for (let i = 0; i < coldSamples; i++) {
      // ABBA order: neither side always goes first.
      for (const which of i % 2 ? ['jose', 'ours'] : ['ours', 'jose']) {
        cold[which].push(await openAndWait(browser, `${server.url}/cold.html?which=${which}`, 60_000));
      }
    }
    return { runtime: `Chromium ${version} (headless)`, crossOriginIsolated: speed.isolated, ...speed, cold };
  } finally {
    await server.close();
  }
}
