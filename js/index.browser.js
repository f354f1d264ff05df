// Browsers and bundlers: fetch and compile the wasm that sits next to this file (bundlers rewrite the URL).
//
// No static import: this module runs as soon as it arrives, so the wasm download starts at once and every
// other module is requested in the same round, instead of one level of the module graph at a time
// (a browser loading the package unbundled would otherwise wait for index → api → client → signers before
// it even asks for the wasm). The exports are therefore listed here; tests/js/entries.test.mjs checks that
// they are exactly api.js's.
const wasm = fetch(new URL('./okta_connect_bg.wasm', import.meta.url));
// A failed download is reported by init() below; this only keeps it from also surfacing as unhandled when a
// module import fails first.
wasm.catch(() => {});
const [glue, api] = await Promise.all([
  import('./okta_connect.js'),
  import('./api.js'),
  import('./client.js'),
  import('./signers.js'),
]);
await glue.default({ module_or_path: wasm });

export const { validateConfig, SigningKey, createClientAssertion, DpopKey, Session, Operation, finishJws, OktaClient } = api;
