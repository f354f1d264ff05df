// Runs worker/ in real workerd (miniflare) against the local Okta emulator on 127.0.0.1.
//
// How `import { OktaClient } from 'okta-connect'` resolves without a bundler: workerd looks a bare specifier up
// as a module *name*. This harness plays the part wrangler's resolver plays at deploy time: it reads
// node_modules/okta-connect/package.json (the installed package, exactly what a customer gets), takes
// exports["."].workerd, and gives workerd
//   - a one-line module that re-exports that entry, named `okta-connect` in each directory that imports it
//     (workerd resolves a bare specifier like a relative one: `okta-connect` imported by worker/src/okta.js
//     is the module named worker/src/okta-connect),
//   - the package's files as modules named node_modules/okta-connect/… (walked from the entry: .js as ES
//     modules, .wasm as a CompiledWasm module, as wrangler's default rules do),
//   - the worker's own files as worker/src/….
// Nothing is copied, rewritten or bundled: workerd runs the published bytes. (The alternative, a build step
// that copies pkg/ next to the worker, would test the copy rather than the package.)
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Miniflare } from 'miniflare';
import { startEmulator } from '../emulator/okta-emulator.mjs';
import { seedDemo } from '../emulator/seed.mjs';
import { processCpuNs, workerdPids } from './workerd-cpu.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER_DIR = join(ROOT, 'worker');
/** The installed package; OKTA_CONNECT_PACKAGE_DIR points the tests at another build of it (a candidate). */
const PACKAGE_DIR = process.env.OKTA_CONNECT_PACKAGE_DIR ? resolve(process.env.OKTA_CONNECT_PACKAGE_DIR) : join(ROOT, 'node_modules', 'okta-connect');

/** The few wrangler.toml fields the tests use (main, compatibility_date, compatibility_flags). */
export function wranglerConfig() {
  const toml = readFileSync(join(WORKER_DIR, 'wrangler.toml'), 'utf8');
  const field = (name) => new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm').exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1];
  return {
    main: field('main'),
    compatibilityDate: field('compatibility_date'),
    compatibilityFlags: flags ? [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [],
  };
}

/** Import specifiers of an ES module: static ones, and dynamic `import('…')` with a literal (the benchmarks). */
function importsOf(code) {
  return [
    ...code.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
}

/** The package's workerd entry, as wrangler resolves it (exports["."] with the "workerd" condition). */
export function packageEntry() {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
  const entry = manifest.exports?.['.']?.workerd;
  if (typeof entry !== 'string') throw new Error('okta-connect has no "workerd" export');
  return join(PACKAGE_DIR, entry);
}

/**
 * Miniflare `modules` for a worker entry (default: worker/'s `main`; entry first), with the packages it
 * imports by bare name. `packages` maps a bare specifier to `{ entry, root }` (absolute paths; default: the
 * okta-connect package's workerd entry); a package's files are named as if installed at
 * ROOT/node_modules/<specifier>/ (relative to `root`), and each directory importing it gets a one-line module
 * of that name re-exporting the entry. `extra` maps further module names (under ROOT) to their contents; an
 * import of one of them is not followed. The benchmarks (bench/workerd/) use this too, with jose.
 */
export function workerModules(entry = join(WORKER_DIR, wranglerConfig().main), { packages, extra = {} } = {}) {
  packages ??= { 'okta-connect': { entry: packageEntry(), root: PACKAGE_DIR } };
  const modules = [];
  const seen = new Set();
  /** Adds `file` as module `name` once; returns the source of a JS module not seen before. */
  const add = (file, name) => {
    if (seen.has(name)) return undefined;
    seen.add(name);
    if (file.endsWith('.wasm')) {
      modules.push({ type: 'CompiledWasm', path: join(ROOT, name), contents: readFileSync(file) });
      return undefined;
    }
    const code = readFileSync(file, 'utf8');
    modules.push({ type: 'ESModule', path: join(ROOT, name), contents: code });
    return code;
  };
  const walk = (file, name, packageName) => {
    const code = add(file, name);
    if (code === undefined) return;
    for (const spec of importsOf(code)) {
      if (spec.startsWith('.')) {
        const target = join(dirname(name), spec);
        if (!(target in extra)) walk(resolve(dirname(file), spec), packageName ? packageName(resolve(dirname(file), spec)) : target, packageName);
        continue;
      }
      const pkg = packages[spec];
      if (!pkg || packageName) throw new Error(`${name} imports ${spec}: only relative imports and ${Object.keys(packages).join(', ')} are supported`);
      const nameOf = (f) => join('node_modules', spec, relative(pkg.root, f));
      const alias = join(dirname(name), spec);
      if (!seen.has(alias)) {
        seen.add(alias);
        const target = relative(dirname(alias), nameOf(pkg.entry));
        modules.push({ type: 'ESModule', path: join(ROOT, alias), contents: `export * from '${target.startsWith('.') ? target : `./${target}`}';\n` });
      }
      walk(pkg.entry, nameOf(pkg.entry), nameOf);
    }
  };
  walk(entry, relative(ROOT, entry));
  for (const [name, contents] of Object.entries(extra)) modules.push({ type: 'ESModule', path: join(ROOT, name), contents });
  return modules;
}

/** Waits (up to 90 s) for the package while pkg/ is being rebuilt: its manifest, workerd entry and wasm. */
export async function waitForPackage() {
  for (let waited = 0; ; waited += 1000) {
    try {
      readFileSync(packageEntry());
      readFileSync(join(PACKAGE_DIR, 'okta_connect_bg.wasm'));
      return;
    } catch (error) {
      if (waited >= 90_000) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export function randomSecret() {
  return randomBytes(32).toString('base64url');
}

/**
 * An emulator seeded with the demo org, and a Miniflare running one or more copies of the worker (each its own
 * isolate). `workers`: `{ name: { bindings?, kv?: namespaceId, entry? } }`, every binding defaulting to a
 * working config; workers given the same `kv` id share that KV namespace (bound as OKTA_TOKENS).
 */
export async function startWorld({ workers = { main: {} }, tail = false } = {}) {
  await waitForPackage();
  const emu = await startEmulator();
  const demo = await seedDemo(emu);
  const apiSecret = randomSecret();
  const tokenCacheSecret = randomSecret();
  const baseBindings = {
    API_SECRET: apiSecret,
    OKTA_ORG_URL: emu.orgUrl,
    OKTA_CLIENT_ID: demo.clientId,
    OKTA_PRIVATE_KEY: demo.privateKeyPem,
    OKTA_KEY_ID: demo.kid,
    OKTA_ALLOW_INSECURE_LOOPBACK: 'true',
    TOKEN_CACHE_SECRET: tokenCacheSecret,
  };
  const { compatibilityDate, compatibilityFlags } = wranglerConfig();
  const logs = [];
  const tailEvents = [];
  const workerOptions = Object.entries(workers).map(([name, { bindings = {}, kv, entry }]) => {
    const merged = { ...baseBindings, ...bindings };
    for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
    return {
      name,
      modules: workerModules(entry),
      modulesRoot: ROOT,
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate,
      compatibilityFlags,
      bindings: merged,
      ...(kv ? { kvNamespaces: { OKTA_TOKENS: kv } } : {}),
      ...(tail ? { tails: ['tail-collector'] } : {}),
    };
  });
  if (tail) {
    workerOptions.push({
      name: 'tail-collector',
      modules: true,
      script: 'export default { async tail(events, env) { await env.COLLECT.fetch("http://collector/", { method: "POST", body: JSON.stringify(events) }); } };',
      compatibilityDate,
      serviceBindings: {
        COLLECT: async (request) => {
          tailEvents.push(...JSON.parse(await request.text()));
          return new Response('ok');
        },
      },
    });
  }
  const before = workerdPids();
  const mf = new Miniflare({
    workers: workerOptions,
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (chunk) => logs.push(String(chunk)));
      stderr.on('data', (chunk) => logs.push(String(chunk)));
    },
  });
  try {
    await mf.ready;
  } catch (error) {
    await emu.close();
    await mf.dispose().catch(() => {});
    throw new Error(`workerd did not start:\n${logs.join('')}`, { cause: error });
  }
  const pids = workerdPids().filter((pid) => !before.includes(pid));

  async function call(method, path, { body, secret = apiSecret, worker = Object.keys(workers)[0], headers = {} } = {}) {
    const fetcher = await mf.getWorker(worker);
    const init = { method, headers: { ...headers } };
    if (secret !== null) init.headers.authorization ??= `Bearer ${secret}`;
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['content-type'] ??= 'application/json';
    }
    const response = await fetcher.fetch(`https://worker.example${path}`, init);
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  return {
    emu,
    demo,
    mf,
    apiSecret,
    tokenCacheSecret,
    logs,
    tailEvents,
    pids,
    call,
    /** POSTs to the token endpoint since the last `emu.reset()`. */
    tokenPosts: () => emu.requests.filter((r) => r.path === '/oauth2/v1/token').length,
    /** Access tokens presented to /api/v1, in order. */
    apiTokens: () => emu.requests.filter((r) => r.path.startsWith('/api/v1')).map((r) => r.headers.authorization?.split(' ')[1]),
    /** Nanoseconds of CPU the workerd process(es) of this world have used so far (all threads). */
    cpuNs: () => pids.reduce((sum, pid) => sum + processCpuNs(pid), 0),
    async close() {
      await mf.dispose();
      await emu.close();
    },
  };
}
