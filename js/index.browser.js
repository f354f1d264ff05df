// Browsers and bundlers: fetch and compile the wasm that sits next to this file (bundlers rewrite the URL).
//
// No static import: this module runs as soon as it arrives, so the wasm download starts at once and the
// package's one module of code (okta_connect.js: the glue and the host layer, see js/bundle-entry.js) is
// requested in the same round, instead of after it (a static import is fetched and evaluated before any
// code of this module runs). The exports are therefore listed here; tests/js/entries.test.mjs checks that
// they are exactly api.js's.
const wasm = fetch(new URL('./okta_connect_bg.wasm', import.meta.url));
// A failed download is reported by init() below; this only keeps it from also surfacing as unhandled when
// the module import fails first.
wasm.catch(() => {});
const api = await import('./okta_connect.js');
await api.default({ module_or_path: wasm });

export const { validateConfig, SigningKey, createClientAssertion, DpopKey, Session, Operation, finishJws, OktaClient } = api;
