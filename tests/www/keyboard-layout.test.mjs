// Keyboard-only Connect, labels on every input, and the layout at 390 px and 1440 px (no horizontal overflow).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectDemo, demoConfig, findUser, openConnectDialog, openPage, screenshot, setup } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.teardown();
});

const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** Presses Tab (or Shift+Tab) until the element with `id` has the focus; fails after `max` presses. */
async function tabTo(page, id, { max = 25, back = false } = {}) {
  for (let i = 0; i < max; i += 1) {
    if ((await activeId(page)) === id) return i;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`#${id} is not reachable with ${back ? 'Shift+' : ''}Tab (focus is on #${await activeId(page)})`);
}

test('keyboard only: open the dialog, Escape, reopen, fill every field, Connect, find a user, act, Disconnect', async () => {
  const { server, browser } = env;
  const page = await openPage(browser, server);
  const config = demoConfig(server);

  await tabTo(page, 'connect-open');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#connect-dialog[open]');
  assert.equal(await activeId(page), 'orgUrl', 'focus starts in the first field');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#connect-dialog:not([open])', { state: 'attached' });
  assert.equal(await activeId(page), 'connect-open', 'Escape closes the dialog and returns the focus');

  await page.keyboard.press('Enter');
  await page.waitForSelector('#connect-dialog[open]');
  await page.keyboard.type(config.orgUrl);
  await page.keyboard.press('Tab');
  assert.equal(await activeId(page), 'clientId');
  await page.keyboard.type(config.clientId);
  await page.keyboard.press('Tab');
  assert.equal(await activeId(page), 'privateKey');
  await page.keyboard.insertText(config.privateKey); // what Ctrl+V does
  await page.keyboard.press('Tab');
  assert.equal(await activeId(page), 'key-file-button', 'the key file can be chosen by keyboard too');
  await page.keyboard.press('Tab');
  assert.equal(await activeId(page), 'keyId');
  await page.keyboard.type(config.keyId);
  await page.waitForSelector('#connect-submit:not([disabled])');
  await tabTo(page, 'connect-submit');
  await screenshot(page, 'keyboard-1-connect-focused');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#okta-panel:not([hidden])', { timeout: 20_000 });
  assert.equal(await activeId(page), 'connected-heading', 'the focus moves to the Connected state');

  await tabTo(page, 'find-login');
  await page.keyboard.type('frank@example.com');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#find-result .user-card');
  await tabTo(page, 'reset-email');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.$eval('#reset-link', (input) => input.checked), true, 'radios move with the arrow keys');
  await tabTo(page, 'reset-submit');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#reset-result .alert-success');
  await screenshot(page, 'keyboard-2-reset-link', { fullPage: true });

  await tabTo(page, 'disconnect', { back: true, max: 40 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#okta-panel[hidden]', { state: 'attached' });
  assert.equal(await activeId(page), 'connect-open');

  // Focus is always visible: the focused button draws an outline.
  const outline = await page.$eval('#connect-open', (button) => getComputedStyle(button).outlineStyle);
  assert.notEqual(outline, 'none');
  await page.context().close();
});

test('every input, textarea and button has an accessible name', async () => {
  const { server, browser } = env;
  const page = await openPage(browser, server);
  const unnamedControls = () => page.evaluate(() => {
    const missing = [];
    for (const control of document.querySelectorAll('input, textarea, select, button')) {
      if (control.type === 'hidden' || control.hidden || control.closest('[hidden]')) continue;
      const named = control.labels?.length > 0 || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby') ||
        (control.tagName === 'BUTTON' && control.textContent.trim());
      if (!named) missing.push(control.id || control.outerHTML.slice(0, 60));
    }
    return missing;
  });
  await openConnectDialog(page);
  assert.deepEqual(await unnamedControls(), [], 'the Connect dialog');
  await page.click('#connect-cancel');
  await connectDemo(page, server);
  await findUser(page, 'alice@example.com');
  assert.deepEqual(await unnamedControls(), [], 'the connected panel and the password actions');
  await page.context().close();
});

/** Elements that stick out of the viewport horizontally, and whether the document scrolls sideways. */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const offenders = [];
    for (const element of document.querySelectorAll('body *')) {
      if (element.closest('.visually-hidden, [hidden], .skip-link')) continue;
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.right > width + 1 || box.left < -1) offenders.push(`${element.tagName.toLowerCase()}#${element.id}.${element.className}`);
    }
    return { scrolls: document.documentElement.scrollWidth > width, offenders: offenders.slice(0, 5) };
  });
}

for (const width of [390, 1440]) {
  test(`layout at ${width} px: catalog, dialog with errors and checks, connected panel — no horizontal overflow`, async () => {
    const { server, browser } = env;
    const page = await openPage(browser, server, { width, height: width < 500 ? 844 : 900 });
    assert.deepEqual(await overflow(page), { scrolls: false, offenders: [] }, 'catalog');
    await screenshot(page, `layout-${width}-1-catalog`);

    await openConnectDialog(page);
    await page.fill('#orgUrl', 'https://acme-admin.okta.com/app/UserHome');
    await page.fill('#clientId', 'my app');
    await page.fill('#privateKey', '{"kty":"RSA","n":"abc","e":"AQAB"}');
    await page.waitForSelector('#privateKey-problems li');
    assert.deepEqual(await overflow(page), { scrolls: false, offenders: [] }, 'dialog with problems');
    await screenshot(page, `layout-${width}-2-dialog-problems`);

    await page.fill('#orgUrl', server.orgUrl);
    await page.fill('#clientId', '0oaWRONGWRONGWRONG12');
    await page.fill('#privateKey', server.demo.privateKeyPem);
    await page.waitForSelector('#connect-submit:not([disabled])');
    await page.click('#connect-submit');
    await page.waitForSelector('#verify-summary.is-error');
    assert.deepEqual(await overflow(page), { scrolls: false, offenders: [] }, 'dialog with a failed check');
    await screenshot(page, `layout-${width}-3-dialog-failed-check`);
    await page.click('#connect-cancel');

    await connectDemo(page, server);
    await findUser(page, 'carol/ops@example.com');
    await page.check('#reset-link');
    await page.click('#reset-submit');
    await page.waitForSelector('#reset-result .alert');
    await page.fill('#set-password', 'short');
    await page.click('#set-submit');
    await page.waitForSelector('#set-result .alert-error');
    assert.deepEqual(await overflow(page), { scrolls: false, offenders: [] }, 'connected panel with results');
    await screenshot(page, `layout-${width}-4-connected`, { fullPage: true });
    await page.context().close();
  });
}
