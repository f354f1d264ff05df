// What the admin sees when the pasted values or the Okta setup are wrong: field errors with their fix and
// setup step, and the failed verification check with its fix.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkStatuses, demoConfig, fillConfig, keySecrets, assertNoLeaks, openConnectDialog, openPage, screenshot, setup, waitConnectEnabled } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.teardown();
});

async function problems(page, field) {
  return page.$$eval(`#${field}-problems > li`, (items) => items.map((li) => ({ code: li.dataset.code, text: li.textContent })));
}

test('a public key pasted: the key field shows the error, its fix and setup step 3; Connect stays disabled', async () => {
  const { server, browser } = env;
  const page = await openPage(browser, server);
  await openConnectDialog(page);
  const publicPem = createPublicKey(server.demo.privateKeyPem).export({ type: 'spki', format: 'pem' });
  await fillConfig(page, { ...demoConfig(server), privateKey: publicPem, keyId: undefined });
  await page.waitForSelector('#privateKey-problems [data-code="key_is_public"]');
  const [problem] = await problems(page, 'privateKey');
  assert.equal(problem.code, 'key_is_public');
  assert.match(problem.text, /This is a public key/);
  assert.match(problem.text, /copy the private key/, 'the fix is shown under the field');
  assert.match(problem.text, /Setup step 3/);
  assert.equal(await page.$eval('#privateKey', (e) => e.getAttribute('aria-invalid')), 'true');
  assert.equal(await page.$eval('#connect-submit', (b) => b.disabled), true, 'Connect is disabled while the config is invalid');
  assert.deepEqual(await problems(page, 'orgUrl'), [], 'the valid fields show no problem');

  // The setup step link opens the guide at that step.
  await page.click('#privateKey-problems .step-link');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'step-3');
  assert.equal(await page.$eval('#step-3', (e) => e.classList.contains('is-highlighted')), true);
  await screenshot(page, 'failure-1-public-key');

  // Missing values are reported once a field has been visited.
  await page.fill('#clientId', '');
  await page.focus('#orgUrl');
  await page.waitForSelector('#clientId-problems [data-code="client_id_missing"]');
  await page.context().close();
});

test('a dropped .json key file and a chosen .pem file both fill the key field', async () => {
  const { server, browser } = env;
  const page = await openPage(browser, server);
  await openConnectDialog(page);
  await page.fill('#orgUrl', server.orgUrl);
  await page.fill('#clientId', server.demo.clientId);
  // Drop the JWK as a file onto the field.
  await page.evaluate((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'okta-key.json', { type: 'application/json' }));
    const zone = document.getElementById('key-dropzone');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, JSON.stringify(server.demo.privateJwk));
  await waitConnectEnabled(page);
  assert.equal(await page.$eval('#privateKey', (e) => JSON.parse(e.value).kid), server.demo.kid);

  // Choose the PEM file with the file button.
  const dir = await mkdtemp(join(tmpdir(), 'okta-key-'));
  const pemPath = join(dir, 'okta-private-key.pem');
  await writeFile(pemPath, server.demo.privateKeyPem, { mode: 0o600 });
  await page.fill('#privateKey', '');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#key-file-button')]);
  await chooser.setFiles(pemPath);
  await page.waitForFunction(() => document.getElementById('privateKey').value.startsWith('-----BEGIN PRIVATE KEY-----'));
  await rm(dir, { recursive: true, force: true });
  await waitConnectEnabled(page);
  await assertNoLeaks(page, keySecrets(server));
  await page.context().close();
});

test('a wrong client ID: the client authentication check fails with its fix', async () => {
  const { server, browser } = env;
  const page = await openPage(browser, server);
  await openConnectDialog(page);
  await fillConfig(page, { ...demoConfig(server), clientId: '0oaWRONGWRONGWRONG12' });
  await waitConnectEnabled(page);
  await page.click('#connect-submit');
  await page.waitForSelector('#verify-summary.is-error');
  assert.deepEqual(await checkStatuses(page), { config: 'pass', reachable: 'pass', client_auth: 'fail', dpop: 'skip', scope: 'skip', role: 'skip' });
  const failed = await page.textContent('[data-check="client_auth"]');
  assert.match(failed, /Okta rejected the client authentication/);
  assert.match(failed, /Fix: Copy the Client ID again/);
  assert.match(failed, /Setup step 6/);
  assert.match(await page.textContent('#verify-summary'), /Client authentication \(private key JWT\)" failed/);
  assert.equal(await page.textContent('#connect-submit'), 'Try again');
  assert.equal(await page.$eval('#okta-panel', (e) => e.hidden), true, 'not connected');
  await screenshot(page, 'failure-2-wrong-client-id');

  // Fix the client ID in place and try again: connected.
  await page.fill('#clientId', server.demo.clientId);
  await waitConnectEnabled(page);
  await page.click('#connect-submit');
  await page.waitForSelector('#okta-panel:not([hidden])');
  await page.context().close();
});

test('a missing scope: the scope check fails with the Grant step', async () => {
  const { server, browser } = env;
  const app = server.emu.apps.get(server.demo.clientId);
  app.scopes = [];
  try {
    const page = await openPage(browser, server);
    await openConnectDialog(page);
    await fillConfig(page, demoConfig(server));
    await waitConnectEnabled(page);
    await page.click('#connect-submit');
    await page.waitForSelector('#verify-summary.is-error');
    assert.deepEqual(await checkStatuses(page), { config: 'pass', reachable: 'pass', client_auth: 'pass', dpop: 'pass', scope: 'fail', role: 'skip' });
    const failed = await page.textContent('[data-check="scope"]');
    assert.match(failed, /Okta refused the scope okta\.users\.manage/);
    assert.match(failed, /Fix: In the Admin Console open the app > Okta API Scopes and click Grant next to okta\.users\.manage/);
    assert.match(failed, /Setup step 4/);
    await page.click('[data-check="scope"] .step-link');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'step-4');
    await screenshot(page, 'failure-3-missing-scope');
    await page.context().close();
  } finally {
    app.scopes = ['okta.users.manage'];
  }
});

test('a missing admin role: the role check fails with the role step', async () => {
  const { server, browser } = env;
  const app = server.emu.apps.get(server.demo.clientId);
  app.roles = [];
  try {
    const page = await openPage(browser, server);
    await openConnectDialog(page);
    await fillConfig(page, demoConfig(server));
    await waitConnectEnabled(page);
    await page.click('#connect-submit');
    await page.waitForSelector('#verify-summary.is-error');
    assert.equal((await checkStatuses(page)).role, 'fail');
    assert.match(await page.textContent('[data-check="role"]'), /Assign the Organization Administrator role/);
    assert.match(await page.textContent('[data-check="role"]'), /Setup step 5/);
    await page.context().close();
  } finally {
    app.roles = ['ORG_ADMIN'];
  }
});

test('an org the relay does not serve: the page accepts the loopback URL, the relay refuses it', async () => {
  const { server, browser } = env;
  const page = await openPage(browser, server);
  await openConnectDialog(page);
  // The page's demo policy accepts any loopback URL; the relay forwards only to the emulator's origin.
  await fillConfig(page, { ...demoConfig(server), orgUrl: 'http://127.0.0.1:9' });
  await waitConnectEnabled(page);
  await page.click('#connect-submit');
  await page.waitForSelector('#verify-summary.is-error');
  assert.equal((await checkStatuses(page)).reachable, 'fail');
  assert.match(await page.textContent('[data-check="reachable"]'), /the platform's Okta relay answered: the target is not an Okta org URL the platform accepts/);
  await screenshot(page, 'failure-4-relay-refused');
  await page.context().close();
});
