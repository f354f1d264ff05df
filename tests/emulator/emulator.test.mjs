// The emulator's harness: faults, rate limits, the server clock, CORS, the request log, reset(),
// the demo seed and the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { importPKCS8 } from 'jose';
import { callApi, connectedClient, createKeys, obtainToken, registerApp, requestToken, signAssertion } from './client-kit.mjs';
import { startEmulator } from './okta-emulator.mjs';
import { seedDemo } from './seed.mjs';
import { STATUSES } from './user-model.mjs';

let emu;
let client;
let user;
before(async () => {
  emu = await startEmulator();
  client = await connectedClient(emu);
  user = emu.addUser({ login: 'harness@example.com', password: 'Initial-Passw0rd' });
});
after(() => emu.close());
beforeEach(() => emu.reset());

const resetPath = () => `/api/v1/users/${user.id}/lifecycle/reset_password?sendEmail=false`;
const setPasswordBody = { credentials: { password: { value: 'Fault-Tolerant-42' } } };

describe('faults', () => {
  beforeEach(() => {
    user.status = 'ACTIVE';
  });

  test('status before: answered with an Okta 5xx body, operation not applied', async () => {
    emu.addFault({ method: 'POST', path: '/api/v1/users/', kind: 'status', status: 503 });
    const response = await client.call({ method: 'POST', path: resetPath() });
    assert.equal(response.status, 503);
    assert.equal((await response.json()).errorCode, 'E0000009');
    assert.equal(user.status, 'ACTIVE');
    assert.equal(emu.faults.length, 0);
  });

  test('status after: operation applied, response lost', async () => {
    emu.addFault({ path: /reset_password$/, kind: 'status', status: 502, when: 'after' });
    assert.equal((await client.call({ method: 'POST', path: resetPath() })).status, 502);
    assert.equal(user.status, 'RECOVERY');
  });

  test('drop before and after', async () => {
    const changes = user.passwordChangedCount;
    emu.addFault({ method: 'POST', kind: 'drop' });
    await assert.rejects(client.call({ method: 'POST', path: `/api/v1/users/${user.id}`, body: setPasswordBody }));
    assert.equal(user.passwordChangedCount, changes);
    emu.addFault({ method: 'POST', kind: 'drop', when: 'after' });
    await assert.rejects(client.call({ method: 'POST', path: `/api/v1/users/${user.id}`, body: setPasswordBody }));
    assert.equal(user.passwordChangedCount, changes + 1);
    assert.equal(emu.requests.at(-1).status, 0);
  });

  test('delay, then the normal answer', async () => {
    emu.addFault({ kind: 'delay', delayMs: 150 });
    const started = performance.now();
    const response = await client.call({ path: `/api/v1/users/${user.id}` });
    assert.ok(performance.now() - started >= 140);
    assert.equal(response.status, 200);
  });

  test('malformed and huge bodies', async () => {
    emu.addFault({ path: '/oauth2/v1/token', kind: 'malformed' });
    const malformed = await requestToken(emu, client);
    assert.equal(malformed.status, 200);
    await assert.rejects(malformed.json(), SyntaxError);
    emu.addFault({ kind: 'huge' });
    const huge = await client.call({ path: `/api/v1/users/${user.id}` });
    assert.ok(Number(huge.headers.get('content-length')) >= 10 * 1024 * 1024);
    await huge.arrayBuffer();
  });

  test('times, method and path filters', async () => {
    emu.addFault({ method: 'GET', path: '/api/v1/users', kind: 'status', status: 500, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await client.call({ path: `/api/v1/users/${user.id}` })).status);
    assert.deepEqual(statuses, [500, 500, 200]);
  });
});

describe('rate limits', () => {
  test('headers on every response and 429 E0000047 when the users bucket is empty', async () => {
    emu.rateLimits.users = { limit: 2, windowSeconds: 60 };
    try {
      const first = await client.call({ path: `/api/v1/users/${user.id}` });
      assert.equal(first.headers.get('x-rate-limit-limit'), '2');
      assert.equal(first.headers.get('x-rate-limit-remaining'), '1');
      const reset = Number(first.headers.get('x-rate-limit-reset'));
      assert.ok(reset > emu.nowSeconds() && reset <= emu.nowSeconds() + 60);
      await client.call({ path: '/api/v1/users/nobody' });
      const limited = await client.call({ path: `/api/v1/users/${user.id}` });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('x-rate-limit-remaining'), '0');
      assert.deepEqual(
        (({ errorCode, errorSummary }) => ({ errorCode, errorSummary }))(await limited.json()),
        { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' },
      );
      const other = await connectedClient(emu);
      assert.equal((await other.call({ path: `/api/v1/users/${user.id}` })).status, 200);
    } finally {
      emu.rateLimits.users = { limit: 600, windowSeconds: 60 };
    }
  });

  test('the token bucket is separate, per app, and answers with an Okta error object', async () => {
    emu.rateLimits.token = { limit: 1, windowSeconds: 60 };
    try {
      const bearerClient = await registerApp(emu, { dpop: false });
      assert.equal((await requestToken(emu, bearerClient)).status, 200);
      const limited = await requestToken(emu, bearerClient);
      assert.equal(limited.status, 429);
      assert.equal((await limited.json()).errorCode, 'E0000047');
      assert.equal((await client.call({ path: `/api/v1/users/${user.id}` })).status, 200);
    } finally {
      emu.rateLimits.token = { limit: 600, windowSeconds: 60 };
    }
  });
});

describe('server clock', () => {
  test('the Date header follows clockSkewSeconds', async () => {
    emu.clockSkewSeconds = 7200;
    try {
      const response = await client.call({ path: `/api/v1/users/${user.id}` });
      const skew = (Date.parse(response.headers.get('date')) - Date.now()) / 1000;
      assert.ok(Math.abs(skew - 7200) < 5, `skew ${skew}`);
    } finally {
      emu.clockSkewSeconds = 0;
    }
  });

  test('a client clock ahead of the server fails the assertion iat check', async () => {
    const bearerClient = await registerApp(emu, { dpop: false });
    const clientNow = emu.nowSeconds();
    emu.clockSkewSeconds = -30;
    try {
      const assertion = await signAssertion(emu, bearerClient, { claims: { iat: clientNow, exp: clientNow + 300 } });
      const response = await requestToken(emu, bearerClient, { form: { client_assertion: assertion } });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error_description, 'The client_assertion token must be issued before the current time.');
    } finally {
      emu.clockSkewSeconds = 0;
    }
  });
});

describe('CORS', () => {
  const origin = 'https://admin.example.com';

  test('preflight from a trusted origin', async () => {
    const response = await fetch(`${emu.orgUrl}/api/v1/users/${user.id}`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, dpop' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), origin);
    assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST, PUT, DELETE, OPTIONS');
    assert.equal(response.headers.get('access-control-allow-headers'), 'Authorization, DPoP, Content-Type, Accept');
  });

  test('actual responses expose the headers a client needs', async () => {
    const response = await client.call({ path: `/api/v1/users/${user.id}`, headers: { Origin: origin } });
    assert.equal(response.headers.get('access-control-allow-origin'), origin);
    assert.equal(
      response.headers.get('access-control-expose-headers'),
      'DPoP-Nonce, WWW-Authenticate, X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset, Date',
    );
  });

  test('untrusted origins get no CORS headers from /api/v1, the token endpoint answers every origin', async () => {
    emu.allowedOrigins = ['https://trusted.example.com'];
    try {
      const api = await fetch(`${emu.orgUrl}/api/v1/users`, { method: 'OPTIONS', headers: { Origin: origin } });
      assert.equal(api.headers.get('access-control-allow-origin'), null);
      const token = await fetch(emu.tokenUrl, { method: 'OPTIONS', headers: { Origin: origin } });
      assert.equal(token.headers.get('access-control-allow-origin'), origin);
    } finally {
      emu.allowedOrigins = ['*'];
    }
  });
});

test('the request log and reset()', async () => {
  const bearerClient = await registerApp(emu, { dpop: false });
  const assertion = await signAssertion(emu, bearerClient);
  await requestToken(emu, bearerClient, { form: { client_assertion: assertion } });
  await client.call({ path: '/api/v1/users?search=id%20eq%20%22x%22' });
  const [tokenPost, search] = emu.requests;
  assert.deepEqual(
    { method: tokenPost.method, path: tokenPost.path, status: tokenPost.status },
    { method: 'POST', path: '/oauth2/v1/token', status: 200 },
  );
  assert.equal(new URLSearchParams(tokenPost.body).get('client_assertion'), assertion);
  assert.equal(tokenPost.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(search.query, { search: 'id eq "x"' });
  assert.ok(search.headers.dpop);
  assert.ok(Math.abs(search.at - Date.now()) < 5000);

  emu.addFault({ kind: 'status' });
  emu.reset();
  assert.deepEqual([emu.requests.length, emu.faults.length], [0, 0]);
  assert.equal((await requestToken(emu, bearerClient, { form: { client_assertion: assertion } })).status, 200);
});

describe('seedDemo', () => {
  test('an app and users in every status that work end to end with the PEM key', async () => {
    const demoEmu = await startEmulator();
    try {
      const demo = await seedDemo(demoEmu);
      assert.match(demo.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.equal(demo.privateJwk.kid, demo.kid);
      assert.ok(demo.privateJwk.d);
      assert.deepEqual([...new Set(demo.users.map((u) => u.status))].sort(), [...STATUSES].sort());
      const logins = demo.users.map((u) => u.profile.login);
      for (const login of ['alice@example.com', 'bob+test@example.com', 'carol/ops@example.com', 'zoë@example.com']) {
        assert.ok(logins.includes(login), login);
      }
      assert.equal(demo.users.filter((u) => u.isAdmin).length, 1);

      const keys = { alg: 'RS256', privateKey: await importPKCS8(demo.privateKeyPem, 'RS256'), publicJwk: { kid: demo.kid } };
      const demoClient = { app: demoEmu.apps.get(demo.clientId), keys };
      const dpopKeys = await createKeys('ES256');
      const accessToken = await obtainToken(demoEmu, demoClient, dpopKeys);
      const response = await callApi(demoEmu, { accessToken, dpopKeys, path: `/api/v1/users/${encodeURIComponent('zoë@example.com')}` });
      assert.equal((await response.json()).profile.firstName, 'Zoë');
    } finally {
      await demoEmu.close();
    }
  });
});

test('the CLI seeds, writes the credentials file, and stops on SIGTERM', { timeout: 30_000 }, async () => {
  const out = join(await mkdtemp(join(tmpdir(), 'okta-emu-')), 'nested', 'creds.json');
  const child = spawn(process.execPath, [new URL('./cli.mjs', import.meta.url).pathname, '--out', out], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  while (!stdout.includes('credentials written to')) await once(child.stdout, 'data');
  const credentials = JSON.parse(await readFile(out, 'utf8'));
  assert.ok(stdout.includes(`listening at ${credentials.orgUrl}`));
  assert.ok(stdout.includes(`client ID: ${credentials.clientId}`));
  assert.ok(!stdout.includes('PRIVATE KEY'));
  assert.equal((await stat(out)).mode & 0o777, 0o600);
  assert.equal((await fetch(`${credentials.orgUrl}/oauth2/v1/token`, { method: 'POST' })).status, 401);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.match(stdout, /stopped/);
});
