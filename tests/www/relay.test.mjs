// The Okta relay (www/server/relay.mjs): what it forwards, what it refuses, and that it logs nothing.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startEmulator } from '../emulator/okta-emulator.mjs';
import { seedDemo } from '../emulator/seed.mjs';
import { RelayRefusal, checkRelayRequest, createRelay, isNonPublicAddress } from '../../www/server/relay.mjs';

const PAGE = 'http://page.test';

function refusal(envelope, options, code) {
  assert.throws(() => checkRelayRequest(envelope, options), (error) => {
    assert.ok(error instanceof RelayRefusal, `a RelayRefusal, got ${error}`);
    assert.equal(error.code, code, `${envelope?.method} ${envelope?.url}`);
    return true;
  });
}

describe('checkRelayRequest: targets', () => {
  test('Okta orgs on the token endpoint and the Users API are accepted', () => {
    for (const [method, url] of [
      ['POST', 'https://acme.okta.com/oauth2/v1/token'],
      ['GET', 'https://acme.okta.com/api/v1/users?limit=1'],
      ['GET', 'https://acme.oktapreview.com/api/v1/users/00u1abc'],
      ['POST', 'https://acme.okta-emea.com/api/v1/users/00u1abc/lifecycle/reset_password?sendEmail=false'],
      ['DELETE', 'https://acme.okta.com/api/v1/users/00u1abc/sessions'],
      ['GET', 'https://acme.okta.com/api/v1/users?search=profile.login%20eq%20%22carol%2Fops%40example.com%22'],
    ]) {
      const target = checkRelayRequest({ method, url, headers: [], body: method === 'POST' ? 'x' : null });
      assert.equal(target.url.href, url);
      assert.equal(target.insecureLoopback, false);
    }
  });

  test('anything that is not an Okta org URL is refused', () => {
    for (const url of [
      'https://evil.example.com/oauth2/v1/token',
      'https://acme.okta.com.evil.example/oauth2/v1/token',
      'https://acme-admin.okta.com/oauth2/v1/token', // not the normalised org URL
      'http://acme.okta.com/oauth2/v1/token',
      'https://user:pw@acme.okta.com/oauth2/v1/token',
      'https://acme.okta.com:8443/oauth2/v1/token',
      'https://10.0.0.1/oauth2/v1/token',
      'https://[::1]/oauth2/v1/token',
      'https://169.254.169.254/oauth2/v1/token',
      'http://127.0.0.1:8788/oauth2/v1/token', // loopback only when it is the listed emulator
      'http://localhost:8788/oauth2/v1/token',
      'file:///etc/passwd',
      'https://acme.okta.com/oauth2/v1/token#frag',
    ]) {
      refusal({ method: 'POST', url, headers: [] }, { insecureLoopbackOrigins: ['http://127.0.0.1:9999'] }, 'target_not_allowed');
    }
    refusal({ method: 'POST', url: 'not a url' }, {}, 'bad_envelope');
    refusal({ method: 'POST', url: 'x'.repeat(5000) }, {}, 'bad_envelope');
  });

  test('the listed emulator origin (plain-http loopback) and explicit custom domains are accepted', () => {
    const loopback = checkRelayRequest({ method: 'POST', url: 'http://127.0.0.1:8788/oauth2/v1/token' }, { insecureLoopbackOrigins: ['http://127.0.0.1:8788'] });
    assert.equal(loopback.insecureLoopback, true);
    refusal({ method: 'POST', url: 'http://127.0.0.1:8789/oauth2/v1/token' }, { insecureLoopbackOrigins: ['http://127.0.0.1:8788'] }, 'target_not_allowed');
    assert.ok(checkRelayRequest({ method: 'POST', url: 'https://login.acme.com/oauth2/v1/token' }, { allowedHosts: ['login.acme.com'] }));
    refusal({ method: 'POST', url: 'https://login.acme.com/oauth2/v1/token' }, {}, 'target_not_allowed');
  });
});

describe('checkRelayRequest: paths, methods, headers, bodies', () => {
  const org = 'https://acme.okta.com';
  test('only the token endpoint and /api/v1/users are forwarded', () => {
    for (const path of ['/api/v1/groups', '/oauth2/v1/authorize', '/oauth2/default/v1/token', '/api/v1/usersX', '/api/v1/apps', '/', '/.well-known/openid-configuration', '/api/v1/users/../groups', '/api/v1/users/%2e%2e/groups', '/api/v1/users/%2E%2E%2Fgroups', '/api/v1/users//x']) {
      refusal({ method: 'GET', url: org + path }, {}, 'path_not_allowed');
    }
  });
  test('only GET, POST and DELETE, the token endpoint by POST without a query, no body on GET/DELETE', () => {
    for (const method of ['PUT', 'PATCH', 'HEAD', 'OPTIONS', 'get', 'CONNECT', undefined]) {
      refusal({ method, url: `${org}/api/v1/users/00u1` }, {}, 'method_not_allowed');
    }
    refusal({ method: 'GET', url: `${org}/oauth2/v1/token` }, {}, 'method_not_allowed');
    refusal({ method: 'POST', url: `${org}/oauth2/v1/token?grant_type=x` }, {}, 'path_not_allowed');
    refusal({ method: 'GET', url: `${org}/api/v1/users/00u1`, body: 'x' }, {}, 'bad_envelope');
    refusal({ method: 'POST', url: `${org}/api/v1/users/00u1`, body: { a: 1 } }, {}, 'bad_envelope');
    refusal(null, {}, 'bad_envelope');
    refusal([], {}, 'bad_envelope');
  });
  test('only Accept, Content-Type, Authorization and DPoP are forwarded', () => {
    const target = checkRelayRequest({
      method: 'POST',
      url: `${org}/api/v1/users/00u1`,
      headers: [['Accept', 'application/json'], ['Content-Type', 'application/json'], ['Authorization', 'DPoP abc'], ['DPoP', 'ey.x.y'],
        ['Cookie', 'sid=1'], ['Origin', PAGE], ['Host', 'internal'], ['X-Forwarded-For', '10.0.0.1'], ['Proxy-Authorization', 'x']],
      body: '{}',
    });
    assert.deepEqual(target.headers, { accept: 'application/json', 'content-type': 'application/json', authorization: 'DPoP abc', dpop: 'ey.x.y' });
    refusal({ method: 'GET', url: `${org}/api/v1/users`, headers: [['DPoP', 'a\r\nX-Injected: 1']] }, {}, 'bad_envelope');
    refusal({ method: 'GET', url: `${org}/api/v1/users`, headers: [['DPoP']] }, {}, 'bad_envelope');
    refusal({ method: 'GET', url: `${org}/api/v1/users`, headers: Array.from({ length: 40 }, () => ['Accept', 'x']) }, {}, 'bad_envelope');
  });
});

test('non-public addresses are recognised (DNS answers for Okta hosts are checked against them)', () => {
  for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1']) {
    assert.equal(isNonPublicAddress(address), true, address);
  }
  for (const address of ['8.8.8.8', '52.10.20.30', '2600:1f14::1', '::ffff:52.10.20.30']) {
    assert.equal(isNonPublicAddress(address), false, address);
  }
});

describe('the relay over HTTP, against the emulator', () => {
  let emu;
  let server;
  let relayUrl;
  const logged = [];
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'];
  const originals = {};

  before(async () => {
    emu = await startEmulator();
    await seedDemo(emu);
    const relay = createRelay({ pageOrigins: () => [PAGE], insecureLoopbackOrigins: [emu.orgUrl], timeoutMs: 500, maxResponseBytes: 64 * 1024 });
    server = createServer(relay);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    relayUrl = `http://127.0.0.1:${server.address().port}/api/okta-relay`;
    for (const method of consoleMethods) {
      originals[method] = console[method];
      console[method] = (...args) => logged.push(args.join(' '));
    }
  });
  after(async () => {
    for (const method of consoleMethods) console[method] = originals[method];
    server?.close();
    await emu?.close();
  });

  const call = (envelope, { origin = PAGE, contentType = 'application/json', method = 'POST', raw } = {}) =>
    fetch(relayUrl, { method, headers: { ...(origin && { Origin: origin }), 'Content-Type': contentType }, body: method === 'POST' ? raw ?? JSON.stringify(envelope) : undefined });

  test('forwards to the emulator without Origin, cookies or forwarding headers, and filters the answer', async () => {
    emu.reset();
    const response = await call({
      method: 'POST',
      url: `${emu.orgUrl}/oauth2/v1/token`,
      headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Origin', PAGE], ['Cookie', 'sid=1'], ['X-Forwarded-For', '1.2.3.4']],
      body: 'grant_type=client_credentials',
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const answer = await response.json();
    assert.equal(answer.status, 401, "Okta's status is passed through in the envelope");
    assert.equal(JSON.parse(answer.body).error, 'invalid_client');
    assert.doesNotMatch(JSON.parse(answer.body).error_description, /Browser requests/, 'the emulator did not see a browser request');
    const names = answer.headers.map(([name]) => name.toLowerCase());
    assert.ok(names.includes('content-type') && names.includes('date'));
    assert.ok(!names.includes('content-length') && !names.includes('connection') && !names.includes('access-control-allow-origin'));
    const [seen] = emu.requests;
    assert.equal(seen.headers.origin, undefined);
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers['x-forwarded-for'], undefined);
    assert.equal(seen.headers['user-agent'], 'okta-connect-relay');
  });

  test('refuses callers other than the page: other origins, cross-site, no Origin, not JSON, not POST', async () => {
    const envelope = { method: 'GET', url: `${emu.orgUrl}/api/v1/users` };
    emu.reset();
    assert.equal((await call(envelope, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await call(envelope, { origin: null })).status, 403);
    assert.equal((await call(envelope, { contentType: 'text/plain' })).status, 415);
    assert.equal((await call(envelope, { method: 'GET' })).status, 405);
    const crossSite = await fetch(relayUrl, { method: 'POST', headers: { Origin: PAGE, 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/json' }, body: JSON.stringify(envelope) });
    assert.equal(crossSite.status, 403);
    assert.equal((await call(undefined, { raw: '{not json' })).status, 400);
    assert.equal(emu.requests.length, 0, 'nothing reached Okta');
  });

  test('caps the request envelope and the upstream answer, and times out', async () => {
    const big = await call(undefined, { raw: JSON.stringify({ method: 'POST', url: `${emu.orgUrl}/oauth2/v1/token`, body: 'x'.repeat(70 * 1024) }) });
    assert.equal(big.status, 413);
    assert.equal((await big.json()).error, 'too_large');

    emu.addFault({ path: '/api/v1/users', times: 1, kind: 'huge' });
    const huge = await call({ method: 'GET', url: `${emu.orgUrl}/api/v1/users` });
    assert.equal(huge.status, 502);
    assert.equal((await huge.json()).error, 'upstream_too_large');

    emu.addFault({ path: '/api/v1/users', times: 1, kind: 'delay', delayMs: 2000 });
    const slow = await call({ method: 'GET', url: `${emu.orgUrl}/api/v1/users` });
    assert.equal(slow.status, 504);
    assert.equal((await slow.json()).error, 'upstream_timeout');

    emu.addFault({ path: '/api/v1/users', times: 1, kind: 'drop' });
    const dropped = await call({ method: 'GET', url: `${emu.orgUrl}/api/v1/users` });
    assert.equal(dropped.status, 502);
    assert.equal((await dropped.json()).error, 'upstream_unreachable');
  });

  test('refusals never echo the request, and nothing is logged', async () => {
    const secret = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWFzc2VydGlvbg.c2ln';
    const response = await call({ method: 'POST', url: `https://evil.example/oauth2/v1/token?${secret}`, body: `client_assertion=${secret}` });
    assert.equal(response.status, 403);
    assert.ok(!(await response.text()).includes(secret));
    assert.deepEqual(logged, [], 'the relay wrote nothing to the console');
  });
});
