// The happy path in Chromium: paste the demo config, Connect (every check passes, through the relay),
// reset a user's password, see the result; nothing persisted or logged; Disconnect clears everything.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertNoLeaks, checkStatuses, connectDemo, demoConfig, fillConfig, findUser, keySecrets, openConnectDialog, openPage,
  screenshot, setup, waitConnectEnabled,
} from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.teardown();
});

test('happy path: paste the demo config, Connect, every check passes, reset a password', async () => {
  const { server, browser } = env;
  const page = await openPage(browser, server);
  await openConnectDialog(page);
  assert.equal(await page.$eval('#connect-submit', (b) => b.disabled), true, 'Connect starts disabled');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'orgUrl', 'the dialog opens on the first field');

  await fillConfig(page, demoConfig(server));
  await waitConnectEnabled(page);
  const summary = await page.textContent('#privateKey-summary');
  assert.match(summary, /RSA 2048-bit private key, RS256/);
  assert.ok(summary.includes(server.demo.kid), 'the parsed key shows its kid');

  // Record every state each check goes through while verify() runs.
  await page.evaluate(() => {
    window.seenStatuses = {};
    new MutationObserver(() => {
      for (const li of document.querySelectorAll('#verify-checks > li')) {
        (window.seenStatuses[li.dataset.check] ??= new Set()).add(li.dataset.status);
      }
    }).observe(document.getElementById('verify-checks'), { childList: true, subtree: true });
  });
  server.emu.reset();
  await page.click('#connect-submit');
  await page.waitForSelector('#verify-summary.is-success');
  assert.deepEqual(Object.values(await checkStatuses(page)), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
  await screenshot(page, 'happy-1-checks-passed');
  const seen = await page.evaluate(() => Object.fromEntries(Object.entries(window.seenStatuses).map(([id, s]) => [id, [...s]])));
  assert.ok(seen.reachable.includes('pending') && seen.reachable.includes('running') && seen.reachable.includes('pass'), `reachable went pending → running → pass: ${seen.reachable}`);
  assert.ok(seen.role.includes('running'), 'the role check is shown running');

  await page.waitForSelector('#okta-panel:not([hidden])');
  assert.equal(await page.$eval('#connect-dialog', (d) => d.open), false, 'the dialog closes once connected');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'connected-heading');
  assert.equal((await page.textContent('#okta-status')).trim(), 'Connected');
  assert.equal(await page.textContent('#fact-org'), server.orgUrl);
  assert.equal(await page.textContent('#fact-client'), server.demo.clientId);
  assert.equal(await page.textContent('#fact-alg'), 'RS256');
  assert.equal(await page.textContent('#fact-kid'), server.demo.kid);
  assert.equal(await page.textContent('#fact-thumbprint'), server.demo.kid, "the demo key's kid is its RFC 7638 thumbprint");
  assert.match(await page.textContent('#fact-dpop'), /In use/);
  assert.deepEqual(Object.values(await checkStatuses(page, '#connected-checks')), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);

  // Every request reached the emulator through the relay: no Origin header, the relay's user agent.
  const tokenRequests = server.emu.requests.filter((r) => r.path === '/oauth2/v1/token');
  assert.ok(tokenRequests.length >= 1, 'a token was requested');
  for (const request of server.emu.requests) {
    assert.equal(request.headers.origin, undefined, 'no Origin header reaches Okta');
    assert.equal(request.headers['user-agent'], 'okta-connect-relay');
    assert.equal(request.headers.cookie, undefined);
  }
  assert.ok(tokenRequests.every((r) => r.status === 200 || r.status === 400), 'token requests succeed (400 = the DPoP nonce challenge)');

  // Reset a user's password with a one-time link.
  await findUser(page, 'alice@example.com');
  assert.match(await page.textContent('#find-result'), /Alice Anderson/);
  assert.equal(await page.$eval('[data-user-status]', (e) => e.dataset.userStatus), 'ACTIVE');
  await page.check('#reset-link');
  await page.click('#reset-submit');
  await page.waitForSelector('#reset-result .alert');
  const link = await page.$eval('#reset-result input', (input) => input.value);
  assert.ok(link.startsWith(`${server.orgUrl}/reset_password/`), 'the one-time reset link is shown');
  assert.equal(server.emu.getUser('alice@example.com').status, 'RECOVERY');
  await page.waitForSelector('[data-user-status="RECOVERY"]');
  await screenshot(page, 'happy-2-reset-link', { fullPage: true });

  // And a reset email for another user.
  await findUser(page, 'bob+test@example.com');
  await page.check('#reset-email');
  await page.click('#reset-submit');
  await page.waitForSelector('#reset-result .alert-success');
  assert.match(await page.textContent('#reset-result'), /Okta sent a password reset email to bob\+test@example\.com/);
  assert.equal(server.emu.getUser('bob+test@example.com').resetEmailsSent, 1);

  await assertNoLeaks(page, [...keySecrets(server), link.split('/').pop()]);

  // Disconnect clears everything: the panel, the facts, the fields, and no secret is left in the DOM.
  await page.click('#disconnect');
  await page.waitForSelector('#okta-panel[hidden]', { state: 'attached' });
  assert.equal((await page.textContent('#okta-status')).trim(), 'Not connected');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'connect-open');
  const leftovers = await page.evaluate(() => {
    const values = [...document.querySelectorAll('input, textarea')].map((e) => e.value).join('\n');
    return document.documentElement.outerHTML + values;
  });
  for (const secret of [...keySecrets(server), server.demo.clientId, link]) assert.ok(!leftovers.includes(secret), 'Disconnect left a value in the page');
  await screenshot(page, 'happy-3-disconnected');
  await page.context().close();
});

test('the browser cannot call the token endpoint itself: the emulator refuses requests with an Origin', async () => {
  const { server, browser } = env;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.orgUrl}/api/v1/users`);
  const answer = await page.evaluate(async () => {
    const response = await fetch('/oauth2/v1/token', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    return { status: response.status, body: await response.json() };
  });
  assert.equal(answer.status, 401);
  assert.equal(answer.body.error, 'invalid_client');
  assert.match(answer.body.error_description, /Browser requests to the token endpoint must use Proof Key for Code Exchange/);
  await context.close();

  // The page itself is confined to its own origin by its CSP, so it can only reach Okta through the relay.
  const response = await fetch(server.pageUrl);
  assert.match(response.headers.get('content-security-policy'), /connect-src 'self'/);
  assert.match(response.headers.get('content-security-policy'), /form-action 'none'/);
});

test('a JWK private key (with its kid) connects too', async () => {
  const { server, browser } = env;
  const page = await openPage(browser, server);
  await connectDemo(page, server, { form: 'jwk' });
  assert.equal(await page.textContent('#fact-kid'), server.demo.kid);
  await assertNoLeaks(page, keySecrets(server));
  await page.context().close();
});
