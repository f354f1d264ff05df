// Browsers and bundlers: fetch and compile the wasm that sits next to this file (bundlers rewrite the URL).
import init from './okta_connect.js';

await init({ module_or_path: new URL('./okta_connect_bg.wasm', import.meta.url) });

export * from './api.js';
