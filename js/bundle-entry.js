// Not shipped as such: scripts/build.sh bundles this with rollup into pkg/okta_connect.js, the package's one
// module of code: wasm-bindgen's glue (generated as okta_connect.js, patched by scripts/patch-glue.mjs), the
// host layer (client.js) and its signers (signers.js). One file instead of four saves a browser loading the
// package unbundled a request per module (index.browser.js asks for this module and the wasm in one round),
// and the entry points, api.js and the tests import it by its glue's name.
export * from './okta_connect.js';
export { default } from './okta_connect.js';
export { OktaClient } from './client.js';
