#!/usr/bin/env node
// The okta-connect demo: one Node process running the local Okta emulator (seeded demo org), the
// integrations page and the Okta relay the page needs (relay.mjs). `make demo` runs it via scripts/demo.sh;
// the tests in tests/www/ start it in-process with `startDemoServer({ port: 0, oktaPort: 0 })`.
//
//   node www/server/demo-server.mjs [--port 8787] [--okta-port 8788] [--out test-output]
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../../tests/emulator/okta-emulator.mjs';
import { demoCredentials, seedDemo } from '../../tests/emulator/seed.mjs';
import { RELAY_PATH, createRelay } from './relay.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
// The installed package, found the way Node finds it for a customer (node_modules/okta-connect).
const PACKAGE_DIR = dirname(fileURLToPath(import.meta.resolve('okta-connect')));
const PACKAGE_PREFIX = '/node_modules/okta-connect/';
const SETTINGS_PATH = '/api/integration-settings';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)+$/;

function extension(name) {
  return name.slice(name.lastIndexOf('.'));
}

/** The page's Content-Security-Policy: scripts from this origin (plus the inline import map by hash), wasm,
 * and network access to this origin only — the page can reach Okta through the relay and nowhere else. */
async function contentSecurityPolicy() {
  const html = await readFile(join(PUBLIC_DIR, 'index.html'), 'utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (importMap === undefined) throw new Error('www/public/index.html has no import map');
  const hash = createHash('sha256').update(importMap).digest('base64');
  return [
    "default-src 'none'",
    `script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(csp) {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

async function serveFile(res, dir, name, headers, allowed) {
  if (!SAFE_NAME.test(name) || !allowed.includes(extension(name))) return false;
  let body;
  try {
    body = await readFile(join(dir, name));
  } catch {
    return false;
  }
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[extension(name)], 'Content-Length': body.length });
  res.end(body);
  return true;
}

function sendJson(res, status, value, headers) {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function listen(server, port, host, { fallback }) {
  try {
    await new Promise((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (error) {
    if (error.code !== 'EADDRINUSE' || !fallback) throw error;
    await listen(server, 0, host, { fallback: false });
  }
  return server.address().port;
}

/** Writes what a customer would copy out of the Admin Console (mode 0600). Returns the file paths. */
async function writeCredentials(dir, orgUrl, demo) {
  await mkdir(dir, { recursive: true });
  const files = {
    credentials: join(dir, 'demo-credentials.json'),
    pem: join(dir, 'demo-private-key.pem'),
    jwk: join(dir, 'demo-private-key.json'),
  };
  const credentials = demoCredentials(orgUrl, demo);
  const write = async (path, text) => {
    await writeFile(path, text, { mode: 0o600 });
    await chmod(path, 0o600);
  };
  await write(files.credentials, `${JSON.stringify(credentials, null, 2)}\n`);
  await write(files.pem, demo.privateKeyPem.endsWith('\n') ? demo.privateKeyPem : `${demo.privateKeyPem}\n`);
  await write(files.jwk, `${JSON.stringify(demo.privateJwk, null, 2)}\n`);
  return files;
}

/**
 * Starts the emulator (seeded) and the page server on 127.0.0.1.
 * Returns `{ pageUrl, orgUrl, emu, demo, files, close() }`; `files` only when `credentialsDir` is given.
 */
export async function startDemoServer({ port = 0, oktaPort = 0, fallbackPorts = false, credentialsDir } = {}) {
  const emu = await startEmulator({ port: oktaPort }).catch(async (error) => {
    if (error.code !== 'EADDRINUSE' || !fallbackPorts) throw error;
    return startEmulator({ port: 0 });
  });
  const demo = await seedDemo(emu);
  const csp = await contentSecurityPolicy();
  const headers = securityHeaders(csp);
  let pageOrigin;
  const relay = createRelay({ pageOrigins: () => [pageOrigin], insecureLoopbackOrigins: [emu.orgUrl] });
  const settings = {
    // The page validates with the same policy the relay enforces; loopback http only because this is the demo.
    allowInsecureLoopback: true,
    allowedHosts: [],
    relayPath: RELAY_PATH,
    environment: 'demo',
  };

  const server = createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url, 'http://localhost');
      if (pathname === RELAY_PATH) return await relay(req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method_not_allowed' }, headers);
      if (pathname === SETTINGS_PATH) return sendJson(res, 200, settings, headers);
      if (pathname === '/' && (await serveFile(res, PUBLIC_DIR, 'index.html', headers, ['.html']))) return undefined;
      if (pathname.startsWith(PACKAGE_PREFIX)) {
        const name = pathname.slice(PACKAGE_PREFIX.length);
        if (await serveFile(res, PACKAGE_DIR, name, headers, ['.js', '.wasm', '.json'])) return undefined;
      } else if (await serveFile(res, PUBLIC_DIR, pathname.slice(1), headers, ['.js', '.css', '.svg'])) {
        return undefined;
      }
      return sendJson(res, 404, { error: 'not_found' }, headers);
    } catch {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal' }, headers);
      else res.destroy();
      return undefined;
    }
  });
  let actualPort;
  try {
    actualPort = await listen(server, port, '127.0.0.1', { fallback: fallbackPorts });
  } catch (error) {
    await emu.close();
    throw error;
  }
  pageOrigin = `http://127.0.0.1:${actualPort}`;
  const files = credentialsDir ? await writeCredentials(credentialsDir, emu.orgUrl, demo) : undefined;

  return {
    pageUrl: `${pageOrigin}/`,
    orgUrl: emu.orgUrl,
    emu,
    demo,
    files,
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await emu.close();
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'okta-port': { type: 'string' },
      out: { type: 'string', default: join(ROOT, 'test-output') },
    },
  });
  const portArg = (value, fallback, name) => {
    const port = Number(value ?? fallback);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`invalid ${name} "${value}"`);
      process.exit(2);
    }
    return port;
  };
  const explicit = values.port !== undefined || values['okta-port'] !== undefined || process.env.DEMO_PORT || process.env.DEMO_OKTA_PORT;
  const demo = await startDemoServer({
    port: portArg(values.port ?? process.env.DEMO_PORT, 8787, '--port'),
    oktaPort: portArg(values['okta-port'] ?? process.env.DEMO_OKTA_PORT, 8788, '--okta-port'),
    fallbackPorts: !explicit,
    credentialsDir: resolve(values.out),
  });
  const users = demo.demo.users
    .map((u) => `    ${u.profile.login.padEnd(24)} ${u.status}${u.isAdmin ? ' (admin: only a Super Administrator may change it)' : ''}`)
    .join('\n');
  console.log(`
okta-connect demo is running.

  Integrations page     ${demo.pageUrl}

  Paste into Okta > Connect:
    Okta organization URL  ${demo.orgUrl}
    Client ID              ${demo.demo.clientId}
    Private key            ${demo.files.pem}
                           (paste its contents, or drop / choose the file; JWK form: ${demo.files.jwk})
    Key ID (optional)      ${demo.demo.kid}

  Everything above, plus the users: ${demo.files.credentials}
  Demo users (Okta emulator at ${demo.orgUrl}):
${users}

  The page keeps the key in the browser and reaches the emulator through this server's Okta relay
  (POST /api/okta-relay), as the platform backend must do for real Okta orgs.

Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    console.log(`\nokta-connect demo stopped (${signal}).`);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(`demo failed to start: ${error.message}`);
    process.exit(1);
  });
}
