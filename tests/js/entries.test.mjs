// The package's entry points export the same API: index.browser.js lists its exports by name (it has no
// static import, see the file), so they must stay exactly api.js's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

test('index.browser.js starts the wasm download before any module import and requests every module in one round', async () => {
  const source = await readFile(join(PKG, 'index.browser.js'), 'utf8');
  assert.doesNotMatch(source, /^\s*import\s/m, 'no static import');
  const fetchAt = source.indexOf("fetch(new URL('./okta_connect_bg.wasm'");
  const importAt = source.indexOf('import(');
  assert.ok(fetchAt >= 0 && fetchAt < importAt, 'the wasm fetch comes first');
  for (const file of ['okta_connect.js', 'api.js', 'client.js', 'signers.js']) {
    assert.match(source, new RegExp(`import\\('\\./${file.replace('.', '\\.')}'\\)`), file);
  }
});
