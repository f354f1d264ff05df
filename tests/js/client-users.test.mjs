// The Users API operations through OktaClient: every user status against the emulator's documented status
// table, admin targets, unknown users, logins with special characters (resolved by search, ids in paths),
// password policy violations, session revocation, reset links, temporary passwords, and no secret in errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STATUSES } from '../emulator/user-model.mjs';
import {
  SIGNINGS, STATUS_TABLE, addUser, apiRequests, assertNoSecrets, oktaId, rejectsWith, since, startOrg, strongPassword,
} from './support.mjs';

const POLICY_CAUSE =
  'password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.';
const RESET_NOT_ALLOWED = "Password reset is not allowed in the user's current status";
const SUMMARIES = { E0000017: 'Password reset failed', E0000038: "This operation is not allowed in the user's current status." };

let org;
before(async () => {
  org = await startOrg();
});
after(() => org.close());

const trace = (requests) => requests.map((r) => `${r.method} ${r.path}`);

test('the status table used here is the one tests/emulator/README.md documents, for every status the emulator has', () => {
  assert.deepEqual(Object.keys(STATUS_TABLE).sort(), [...STATUSES].sort());
});

const OPERATIONS = {
  setPassword: { column: 0, run: (client, user, password) => client.setPassword(user.id, password) },
  resetPassword: { column: 1, run: (client, user) => client.resetPassword(user.id, { sendEmail: false }) },
  expirePassword: { column: 2, run: (client, user) => client.expirePassword(user.id) },
  'expirePassword(tempPassword)': { column: 2, run: (client, user) => client.expirePassword(user.id, { tempPassword: true }) },
};

for (const signing of SIGNINGS) {
  describe(`${signing}: user status rules`, () => {
    let client;
    before(async () => {
      client = await org.connect(signing);
    });

    for (const status of Object.keys(STATUS_TABLE)) {
      for (const [name, { column, run }] of Object.entries(OPERATIONS)) {
        const expected = STATUS_TABLE[status][column];
        const fails = expected.startsWith('E0');
        test(`${status}: ${name} → ${fails ? `okta_user_status (${expected})` : expected}`, async () => {
          const user = addUser(org.emu, { status });
          const before = structuredClone(user);
          const password = strongPassword();
          if (fails) {
            const error = await rejectsWith(run(client, user, password), 'okta_user_status', {
              status: 403,
              errorCode: expected,
              errorSummary: SUMMARIES[expected],
              errorCauses: expected === 'E0000017' ? [RESET_NOT_ALLOWED] : [],
              retryable: false,
            });
            assert.match(error.message, /not allowed for this user's current status/);
            assert.match(error.errorId, /^oae/);
            assert.deepEqual(user, before, 'the user record is unchanged');
            assertNoSecrets(error, [password]);
            return;
          }
          const result = await run(client, user, password);
          assert.equal(user.status, expected, 'status after the operation');
          if (name === 'setPassword') {
            assert.equal(result.id, user.id);
            assert.equal(result.status, expected);
            assert.equal(user.password, password);
            assert.equal(user.passwordChangedCount, 1);
          } else if (name === 'resetPassword') {
            assert.deepEqual(result, { resetPasswordUrl: `${org.emu.orgUrl}/reset_password/${user.recoveryToken}` });
            assert.equal(user.password, before.password, 'a reset does not change the password');
          } else if (name === 'expirePassword') {
            assert.deepEqual(result, {});
            assert.equal(user.password, before.password);
          } else {
            assert.deepEqual(Object.keys(result), ['tempPassword']);
            assert.equal(result.tempPassword, user.password);
            assert.equal(user.passwordChangedCount, 1);
          }
        });
      }
    }
  });

  describe(`${signing}: targets`, () => {
    let client;
    before(async () => {
      client = await org.connect(signing);
    });

    test('getUser returns the trimmed OktaUser, never a credential', async () => {
      const user = addUser(org.emu, { firstName: 'Uma', lastName: 'Ulrich' });
      const result = await client.getUser(user.id);
      assert.deepEqual(result, {
        id: user.id,
        status: 'ACTIVE',
        login: user.profile.login,
        email: user.profile.email,
        firstName: 'Uma',
        lastName: 'Ulrich',
        passwordChanged: user.passwordChanged,
      });
      assert.deepEqual(await client.getUser(user.profile.login), result, 'the same user by login');
    });

    test('an administrator as target: every change is okta_permission_denied for an Org Admin app; reads work', async () => {
      const admin = addUser(org.emu, { isAdmin: true });
      const before = structuredClone(admin);
      assert.equal((await client.getUser(admin.id)).id, admin.id);
      const password = strongPassword();
      for (const change of [
        () => client.setPassword(admin.id, password),
        () => client.setPassword(admin.profile.login, password),
        () => client.resetPassword(admin.id, { sendEmail: true }),
        () => client.expirePassword(admin.id),
        () => client.expirePassword(admin.id, { tempPassword: true }),
        () => client.revokeSessions(admin.id),
      ]) {
        const error = await rejectsWith(change(), 'okta_permission_denied', { status: 403, errorCode: 'E0000006', retryable: false });
        assert.match(error.fix, /Super Administrator/);
        assertNoSecrets(error, [password]);
      }
      assert.deepEqual(admin, before);
    });

    test('an administrator as target with a Super Admin app: the change goes through', async () => {
      const admin = addUser(org.emu, { isAdmin: true });
      const app = org.emu.addApp({ clientId: oktaId('0oa'), jwks: structuredClone(org.emu.apps.get(org.demo.clientId).jwks), roles: ['SUPER_ADMIN'] });
      const superClient = await org.connect(signing, { clientId: app.clientId });
      const password = strongPassword();
      await superClient.setPassword(admin.id, password);
      assert.equal(admin.password, password);
    });

    test('unknown users: okta_user_not_found by id (Okta\'s 404) and by login (empty search), nothing changed', async () => {
      const id = oktaId('00u');
      let mark = org.emu.requests.length;
      await rejectsWith(client.getUser(id), 'okta_user_not_found', {
        status: 404,
        errorCode: 'E0000007',
        errorSummary: `Not found: Resource not found: ${id} (User)`,
        retryable: false,
      });
      await rejectsWith(client.setPassword(id, strongPassword()), 'okta_user_not_found', { status: 404 });
      await rejectsWith(client.revokeSessions(id), 'okta_user_not_found', { status: 404 });
      assert.deepEqual(trace(apiRequests(since(org.emu, mark))), [`GET /api/v1/users/${id}`, `POST /api/v1/users/${id}`, `DELETE /api/v1/users/${id}/sessions`]);

      mark = org.emu.requests.length;
      for (const call of [
        () => client.getUser('nobody@example.com'),
        () => client.setPassword('nobody@example.com', strongPassword()),
        () => client.resetPassword('nobody@example.com', { sendEmail: true }),
        () => client.expirePassword('nobody@example.com', { tempPassword: true }),
        () => client.revokeSessions('nobody@example.com'),
      ]) {
        const error = await rejectsWith(call(), 'okta_user_not_found');
        assert.equal(error.status, undefined, 'no Okta error: the search simply found nobody');
      }
      const requests = apiRequests(since(org.emu, mark));
      assert.equal(requests.length, 5);
      assert.ok(requests.every((r) => r.method === 'GET' && r.path === '/api/v1/users'), 'only searches, no change was sent');
    });

    test('a login cannot inject search terms: quotes are escaped and only an exact match is accepted', async () => {
      const mark = org.emu.requests.length;
      await rejectsWith(client.getUser('nobody" or profile.login eq "alice@example.com'), 'okta_user_not_found');
      const [search] = apiRequests(since(org.emu, mark));
      assert.equal(search.query.search, 'profile.login eq "nobody\\" or profile.login eq \\"alice@example.com"');
    });

    const specialLogins = ['bob+test@example.com', 'carol/ops@example.com', 'zoë@example.com', 'o"neil\\x@example.com', 'dash-and_under.score#1@example.com'];
    for (const login of specialLogins) {
      test(`login ${login}: resolved through search; every path carries the id only`, async () => {
        const user = org.emu.getUser(login) ?? org.emu.addUser({ login, password: 'Init-Passw0rd-9' });
        const mark = org.emu.requests.length;
        assert.equal((await client.getUser(login)).id, user.id);
        const password = strongPassword();
        const updated = await client.setPassword(login, password);
        assert.equal(updated.id, user.id);
        assert.equal(user.password, password);
        await client.revokeSessions(login);
        const requests = apiRequests(since(org.emu, mark));
        assert.deepEqual(trace(requests), [
          'GET /api/v1/users',
          'GET /api/v1/users',
          `POST /api/v1/users/${user.id}`,
          'GET /api/v1/users',
          `DELETE /api/v1/users/${user.id}/sessions`,
        ]);
        const escaped = login.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
        for (const search of requests.filter((r) => r.path === '/api/v1/users')) {
          assert.deepEqual(search.query, { search: `profile.login eq "${escaped}"`, limit: '2' });
        }
        for (const request of requests) {
          assert.ok(!decodeURIComponent(request.path).includes(login.split('@')[0]), `login leaked into ${request.path}`);
        }
        assert.ok(requests.every((r) => r.status < 300), requests.map((r) => r.status).join());
      });
    }

    test('logins match case-insensitively (ASCII)', async () => {
      assert.equal((await client.getUser('ALICE@Example.COM')).login, 'alice@example.com');
    });

    test('logins match case-insensitively (non-ASCII, as Okta\'s search does)', async () => {
      // The emulator (like Okta) finds zoë@example.com for `profile.login eq "ZOË@example.com"`; the client
      // re-filters the search results with an ASCII-only case-insensitive comparison.
      const zoe = org.emu.getUser('zoë@example.com');
      assert.equal((await client.getUser('ZOË@example.com')).id, zoe.id);
    });

    test('invalid arguments are refused before any request', async () => {
      const user = addUser(org.emu);
      const mark = org.emu.requests.length;
      for (const call of [
        () => client.getUser(''),
        () => client.getUser('   '),
        () => client.getUser('a\nb@example.com'),
        () => client.getUser('x'.repeat(513)),
        () => client.setPassword(user.id, ''),
        () => client.setPassword(user.id, 'Nul\0-Passw0rd'),
        () => client.setPassword(user.id, `Aa1${'x'.repeat(1030)}`),
        () => client.resetPassword(user.id, {}),
        () => client.resetPassword(user.id, { sendEmail: 'yes' }),
      ]) {
        const error = await rejectsWith(call(), 'invalid_argument');
        assert.equal(error.retryable, false);
      }
      assert.equal(since(org.emu, mark).length, 0);
      assert.equal(user.passwordChangedCount, 0);
    });
  });

  describe(`${signing}: password policy`, () => {
    let client;
    before(async () => {
      client = await org.connect(signing);
    });

    test('a password that misses the policy: okta_password_policy with Okta\'s causes; nothing changed', async () => {
      const user = addUser(org.emu);
      const before = structuredClone(user);
      const local = user.profile.login.split('@')[0];
      for (const password of ['short', 'alllowercase1', 'NoDigitsHere', `Aa1-${local}-x`]) {
        const error = await rejectsWith(client.setPassword(user.id, password), 'okta_password_policy', {
          status: 400,
          errorCode: 'E0000001',
          errorSummary: 'Api validation failed: password',
          errorCauses: [POLICY_CAUSE],
          retryable: false,
        });
        assert.match(error.errorId, /^oae/);
        assert.match(error.fix, /password policy/);
        assert.ok(error.message.includes(POLICY_CAUSE));
        assertNoSecrets(error, [password]);
      }
      assert.deepEqual(user, before);
    });

    test('a recently used password is refused (strict=true): "Password has been used too recently"', async () => {
      const user = addUser(org.emu);
      const password = strongPassword();
      await client.setPassword(user.id, password);
      const mark = org.emu.requests.length;
      const error = await rejectsWith(client.setPassword(user.id, password), 'okta_password_policy', {
        errorCauses: ['password: Password has been used too recently'],
      });
      assertNoSecrets(error, [password]);
      assert.deepEqual(apiRequests(since(org.emu, mark)).map((r) => r.query), [{ strict: 'true' }]);
      assert.equal(user.passwordChangedCount, 1);
    });

    test('a stricter org policy is reported with its own requirements', async (t) => {
      const saved = org.emu.passwordPolicy;
      org.emu.passwordPolicy = { ...saved, minLength: 14, symbol: true };
      t.after(() => {
        org.emu.passwordPolicy = saved;
      });
      const user = addUser(org.emu);
      const error = await rejectsWith(client.setPassword(user.id, 'Abcdefgh12345'), 'okta_password_policy');
      assert.deepEqual(error.errorCauses, [
        'password: Password requirements were not met. Password requirements: at least 14 characters, a lowercase letter, an uppercase letter, a number, a symbol, no parts of your username.',
      ]);
      const { tempPassword } = await client.expirePassword(user.id, { tempPassword: true });
      assert.ok(tempPassword.length >= 14, 'Okta generates the temporary password to fit the policy');
    });
  });

  describe(`${signing}: sessions, reset links and temporary passwords`, () => {
    let client;
    before(async () => {
      client = await org.connect(signing);
    });

    test('revokeSessions: DELETE /users/{id}/sessions; sessions cleared, OAuth tokens kept', async () => {
      const user = addUser(org.emu);
      assert.deepEqual([user.sessions, user.oauthTokens], [1, 1]);
      const mark = org.emu.requests.length;
      assert.equal(await client.revokeSessions(user.id), undefined);
      const [request] = apiRequests(since(org.emu, mark));
      assert.deepEqual([request.method, request.path, request.query, request.status], ['DELETE', `/api/v1/users/${user.id}/sessions`, {}, 204]);
      assert.deepEqual([user.sessions, user.oauthTokens], [0, 1]);
    });

    test('setPassword: sessions kept by default, revoked (a second request) with revokeSessions', async () => {
      const kept = addUser(org.emu);
      await client.setPassword(kept.id, strongPassword());
      assert.equal(kept.sessions, 1);
      const revoked = addUser(org.emu);
      const mark = org.emu.requests.length;
      await client.setPassword(revoked.id, strongPassword(), { revokeSessions: true });
      assert.deepEqual(trace(apiRequests(since(org.emu, mark))), [`POST /api/v1/users/${revoked.id}`, `DELETE /api/v1/users/${revoked.id}/sessions`]);
      assert.equal(revoked.sessions, 0);
    });

    test('setPassword + revokeSessions when the revocation fails: the error says the password was applied', async () => {
      const user = addUser(org.emu);
      org.emu.addFault({ method: 'DELETE', path: `/api/v1/users/${user.id}/sessions`, kind: 'status', status: 500, times: 3 });
      const password = strongPassword();
      const error = await rejectsWith(client.setPassword(user.id, password, { revokeSessions: true }), 'okta_server_error', { status: 500 });
      assert.match(error.message, /^the password change was applied, but revoking the user's sessions failed/);
      assert.equal(user.password, password);
      assert.equal(user.passwordChangedCount, 1, 'the password change itself was not repeated');
      assertNoSecrets(error, [password, await client.accessToken()]);
    });

    test('resetPassword sendEmail: true → {} and an email; sendEmail: false → the one-time link, no email', async () => {
      const emailed = addUser(org.emu);
      let mark = org.emu.requests.length;
      assert.deepEqual(await client.resetPassword(emailed.id, { sendEmail: true }), {});
      assert.deepEqual(apiRequests(since(org.emu, mark))[0].query, { sendEmail: 'true', revokeSessions: 'false' });
      assert.deepEqual([emailed.resetEmailsSent, emailed.status, emailed.sessions], [1, 'RECOVERY', 1]);

      const linked = addUser(org.emu);
      mark = org.emu.requests.length;
      const { resetPasswordUrl } = await client.resetPassword(linked.profile.login, { sendEmail: false, revokeSessions: true });
      assert.equal(resetPasswordUrl, `${org.emu.orgUrl}/reset_password/${linked.recoveryToken}`);
      const requests = apiRequests(since(org.emu, mark));
      assert.deepEqual(trace(requests), ['GET /api/v1/users', `POST /api/v1/users/${linked.id}/lifecycle/reset_password`]);
      assert.deepEqual(requests[1].query, { sendEmail: 'false', revokeSessions: 'true' });
      assert.deepEqual([linked.resetEmailsSent, linked.status, linked.sessions], [0, 'RECOVERY', 0]);
    });

    test('expirePassword without a temporary password: {} and PASSWORD_EXPIRED; revokeSessions adds a DELETE', async () => {
      const user = addUser(org.emu);
      const password = user.password;
      let mark = org.emu.requests.length;
      assert.deepEqual(await client.expirePassword(user.id), {});
      assert.deepEqual(trace(apiRequests(since(org.emu, mark))), [`POST /api/v1/users/${user.id}/lifecycle/expire_password`]);
      assert.deepEqual([user.status, user.password, user.sessions], ['PASSWORD_EXPIRED', password, 1]);

      const other = addUser(org.emu);
      mark = org.emu.requests.length;
      assert.deepEqual(await client.expirePassword(other.id, { revokeSessions: true }), {});
      assert.deepEqual(trace(apiRequests(since(org.emu, mark))), [
        `POST /api/v1/users/${other.id}/lifecycle/expire_password`,
        `DELETE /api/v1/users/${other.id}/sessions`,
      ]);
      assert.equal(other.sessions, 0);
    });

    test('expirePassword with a temporary password: returned once, is the user\'s new password; revokeSessions via the query', async () => {
      const user = addUser(org.emu);
      const mark = org.emu.requests.length;
      const { tempPassword } = await client.expirePassword(user.id, { tempPassword: true, revokeSessions: true });
      assert.equal(typeof tempPassword, 'string');
      assert.equal(tempPassword, user.password);
      const requests = apiRequests(since(org.emu, mark));
      assert.deepEqual(trace(requests), [`POST /api/v1/users/${user.id}/lifecycle/expire_password_with_temp_password`]);
      assert.deepEqual(requests[0].query, { revokeSessions: 'true' });
      assert.deepEqual([user.status, user.sessions], ['PASSWORD_EXPIRED', 0]);
      const second = await client.expirePassword(user.id, { tempPassword: true });
      assert.notEqual(second.tempPassword, tempPassword);
    });

    test('no error ever carries a password, the access token, a reset link or a temporary password', async () => {
      const user = addUser(org.emu);
      const token = await client.accessToken();
      const { resetPasswordUrl } = await client.resetPassword(user.id, { sendEmail: false });
      const { tempPassword } = await client.expirePassword(user.id, { tempPassword: true });
      const good = strongPassword();
      await client.setPassword(user.id, good);
      const secrets = [token, resetPasswordUrl, resetPasswordUrl.split('/').pop(), tempPassword, good];
      const errors = [];
      const collect = async (promise) => errors.push(await promise.then(() => assert.fail('expected a failure'), (e) => e));
      await collect(client.setPassword(user.id, good));
      const weak = `Aa1-${user.profile.login.split('@')[0]}`;
      secrets.push(weak);
      await collect(client.setPassword(user.id, weak));
      const lost = strongPassword();
      secrets.push(lost);
      org.emu.addFault({ method: 'POST', path: new RegExp(`^/api/v1/users/${user.id}$`), kind: 'drop', when: 'after' });
      await collect(client.setPassword(user.id, lost));
      org.emu.addFault({ method: 'POST', path: `/api/v1/users/${user.id}/lifecycle/expire_password_with_temp_password`, kind: 'malformed', when: 'after' });
      await collect(client.expirePassword(user.id, { tempPassword: true }));
      secrets.push(user.password);
      org.emu.addFault({ method: 'POST', path: `/api/v1/users/${user.id}/lifecycle/reset_password`, kind: 'status', status: 500, when: 'after' });
      await collect(client.resetPassword(user.id, { sendEmail: false }));
      secrets.push(user.recoveryToken);
      await collect(client.setPassword(oktaId('00u'), strongPassword()));
      assert.deepEqual(errors.map((e) => e.code), [
        'okta_password_policy', 'okta_password_policy', 'outcome_unknown', 'outcome_unknown', 'outcome_unknown', 'okta_user_not_found',
      ]);
      for (const error of errors) assertNoSecrets(error, secrets);
    });
  });
}
