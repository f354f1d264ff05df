// Cloudflare Workers (workerd): the runtime hands over the compiled module; no fetch, no randomness at top level.
import wasmModule from './okta_connect_bg.wasm';
import { initSync } from './okta_connect.js';

initSync({ module: wasmModule });

export * from './api.js';
