// The page side of hostile-browser.test.mjs: loads okta-connect through the page's import map (the package's
// browser entry, wasm fetched next to it), builds the same hostile corpus as tests/js/hostile.test.mjs, and
// exposes `window.hostile` for the test to run one case at a time and check the module after each.
import * as api from 'okta-connect';
import { expectTypedError, hostileCases, settle } from '/corpus/hostile-corpus.mjs';

const fixtures = await (await fetch('/fixtures.json')).json();
const cases = hostileCases(api, fixtures);

const GOOD_CONFIG = { orgUrl: 'https://acme.okta.com', clientId: '0oa1bcdefghijklmnop2', privateKey: fixtures['p256.jwk.json'] };
const DATA = new TextEncoder().encode('still alive');
const PROTOTYPE_MEMBERS = Reflect.ownKeys(Object.prototype).map(String).join(',');

function pemToDer(pem) {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

const publicKey = await crypto.subtle.importKey('spki', pemToDer(fixtures['p256.public.pem']), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
const THUMBPRINT = (() => {
  const key = api.SigningKey.parse(fixtures['p256.pkcs8.pem']);
  try {
    return key.thumbprint();
  } finally {
    key.free();
  }
})();

/** Why the module no longer works, or null: it parses, signs (verified by WebCrypto) and validates. */
async function moduleProblem() {
  try {
    const key = api.SigningKey.parse(fixtures['p256.pkcs8.pem']);
    let signature;
    try {
      if (key.thumbprint() !== THUMBPRINT) return `the thumbprint changed: ${key.thumbprint()}`;
      signature = key.sign(DATA);
    } finally {
      key.free();
    }
    const verified = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, DATA);
    if (!verified) return 'the signature does not verify with WebCrypto';
    const result = api.validateConfig(GOOD_CONFIG);
    if (result.ok !== true) return `validateConfig(good config) is not ok: ${JSON.stringify(result.problems)}`;
    if (result.key.thumbprint !== THUMBPRINT) return 'validateConfig reports another thumbprint';
    const members = Reflect.ownKeys(Object.prototype).map(String).join(',');
    if (members !== PROTOTYPE_MEMBERS) return `Object.prototype changed: ${members}`;
    return null;
  } catch (error) {
    return `the module threw ${error?.constructor?.name} ${error?.name}: ${error?.message}`;
  }
}

function codeOf(outcome) {
  try {
    return 'thrown' in outcome ? String(outcome.thrown?.code ?? outcome.thrown?.name ?? typeof outcome.thrown) : undefined;
  } catch {
    return 'unreadable';
  }
}

window.hostile = {
  names: cases.map((c) => c.name),
  userAgent: navigator.userAgent,
  moduleProblem,
  /** Runs case `index`; returns plain data only. */
  async run(index) {
    const hostile = cases[index];
    const start = performance.now();
    const outcome = settle(hostile.run);
    const ms = performance.now() - start;
    let failure = null;
    try {
      expectTypedError(outcome, hostile.expect);
    } catch (error) {
      failure = String(error?.message ?? error);
    }
    return { name: hostile.name, failure, broken: await moduleProblem(), threw: 'thrown' in outcome, code: codeOf(outcome), ms };
  },
  /** Runs the cases at `indices` `rounds` times over (outcomes ignored), then checks the module. */
  async repeat(indices, rounds) {
    for (let round = 0; round < rounds; round += 1) {
      for (const index of indices) settle(cases[index].run);
    }
    return moduleProblem();
  },
};
document.body.dataset.ready = 'true';
