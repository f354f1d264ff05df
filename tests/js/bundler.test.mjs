// The package through a real bundler (Vite/Rollup): the `browser` export condition, top-level await and the
// wasm asset referenced with `new URL(…, import.meta.url)` must survive bundling and run in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, rm, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const app = join(root, 'tests/bundler/app');
const out = join(root, 'test-output/bundler');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

function serve(dir) {
  const server = createServer(async (req, res) => {
    const path = normalize(join(dir, new URL(req.url, 'http://x').pathname === '/' ? 'index.html' : new URL(req.url, 'http://x').pathname));
    if (!path.startsWith(dir)) return res.writeHead(403).end();
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('a Vite build of an app importing okta-connect runs in Chromium', { timeout: 120_000 }, async () => {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({ root: app, logLevel: 'silent', build: { outDir: out, target: 'es2022', emptyOutDir: true } });
  const emitted = await import('node:fs/promises').then((fs) => fs.readdir(join(out, 'assets')));
  assert.ok(emitted.some((f) => f.endsWith('.wasm')), `the wasm is emitted as an asset: ${emitted}`);

  const server = await serve(out);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => document.querySelector('#result').textContent !== 'loading', null, { timeout: 20_000 });
    const result = JSON.parse(await page.textContent('#result'));
    assert.deepEqual(errors, []);
    assert.equal(result.orgUrl, 'https://acme.okta.com');
    assert.deepEqual(result.problems, ['org_url_admin_rewritten', 'key_missing']);
    assert.equal(result.proofParts, 3);
    assert.equal(result.client, 'function');
  } finally {
    await browser.close();
    server.close();
  }
});
