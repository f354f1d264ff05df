// The demo server: what it serves (and refuses to), its security headers, and `scripts/demo.sh`:
// starts everything, prints the URLs and the credentials file, and Ctrl-C stops everything.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startDemoServer } from '../../www/server/demo-server.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let server;
before(async () => {
  server = await startDemoServer({ port: 0, oktaPort: 0 });
});
after(async () => {
  await server?.close();
});

test('serves the page, its modules and the installed package; nothing else', async () => {
  const page = await fetch(server.pageUrl);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<script type="importmap">\{"imports":\{"okta-connect":"\/node_modules\/okta-connect\/index.browser.js"\}\}<\/script>/);
  const csp = page.headers.get('content-security-policy');
  for (const directive of ["default-src 'none'", "connect-src 'self'", "form-action 'none'", "frame-ancestors 'none'", "'wasm-unsafe-eval'", "'sha256-"]) {
    assert.ok(csp.includes(directive), `CSP has ${directive}`);
  }
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');

  const wasm = await fetch(new URL('/node_modules/okta-connect/okta_connect_bg.wasm', server.pageUrl));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  const entry = await fetch(new URL('/node_modules/okta-connect/index.browser.js', server.pageUrl));
  assert.match(entry.headers.get('content-type'), /^text\/javascript/);
  assert.equal(await entry.text(), await readFile(join(ROOT, 'pkg/index.browser.js'), 'utf8'), 'the built package, not the sources');
  assert.equal((await fetch(new URL('/app.js', server.pageUrl))).status, 200);

  for (const path of ['/server/relay.mjs', '/server/demo-server.mjs', '/../package.json', '/%2e%2e/package.json', '/node_modules/okta-connect/..%2F..%2Fpackage.json',
    '/node_modules/jose/package.json', '/node_modules/okta-connect/okta_connect.d.ts', '/index.html.bak', '/.env', '/test-output/demo-credentials.json']) {
    assert.equal((await fetch(new URL(path, server.pageUrl))).status, 404, path);
  }
  assert.equal((await fetch(server.pageUrl, { method: 'POST' })).status, 405);

  const settings = await (await fetch(new URL('/api/integration-settings', server.pageUrl))).json();
  assert.deepEqual(settings, { allowInsecureLoopback: true, allowedHosts: [], relayPath: '/api/okta-relay', environment: 'demo' });
});

test('scripts/demo.sh: prints the page, the org, the client ID and the key file; Ctrl-C stops everything', async () => {
  const out = await mkdtemp(join(tmpdir(), 'okta-demo-'));
  let child;
  try {
    child = spawn('bash', ['scripts/demo.sh', '--port', '0', '--okta-port', '0', '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEMO_NO_BUILD: '1' },
    });
    let printed = '';
    child.stdout.on('data', (chunk) => { printed += chunk; });
    child.stderr.on('data', (chunk) => { printed += chunk; });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 15_000;
    while (!printed.includes('Press Ctrl-C to stop.')) {
      assert.ok(Date.now() < deadline, `the demo did not start:\n${printed}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const pageUrl = /Integrations page\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(printed)[1];
    const orgUrl = /Okta organization URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(printed)[1];
    const clientId = /Client ID\s+(0oa\w{17})/.exec(printed)[1];
    assert.ok(printed.includes(join(out, 'demo-private-key.pem')));
    assert.ok(printed.includes(join(out, 'demo-credentials.json')));

    const credentials = JSON.parse(await readFile(join(out, 'demo-credentials.json'), 'utf8'));
    assert.equal(credentials.orgUrl, orgUrl);
    assert.equal(credentials.clientId, clientId);
    assert.ok(credentials.users.some((u) => u.isAdmin), 'one admin user');
    assert.ok(new Set(credentials.users.map((u) => u.status)).size >= 5, 'users in several statuses');
    const pem = await readFile(join(out, 'demo-private-key.pem'), 'utf8');
    assert.equal(pem.trim(), credentials.privateKeyPem.trim());
    assert.equal((await stat(join(out, 'demo-private-key.pem'))).mode & 0o777, 0o600);
    assert.ok(!printed.includes(pem.split('\n')[1]), 'the key itself is never printed');

    assert.equal((await fetch(pageUrl)).status, 200);
    assert.equal((await fetch(`${orgUrl}/api/v1/users`)).status, 401, 'the emulator answers');

    child.kill('SIGINT');
    const { code } = await exited;
    assert.equal(code, 0);
    assert.match(printed, /okta-connect demo stopped \(SIGINT\)/);
    await assert.rejects(fetch(pageUrl), 'the page server is stopped');
    await assert.rejects(fetch(`${orgUrl}/api/v1/users`), 'the emulator is stopped');
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await rm(out, { recursive: true, force: true });
  }
});
