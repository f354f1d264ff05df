// Runs the hostile corpus against the okta-connect package in Node: every case must end in a normal result or an
// OktaConnectError, and the module must still work after each one.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import * as api from 'okta-connect';
import { expectTypedError, hostileCases, settle } from './hostile-corpus.mjs';

const FIXTURES = new URL('../fixtures/keys/', import.meta.url);
const fixtures = Object.fromEntries(readdirSync(FIXTURES).map((name) => [name, readFileSync(new URL(name, FIXTURES), 'utf8')]));
const cases = hostileCases(api, fixtures);

const GOOD_CONFIG = { orgUrl: 'https://acme.okta.com', clientId: '0oa1bcdefghijklmnop2', privateKey: fixtures['p256.jwk.json'] };
const PUBLIC_KEY = createPublicKey(fixtures['p256.public.pem']);
const THUMBPRINT = api.SigningKey.parse(fixtures['p256.pkcs8.pem']).thumbprint();
const PROTOTYPE_MEMBERS = Reflect.ownKeys(Object.prototype);
const DATA = new TextEncoder().encode('still alive');

/** The module still parses, signs (verifiably) and validates, and nothing was added to Object.prototype. */
function assertModuleWorks() {
  const key = api.SigningKey.parse(fixtures['p256.pkcs8.pem']);
  try {
    assert.equal(key.thumbprint(), THUMBPRINT);
    assert.ok(verify('sha256', DATA, { key: PUBLIC_KEY, dsaEncoding: 'ieee-p1363' }, key.sign(DATA)), 'the signature verifies');
  } finally {
    key.free();
  }
  const result = api.validateConfig(GOOD_CONFIG);
  assert.equal(result.ok, true, JSON.stringify(result.problems));
  assert.equal(result.key.thumbprint, THUMBPRINT);
  assert.deepEqual(Reflect.ownKeys(Object.prototype), PROTOTYPE_MEMBERS, 'Object.prototype is unchanged');
}

/** How each case ended and how many milliseconds it took, to pick the quick rejections for the endurance tests. */
const runs = new Map();

test('the corpus has at least 300 uniquely named cases', (t) => {
  t.diagnostic(`${cases.length} hostile cases`);
  assert.ok(cases.length >= 300, `${cases.length} cases`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
});

describe('every hostile case ends in a result or an OktaConnectError, and the module still works', () => {
  for (const hostile of cases) {
    test(hostile.name, () => {
      const start = performance.now();
      const outcome = settle(hostile.run);
      runs.set(hostile, { threw: 'thrown' in outcome, ms: performance.now() - start });
      try {
        expectTypedError(outcome, hostile.expect);
      } finally {
        assertModuleWorks();
      }
    });
  }
});

test('the module still works after the whole corpus', assertModuleWorks);

// A call that throws must leave nothing behind in the wasm instance (shadow stack, externref slots, heap): such
// leftovers add up until every call traps. The first test repeats every quick rejection; the second repeats the
// misuse of freed objects, which a long-running server with a stale key would hit on every request.
test('the module still works after 400 rounds of every quick rejection', () => {
  const rejections = cases.filter((c) => {
    const run = runs.get(c);
    return run?.threw && run.ms < 1;
  });
  for (let round = 0; round < 400; round += 1) {
    for (const hostile of rejections) settle(hostile.run);
  }
  assertModuleWorks();
});

test('the module still works after 20,000 calls on freed objects', () => {
  const key = api.SigningKey.parse(fixtures['p256.pkcs8.pem']);
  const dpop = new api.DpopKey();
  key.free();
  dpop.free();
  for (let i = 0; i < 20_000; i += 1) {
    settle(() => key.sign(DATA));
    settle(() => api.createClientAssertion(key, { clientId: GOOD_CONFIG.clientId, audience: `${GOOD_CONFIG.orgUrl}/oauth2/v1/token` }));
    settle(() => dpop.createProof({ htm: 'GET', htu: `${GOOD_CONFIG.orgUrl}/api/v1/users` }));
  }
  assertModuleWorks();
});
