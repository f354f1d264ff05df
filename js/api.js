// The package's public API, shared by every entry point (index.*.js only differ in how they load the wasm).
export { validateConfig, SigningKey, createClientAssertion, DpopKey, Session, Operation, finishJws } from './okta_connect.js';
export { OktaClient } from './client.js';
