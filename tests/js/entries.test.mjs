// The package's entry points export the same API: index.browser.js lists its exports by name (it has no
// static import, see the file), so they must stay exactly api.js's. And the package's code is one module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PKG = dirname(fileURLToPath(import.meta.resolve('okta-connect')));

test('index.browser.js exports exactly what api.js exports (the Node entry re-exports api.js whole)', async () => {
  const api = Object.keys(await import('okta-connect')).sort();
  const source = await readFile(join(PKG, 'index.browser.js'), 'utf8');
  const listed = source.match(/export const \{([^}]*)\} = api;/);
  assert.ok(listed, 'index.browser.js has one `export const { … } = api;`');
  const names = listed[1].split(',').map((name) => name.trim()).filter(Boolean).sort();
  assert.deepEqual(names, api);
  assert.ok(api.includes('OktaClient') && api.includes('validateConfig'), String(api));
});

test('index.browser.js starts the wasm download before its one module import, so both arrive in one round', async () => {
  const source = await readFile(join(PKG, 'index.browser.js'), 'utf8');
  assert.doesNotMatch(source, /^\s*import\s/m, 'no static import');
  const fetchAt = source.indexOf("fetch(new URL('./okta_connect_bg.wasm'");
  const imports = [...source.matchAll(/import\('([^']*)'\)/g)];
  assert.ok(fetchAt >= 0 && fetchAt < source.indexOf('import('), 'the wasm fetch comes first');
  assert.deepEqual(imports.map((m) => m[1]), ['./okta_connect.js'], 'one module of code');
});

test("the package's code is one module: okta_connect.js imports nothing, and only api.js and the entries sit beside it", async () => {
  const code = await readFile(join(PKG, 'okta_connect.js'), 'utf8');
  assert.doesNotMatch(code, /^\s*(import|export)\s[^;]*\bfrom\s/m, 'no import or re-export from another module');
  assert.doesNotMatch(code, /\bimport\(/, 'no dynamic import');
  const exports = Object.keys(await import(pathToFileURL(join(PKG, 'okta_connect.js')).href));
  for (const name of ['OktaClient', 'validateConfig', 'initSync', 'default']) assert.ok(exports.includes(name), name);
  const js = (await readdir(PKG)).filter((name) => name.endsWith('.js')).sort();
  assert.deepEqual(js, ['api.js', 'index.browser.js', 'index.node.js', 'index.workerd.js', 'okta_connect.js']);
});
