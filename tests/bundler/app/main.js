// A customer's app: imports the package by name and lets the bundler resolve the browser build and its wasm.
import { validateConfig, DpopKey, OktaClient } from 'okta-connect';

const report = validateConfig({ orgUrl: 'acme-admin.okta.com', clientId: '0oa1bcdefghijklmnop2', privateKey: window.TEST_KEY ?? '' });
const proof = new DpopKey().createProof({ htm: 'GET', htu: 'https://acme.okta.com/api/v1/users' });
document.querySelector('#result').textContent = JSON.stringify({
  orgUrl: report.orgUrl,
  problems: report.problems.map((p) => p.code),
  proofParts: proof.split('.').length,
  client: typeof OktaClient.connect,
});
