// The Users API operations, their status rules and the password policy.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { connectedClient } from './client-kit.mjs';
import { startEmulator } from './okta-emulator.mjs';
import { STATUS_TABLE } from './status-table.mjs';
import { STATUSES } from './user-model.mjs';

const POLICY_FAILURE =
  'password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.';
const GOOD_PASSWORD = 'Correct-Horse-42';

let emu;
let client;
before(async () => {
  emu = await startEmulator();
  client = await connectedClient(emu, { roles: ['SUPER_ADMIN'] });
});
after(() => emu.close());
beforeEach(() => emu.reset());

let counter = 0;
function newUser(fields = {}) {
  counter += 1;
  return emu.addUser({ login: `user${counter}@example.com`, password: 'Initial-Passw0rd', ...fields });
}

async function errorOf(response, status) {
  assert.equal(response.status, status);
  return response.json();
}

function setPassword(user, value, query = '') {
  return client.call({ method: 'POST', path: `/api/v1/users/${user.id}${query}`, body: { credentials: { password: { value } } } });
}

function lifecycle(user, operation, query = '') {
  return client.call({ method: 'POST', path: `/api/v1/users/${user.id}/lifecycle/${operation}${query}` });
}

describe('GET /api/v1/users/{idOrLogin}', () => {
  test('by id: the User shape without a password value', async () => {
    const user = newUser({ firstName: 'Uma', lastName: 'Ulrich' });
    const response = await client.call({ path: `/api/v1/users/${user.id}` });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.id, user.id);
    assert.match(body.id, /^00u[0-9A-Za-z]{17}$/);
    assert.equal(body.status, 'ACTIVE');
    assert.deepEqual(body.credentials, { password: {}, provider: { type: 'OKTA', name: 'OKTA' } });
    assert.equal(body.profile.login, user.profile.login);
    assert.equal(body.profile.firstName, 'Uma');
    assert.equal(body._links.self.href, `${emu.orgUrl}/api/v1/users/${user.id}`);
    assert.equal(body._links.resetPassword.method, 'POST');
    assert.ok(!JSON.stringify(body).includes('Initial-Passw0rd'));
  });

  test('by URL-encoded login, including + and non-ASCII, and by shortname', async () => {
    const bob = newUser({ login: 'bob+test@example.com' });
    const zoe = newUser({ login: 'zoë@example.com' });
    for (const [key, user] of [['bob+test@example.com', bob], ['ZOË@example.com', zoe], ['bob+test', bob]]) {
      const response = await client.call({ path: `/api/v1/users/${encodeURIComponent(key)}` });
      assert.equal((await response.json()).id, user.id, key);
    }
  });

  test('a login containing "/" cannot be fetched by login, only by id', async () => {
    const carol = newUser({ login: 'carol/ops@example.com' });
    const byLogin = await client.call({ path: `/api/v1/users/${encodeURIComponent('carol/ops@example.com')}` });
    assert.equal(byLogin.status, 404);
    assert.equal((await client.call({ path: `/api/v1/users/${carol.id}` })).status, 200);
  });

  test('an unknown user', async () => {
    const body = await errorOf(await client.call({ path: '/api/v1/users/nobody%40example.com' }), 404);
    assert.equal(body.errorCode, 'E0000007');
    assert.equal(body.errorSummary, 'Not found: Resource not found: nobody@example.com (User)');
  });
});

describe('GET /api/v1/users', () => {
  let people;
  before(() => {
    people = {
      quote: newUser({ login: 'say"hi"@example.com' }),
      gone: newUser({ login: 'gone@example.com', status: 'DEPROVISIONED' }),
      mail: newUser({ login: 'mailuser@example.com', email: 'Shared.Mail@example.com' }),
    };
  });

  async function search(expression, extra = '') {
    const response = await client.call({ path: `/api/v1/users?search=${encodeURIComponent(expression)}${extra}` });
    assert.equal(response.status, 200);
    return (await response.json()).map((user) => user.id);
  }

  test('profile.login eq, with escaped quotes', async () => {
    assert.deepEqual(await search('profile.login eq "say\\"hi\\"@example.com"'), [people.quote.id]);
  });

  test('values and operators are case-insensitive; or joins terms; search includes DEPROVISIONED', async () => {
    const ids = await search(`profile.email EQ "shared.mail@EXAMPLE.com" or id eq "${people.gone.id}"`);
    assert.deepEqual(ids.sort(), [people.mail.id, people.gone.id].sort());
  });

  test('invalid search criteria', async () => {
    for (const expression of ['profile.login eq alice', 'profile.login sw "a" and', 'Profile.login eq "x"', '']) {
      const response = await client.call({ path: `/api/v1/users?search=${encodeURIComponent(expression)}` });
      const body = await errorOf(response, 400);
      assert.equal(body.errorCode, 'E0000031');
      assert.equal(body.errorSummary, 'Invalid search criteria.');
    }
  });

  test('listing without search omits DEPROVISIONED and pages with limit/after and Link', async () => {
    const first = await client.call({ path: '/api/v1/users?limit=2' });
    const page = await first.json();
    assert.equal(page.length, 2);
    assert.deepEqual(Object.keys(page[0]._links), ['self']);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link'))[1];
    assert.equal(new URL(next).searchParams.get('after'), page[1].id);
    const all = await (await client.call({ path: '/api/v1/users' })).json();
    assert.ok(!all.some((user) => user.status === 'DEPROVISIONED'));
    const rest = await (await client.call({ path: new URL(next).pathname + new URL(next).search })).json();
    assert.equal(rest[0].id, all[2].id);
  });
});

describe('set password: POST /api/v1/users/{id}', () => {
  test('success records the change and never echoes the password', async () => {
    const user = newUser({ status: 'PASSWORD_EXPIRED' });
    const response = await setPassword(user, GOOD_PASSWORD);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(!text.includes(GOOD_PASSWORD));
    const body = JSON.parse(text);
    assert.deepEqual(body.credentials.password, {});
    assert.equal(body.status, 'ACTIVE');
    assert.equal(user.password, GOOD_PASSWORD);
    assert.equal(user.passwordChangedCount, 1);
    assert.equal(body.passwordChanged, user.passwordChanged);
  });

  const policyCases = [
    ['too short', 'Ab1-x'],
    ['no uppercase', 'lower-case-42'],
    ['no lowercase', 'UPPER-CASE-42'],
    ['no number', 'No-Numbers-Here'],
    ['part of the username', 'Xx-Walter-42'],
  ];
  for (const [index, [name, value]] of policyCases.entries()) {
    test(`policy: ${name}`, async () => {
      const user = newUser({ login: `walter.white+${index}@example.com` });
      const body = await errorOf(await setPassword(user, value), 400);
      assert.deepEqual(
        { errorCode: body.errorCode, errorSummary: body.errorSummary, errorCauses: body.errorCauses },
        { errorCode: 'E0000001', errorSummary: 'Api validation failed: password', errorCauses: [{ errorSummary: POLICY_FAILURE }] },
      );
      assert.equal(user.passwordChangedCount, 0);
    });
  }

  test('the requirement list follows the policy', async () => {
    emu.passwordPolicy = { ...emu.passwordPolicy, minLength: 12, symbol: true, excludeUsername: false };
    try {
      const body = await errorOf(await setPassword(newUser(), 'Abcdefgh1234'), 400);
      assert.equal(
        body.errorCauses[0].errorSummary,
        'password: Password requirements were not met. Password requirements: at least 12 characters, a lowercase letter, an uppercase letter, a number, a symbol.',
      );
    } finally {
      emu.passwordPolicy = { ...emu.passwordPolicy, minLength: 8, symbol: false, excludeUsername: true };
    }
  });

  test('history is enforced only with strict=true', async () => {
    const user = newUser();
    assert.equal((await setPassword(user, 'Initial-Passw0rd')).status, 200);
    const body = await errorOf(await setPassword(user, 'Initial-Passw0rd', '?strict=true'), 400);
    assert.deepEqual(body.errorCauses, [{ errorSummary: 'password: Password has been used too recently' }]);
    assert.equal((await setPassword(user, GOOD_PASSWORD, '?strict=true')).status, 200);
  });

  test('a malformed body', async () => {
    const user = newUser();
    const response = await client.call({ method: 'POST', path: `/api/v1/users/${user.id}` });
    assert.equal((await errorOf(response, 400)).errorCode, 'E0000003');
  });

  test('a profile-only update merges the profile', async () => {
    const user = newUser();
    const response = await client.call({ method: 'POST', path: `/api/v1/users/${user.id}`, body: { profile: { nickName: 'Nick' } } });
    assert.equal((await response.json()).profile.nickName, 'Nick');
    assert.equal(user.profile.nickName, 'Nick');
    assert.equal(user.passwordChangedCount, 0);
  });
});

describe('status rules', () => {
  const operations = ['setPassword', 'reset_password', 'expire_password'];
  const summaries = {
    E0000017: 'Password reset failed',
    E0000038: "This operation is not allowed in the user's current status.",
  };

  function perform(operation, user) {
    if (operation === 'setPassword') return setPassword(user, GOOD_PASSWORD);
    return lifecycle(user, operation, operation === 'reset_password' ? '?sendEmail=false' : '');
  }

  for (const status of STATUSES) {
    for (const [index, operation] of operations.entries()) {
      const outcome = STATUS_TABLE[status][index];
      test(`${operation} on ${status} → ${outcome}`, async () => {
        const user = newUser({ status });
        const response = await perform(operation, user);
        if (outcome.startsWith('E0')) {
          const body = await errorOf(response, 403);
          assert.equal(body.errorCode, outcome);
          assert.equal(body.errorSummary, summaries[outcome]);
          assert.equal(user.status, status);
        } else {
          assert.equal(response.status, 200);
          assert.equal(user.status, outcome);
        }
      });
    }
  }

  test('E0000017 carries the reason as a cause', async () => {
    const body = await errorOf(await lifecycle(newUser({ status: 'STAGED' }), 'reset_password', '?sendEmail=false'), 403);
    assert.deepEqual(body.errorCauses, [{ errorSummary: "Password reset is not allowed in the user's current status" }]);
  });
});

describe('lifecycle operations', () => {
  test('reset_password?sendEmail=false returns a one-time URL', async () => {
    const user = newUser();
    const body = await (await lifecycle(user, 'reset_password', '?sendEmail=false')).json();
    assert.deepEqual(Object.keys(body), ['resetPasswordUrl']);
    assert.equal(body.resetPasswordUrl, `${emu.orgUrl}/reset_password/${user.recoveryToken}`);
    assert.equal(user.sessions, 1);
    assert.equal(user.resetEmailsSent, 0);
  });

  test('reset_password?sendEmail=true&revokeSessions=true emails and signs out', async () => {
    const user = newUser();
    const response = await lifecycle(user, 'reset_password', '?sendEmail=true&revokeSessions=true');
    assert.deepEqual(await response.json(), {});
    assert.equal(user.resetEmailsSent, 1);
    assert.equal(user.sessions, 0);
    assert.equal(user.status, 'RECOVERY');
  });

  test('expire_password returns the user', async () => {
    const user = newUser();
    const body = await (await lifecycle(user, 'expire_password')).json();
    assert.equal(body.id, user.id);
    assert.equal(body.status, 'PASSWORD_EXPIRED');
  });

  test('expire_password_with_temp_password returns a policy-compliant temporary password', async () => {
    const user = newUser();
    const response = await lifecycle(user, 'expire_password_with_temp_password', '?revokeSessions=true');
    const { tempPassword, ...rest } = await response.json();
    assert.deepEqual(rest, {});
    assert.match(tempPassword, /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,}$/);
    assert.equal(user.password, tempPassword);
    assert.equal(user.status, 'PASSWORD_EXPIRED');
    assert.equal(user.sessions, 0);
  });

  test('DELETE sessions, with and without oauthTokens; ids only', async () => {
    const user = newUser();
    const first = await client.call({ method: 'DELETE', path: `/api/v1/users/${user.id}/sessions` });
    assert.equal(first.status, 204);
    assert.equal(await first.text(), '');
    assert.deepEqual([user.sessions, user.oauthTokens], [0, 1]);
    await client.call({ method: 'DELETE', path: `/api/v1/users/${user.id}/sessions?oauthTokens=true` });
    assert.equal(user.oauthTokens, 0);
    const byLogin = await client.call({ method: 'DELETE', path: `/api/v1/users/${encodeURIComponent(user.profile.login)}/sessions` });
    assert.equal(byLogin.status, 404);
  });
});
