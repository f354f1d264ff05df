// The password actions panel against the connected demo org: Okta's password policy causes, a generated
// password, expire with a temporary password, revoke sessions, and Okta's errors shown plainly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoLeaks, connectDemo, findUser, keySecrets, openPage, screenshot, setup } from './helpers.mjs';

let env;
let page;
before(async () => {
  env = await setup();
  page = await openPage(env.browser, env.server);
  await connectDemo(page, env.server);
});
after(async () => {
  await env?.teardown();
});

const secretsSeen = [];

test("a password that breaks the org's policy: Okta's causes are shown", async () => {
  const { server } = env;
  await findUser(page, 'zoë@example.com');
  const before = server.emu.getUser('zoë@example.com').password;
  await page.fill('#set-password', 'zoe12345');
  assert.match(await page.textContent('#strength-text'), /misses a requirement/, 'local feedback warns before Okta does');
  assert.equal(await page.$eval('[data-rule="upper"]', (li) => li.classList.contains('is-met')), false);
  await page.click('#set-submit');
  await page.waitForSelector('#set-result .alert-error');
  const shown = await page.textContent('#set-result');
  assert.match(shown, /Okta refused the password: it does not meet the org's password policy/);
  assert.match(shown, /Okta’s reasons:/);
  assert.match(shown, /password: Password requirements were not met\. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username\./);
  assert.match(shown, /E0000001/);
  assert.match(shown, /HTTP 400/);
  assert.equal(server.emu.getUser('zoë@example.com').password, before, 'the password is unchanged');
  await screenshot(page, 'password-1-policy-violation', { fullPage: true });
  secretsSeen.push('zoe12345');
});

test('generate a password (CSPRNG, policy-shaped) and set it', async () => {
  const { server } = env;
  await findUser(page, 'alice@example.com');
  await page.click('#set-generate');
  const generated = await page.$eval('#set-password', (input) => input.value);
  assert.equal(generated.length, 20);
  assert.match(generated, /[a-z]/);
  assert.match(generated, /[A-Z]/);
  assert.match(generated, /[0-9]/);
  assert.match(generated, /[^A-Za-z0-9]/);
  assert.ok(!generated.toLowerCase().includes('alice'));
  assert.equal(await page.$eval('#set-password', (input) => input.type), 'text', 'a generated password is shown so it can be copied');
  assert.equal(await page.$$eval('#set-rules li:not(.is-met)', (items) => items.length), 0, 'every rule is met');
  assert.match(await page.textContent('#strength-text'), /Very strong/);
  // Two generations differ.
  await page.click('#set-generate');
  const second = await page.$eval('#set-password', (input) => input.value);
  assert.notEqual(second, generated);

  await page.check('#set-revoke');
  server.emu.getUser('alice@example.com').sessions = 2;
  await page.click('#set-submit');
  await page.waitForSelector('#set-result .alert-success');
  assert.match(await page.textContent('#set-result'), /Password set for alice@example\.com\.\s*The user was signed out everywhere\./);
  const alice = server.emu.getUser('alice@example.com');
  assert.equal(alice.password, second, 'Okta now has the generated password');
  assert.equal(alice.sessions, 0, 'and the sessions were revoked');
  assert.equal(await page.$eval('#set-password', (input) => input.value), '', 'the field is cleared after use');
  secretsSeen.push(second, generated);
});

test('expire with a temporary password, then revoke sessions', async () => {
  const { server } = env;
  await findUser(page, 'grace@example.com');
  assert.equal(await page.$eval('#expire-temp', (input) => input.checked), true);
  await page.click('#expire-submit');
  await page.waitForSelector('#expire-result .alert-success');
  const temp = await page.$eval('#expire-result input', (input) => input.value);
  assert.ok(temp.length >= 8, 'the temporary password is shown');
  assert.equal(server.emu.getUser('grace@example.com').status, 'PASSWORD_EXPIRED');
  assert.equal(server.emu.getUser('grace@example.com').password, temp);
  secretsSeen.push(temp);

  server.emu.getUser('grace@example.com').sessions = 3;
  await page.click('#revoke-submit');
  await page.waitForSelector('#revoke-result .alert-success');
  assert.match(await page.textContent('#revoke-result'), /All sessions of grace@example\.com were revoked/);
  assert.equal(server.emu.getUser('grace@example.com').sessions, 0);
  await screenshot(page, 'password-2-expire-revoke', { fullPage: true });
});

test("Okta's refusals are shown plainly: status rules, admin users, unknown users", async () => {
  await findUser(page, 'dave@example.com');
  await page.click('#reset-submit');
  await page.waitForSelector('#reset-result .alert-error');
  assert.match(await page.textContent('#reset-result'), /Okta does not allow this in the user's current status/);
  assert.match(await page.textContent('#reset-result'), /Password reset is not allowed in the user's current status/);

  await findUser(page, 'admin@example.com');
  await page.fill('#set-password', 'Another-Strong-Pass-42');
  await page.click('#set-submit');
  await page.waitForSelector('#set-result .alert-error');
  const refused = await page.textContent('#set-result');
  assert.match(refused, /The app's admin role does not allow this/);
  assert.match(refused, /Super Administrator/);
  assert.match(refused, /E0000006/);
  secretsSeen.push('Another-Strong-Pass-42');

  await findUser(page, 'nobody@example.com');
  assert.match(await page.textContent('#find-result'), /No user with this login or ID/);
  assert.equal(await page.$eval('#user-actions', (e) => e.hidden), true, 'no actions without a user');
  await screenshot(page, 'password-3-errors', { fullPage: true });
});

test('no password, temporary password or key reached storage, URLs or the console', async () => {
  await assertNoLeaks(page, [...keySecrets(env.server), ...secretsSeen.filter((s) => s.length >= 8)]);
});
