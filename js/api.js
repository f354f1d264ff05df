// The package's public API, shared by every entry point (index.*.js only differ in how they load the wasm).
export { validateConfig, SigningKey, createClientAssertion, DpopKey } from './okta_connect.js';
