// Shared by the integrations page tests: a demo server per test file, Debian's Chromium through
// playwright-core, and checks that secrets never leave the page's memory.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemoServer } from '../../www/server/demo-server.mjs';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-output/www/', import.meta.url));

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Starts a demo server (emulator + page + relay) on ephemeral ports, and a browser. */
export async function setup() {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const server = await startDemoServer({ port: 0, oktaPort: 0 });
  const browser = await launchBrowser();
  return {
    server,
    browser,
    async teardown() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * A fresh context and page, loaded and ready. `page.consoleMessages` and `page.pageErrors` collect what the
 * page printed; `page.requestUrls` every URL it requested.
 */
export async function openPage(browser, server, { width = 1440, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.consoleMessages = [];
  page.pageErrors = [];
  page.requestUrls = [];
  page.on('console', (message) => page.consoleMessages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => page.pageErrors.push(String(error)));
  page.on('request', (request) => page.requestUrls.push(request.url()));
  await page.goto(server.pageUrl);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

export async function screenshot(page, name, options = {}) {
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, ...options });
}

export async function openConnectDialog(page) {
  await page.click('#connect-open');
  await page.waitForSelector('#connect-dialog[open]');
}

/** Types the config the way an admin pastes it (fill fires the input events the page listens to). */
export async function fillConfig(page, { orgUrl, clientId, privateKey, keyId }) {
  await page.fill('#orgUrl', orgUrl);
  await page.fill('#clientId', clientId);
  await page.fill('#privateKey', privateKey);
  if (keyId !== undefined) await page.fill('#keyId', keyId);
}

export function demoConfig(server, { form = 'pem' } = {}) {
  const { demo, orgUrl } = server;
  return form === 'jwk'
    ? { orgUrl, clientId: demo.clientId, privateKey: JSON.stringify(demo.privateJwk, null, 2) }
    : { orgUrl, clientId: demo.clientId, privateKey: demo.privateKeyPem, keyId: demo.kid };
}

/** Waits for the live validation to settle and the Connect button to be enabled. */
export async function waitConnectEnabled(page) {
  await page.waitForSelector('#connect-submit:not([disabled])');
}

/** Connects with the demo config and waits for the Connected state. */
export async function connectDemo(page, server, options) {
  await openConnectDialog(page);
  await fillConfig(page, demoConfig(server, options));
  await waitConnectEnabled(page);
  await page.click('#connect-submit');
  await page.waitForSelector('#okta-panel:not([hidden])', { timeout: 20_000 });
}

/** The status of each check in a checklist: { config: 'pass', reachable: 'fail', … }. */
export async function checkStatuses(page, listSelector = '#verify-checks') {
  return page.$$eval(`${listSelector} > li`, (items) => Object.fromEntries(items.map((li) => [li.dataset.check, li.dataset.status])));
}

export async function findUser(page, login) {
  await page.fill('#find-login', login);
  await page.click('#find-submit');
  await page.waitForSelector(`#find-result .user-card, #find-result .alert`);
}

/** Secrets that must never appear in storage, cookies, URLs or the console. */
export function keySecrets(server) {
  const pemBody = server.demo.privateKeyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
  const jwk = server.demo.privateJwk;
  return [...pemBody.slice(1, 4), jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq].filter(Boolean);
}

/** Asserts nothing was persisted by the page and no secret reached a URL or the console. */
export async function assertNoLeaks(page, secrets) {
  const stored = await page.evaluate(async () => ({
    local: Object.keys(localStorage).length,
    session: Object.keys(sessionStorage).length,
    cookie: document.cookie,
    databases: indexedDB.databases ? (await indexedDB.databases()).length : 0,
    caches: (await caches.keys()).length,
    href: location.href,
  }));
  assert.equal(stored.local, 0, 'localStorage is empty');
  assert.equal(stored.session, 0, 'sessionStorage is empty');
  assert.equal(stored.cookie, '', 'no cookies');
  assert.equal(stored.databases, 0, 'no IndexedDB databases');
  assert.equal(stored.caches, 0, 'no Cache Storage');
  assert.deepEqual(await page.context().cookies(), [], 'no cookies in the browser context');
  const urls = [stored.href, ...page.requestUrls];
  for (const secret of secrets) {
    assert.ok(secret.length >= 8, 'secrets to look for are long enough to be meaningful');
    for (const url of urls) assert.ok(!url.includes(secret) && !url.includes(encodeURIComponent(secret)), `a secret appeared in a URL: ${url.slice(0, 80)}`);
    for (const line of page.consoleMessages) assert.ok(!line.includes(secret), 'a secret appeared in the console');
  }
  assert.deepEqual(page.pageErrors, [], 'no uncaught page errors');
  assert.deepEqual(page.consoleMessages.filter((line) => /^(error|warning):/.test(line)), [], 'no console errors or warnings');
}
