// The hostile-input corpus (tests/js/hostile-corpus.mjs) in headless Chromium: the package loaded the way a page
// loads it (an import map naming 'okta-connect' → the package's index.browser.js, the wasm served as
// application/wasm next to it), every case run in the page, one node:test subtest per case. Each case must end in
// a normal result or an OktaConnectError (never a wasm trap or a glue TypeError), and the same instance must still
// parse, sign (verified with the page's WebCrypto) and validate after it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, describe, test } from 'node:test';
import { launchBrowser } from '../www/helpers.mjs';

const PKG = new URL('../../pkg/', import.meta.url);
const CORPUS = new URL('../js/hostile-corpus.mjs', import.meta.url);
const PAGE_MODULE = new URL('./hostile-page.mjs', import.meta.url);
const FIXTURES = new URL('../fixtures/keys/', import.meta.url);

const TYPES = { '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8' };
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>okta-connect hostile corpus</title>
<script type="importmap">{ "imports": { "okta-connect": "/pkg/index.browser.js" } }</script>
<script type="module" src="/hostile-page.mjs"></script>
</head><body></body></html>`;

/** The key fixtures the corpus and the page use, as one JSON object { name: text }. */
function fixturesJson() {
  const names = readdirSync(FIXTURES).filter((name) => /\.(pem|json|b64)$/.test(name));
  return JSON.stringify(Object.fromEntries(names.map((name) => [name, readFileSync(new URL(name, FIXTURES), 'utf8')])));
}

/** A static server on 127.0.0.1: the page, its module, the corpus, the fixtures, and pkg/ (flat, no traversal). */
async function startServer() {
  const fixtures = fixturesJson();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    try {
      if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed');
      if (path === '/') return send(200, 'text/html; charset=utf-8', PAGE);
      if (path === '/favicon.ico') return send(204, 'image/x-icon', '');
      if (path === '/hostile-page.mjs') return send(200, TYPES['.mjs'], await readFile(PAGE_MODULE));
      if (path === '/corpus/hostile-corpus.mjs') return send(200, TYPES['.mjs'], await readFile(CORPUS));
      if (path === '/fixtures.json') return send(200, TYPES['.json'], fixtures);
      const file = /^\/pkg\/([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(path)?.[1];
      const type = file && TYPES[file.slice(file.lastIndexOf('.'))];
      if (type) return send(200, type, await readFile(new URL(file, PKG)));
      return send(404, 'text/plain', 'not found');
    } catch {
      return send(404, 'text/plain', 'not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

const { server, url } = await startServer();
const browser = await launchBrowser();
after(async () => {
  await browser.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const pageErrors = [];
const consoleErrors = [];
const wasmResponses = [];
let page;

/** A fresh page with the corpus loaded; after a crash the remaining cases run in a new one. */
async function openPage() {
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('response', (response) => {
    if (response.url().endsWith('.wasm')) wasmResponses.push({ status: response.status(), type: response.headers()['content-type'] });
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 }).catch((error) => {
    throw new Error(`the hostile page did not load: ${error.message}; page errors: ${pageErrors.join(' | ')}; console: ${consoleErrors.join(' | ')}`);
  });
}

await openPage();
const names = await page.evaluate(() => window.hostile.names);
const userAgent = await page.evaluate(() => window.hostile.userAgent);

test('the package loads in Chromium through the import map, with the wasm served as application/wasm', (t) => {
  t.diagnostic(userAgent);
  assert.ok(wasmResponses.length >= 1, 'the page fetched the wasm');
  assert.deepEqual(wasmResponses[0], { status: 200, type: 'application/wasm' });
});

test('the corpus in the page has at least 300 uniquely named cases', (t) => {
  t.diagnostic(`${names.length} hostile cases in Chromium`);
  assert.ok(names.length >= 300, `${names.length} cases`);
  assert.equal(new Set(names).size, names.length, 'case names are unique');
});

const runs = new Map();

describe('Chromium: every hostile case ends in a result or an OktaConnectError, and the module still works', () => {
  names.forEach((name, index) => {
    test(name, { timeout: 120_000 }, async () => {
      let run;
      try {
        run = await page.evaluate((i) => window.hostile.run(i), index);
      } catch (error) {
        // A crashed or hung page is a failure of this case; the next cases get a fresh page.
        const crashed = page.isClosed() ? 'the page closed' : error.message;
        await page.close().catch(() => {});
        await openPage();
        assert.fail(`the page failed while running this case: ${crashed}`);
      }
      runs.set(index, run);
      assert.equal(run.name, name, 'the page ran the case of this name');
      assert.equal(run.failure, null, run.failure ?? '');
      assert.equal(run.broken, null, `the module no longer works after this case: ${run.broken}`);
    });
  });
});

test('Chromium: the module still works after 50 rounds of every quick rejection', { timeout: 300_000 }, async (t) => {
  const quick = [...runs].filter(([, run]) => run.threw && run.ms < 1).map(([index]) => index);
  t.diagnostic(`${quick.length} quick rejections`);
  assert.equal(await page.evaluate(({ indices, rounds }) => window.hostile.repeat(indices, rounds), { indices: quick, rounds: 50 }), null);
});

test('Chromium: the module still works after the whole corpus, with no uncaught page error', async () => {
  assert.equal(await page.evaluate(() => window.hostile.moduleProblem()), null);
  assert.deepEqual(pageErrors, [], 'no uncaught page errors');
  assert.deepEqual(consoleErrors, [], 'no console errors');
});
