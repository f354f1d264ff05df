// Node 20+: read the wasm next to this file synchronously, so the API is ready when the import resolves.
import { readFileSync } from 'node:fs';
import { initSync } from './okta_connect.js';

initSync({ module: readFileSync(new URL('./okta_connect_bg.wasm', import.meta.url)) });

export * from './api.js';
