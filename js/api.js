// The package's public API, shared by every entry point (index.*.js only differ in how they load the wasm).
// okta_connect.js is the bundle scripts/build.sh makes of the glue and the host layer (js/bundle-entry.js).
export { validateConfig, SigningKey, createClientAssertion, DpopKey, Session, Operation, finishJws, OktaClient } from './okta_connect.js';
