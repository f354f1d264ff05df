// Hostile inputs for every entry point of okta-connect: wrong JS types, malicious objects, truncated and mangled
// keys, huge and strange text. Runtime-agnostic (ECMAScript and web-platform globals only, no node: imports) so
// the same corpus runs in Node (hostile.test.mjs) and in a browser page.
//
// The contract under test: validateConfig returns a well-formed result for any input (it throws only for a
// bad `options` argument); every other failure is an Error named 'OktaConnectError' with a string `code`.
// Never a wasm trap (RuntimeError), never a TypeError/RangeError/Error from the JS glue.

/**
 * What a case must do. `throws`: throw an OktaConnectError whose code equals the string or matches the RegExp.
 * `returns`: return a well-formed ValidationResult, with an error-severity `problem` on that field (and code,
 * when given). Neither: either outcome is fine, as long as a thrown value is an OktaConnectError.
 * @typedef {{ throws?: string | RegExp, returns?: boolean, problem?: { field: string, code?: string | RegExp } }} Expectation
 * @typedef {{ name: string, expect: Expectation, run: () => unknown }} HostileCase
 * @typedef {{ result: unknown } | { thrown: unknown }} Outcome
 */

const INVALID = { throws: 'invalid_argument' };
const KEY_ERROR = { throws: /^key_/ };
const ANY_ERROR = { throws: /^[a-z]+(_[a-z]+)*$/ };
const EITHER = {};
const RETURNS = { returns: true };
const problemOn = (field, code) => ({ returns: true, problem: { field, code } });

const FIELDS = ['orgUrl', 'clientId', 'privateKey', 'keyId'];
const SEVERITIES = ['error', 'warning', 'notice'];
const CODE_SHAPE = /^[a-z]+(_[a-z]+)*$/;

const GOOD_CLIENT_ID = '0oa1bcdefghijklmnop2';
const GOOD_AUDIENCE = 'https://acme.okta.com/oauth2/v1/token';
const GOOD_HTU = 'https://acme.okta.com/api/v1/users';
const MIB = 1024 * 1024;

/** Runs `run` and captures how it ended. */
export function settle(run) {
  try {
    return { result: run() };
  } catch (thrown) {
    return { thrown };
  }
}

/**
 * Checks an outcome (`{ result }` or `{ thrown }`) against the contract and the case's expectation; throws an
 * Error describing the first violation, else returns the result or the OktaConnectError.
 * @param {Outcome} outcome
 * @param {Expectation} [expect]
 */
export function expectTypedError(outcome, expect = EITHER) {
  if ('thrown' in outcome) {
    const error = outcome.thrown;
    if (!isOktaConnectError(error)) throw new Error(`threw ${describe(error)} instead of an OktaConnectError`);
    if (expect.returns) throw new Error(`threw OktaConnectError ${error.code} (${error.message}) but must return a validation result`);
    if (expect.throws !== undefined && !matches(expect.throws, error.code)) {
      throw new Error(`threw OktaConnectError ${error.code} (${error.message}), expected ${expect.throws}`);
    }
    return error;
  }
  if (expect.throws !== undefined) throw new Error(`returned ${describe(outcome.result)}, expected an OktaConnectError ${expect.throws}`);
  if (expect.returns) checkValidationResult(outcome.result, expect.problem);
  return outcome.result;
}

function isOktaConnectError(error) {
  return (
    error instanceof Error &&
    error.name === 'OktaConnectError' &&
    typeof error.code === 'string' &&
    CODE_SHAPE.test(error.code) &&
    typeof error.message === 'string' &&
    error.message.length > 0 &&
    (error.fix === undefined || (typeof error.fix === 'string' && error.fix.length > 0)) &&
    (error.field === undefined || FIELDS.includes(error.field))
  );
}

function checkValidationResult(result, expectedProblem) {
  if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean' || !Array.isArray(result.problems)) {
    throw new Error(`returned ${describe(result)}, not a ValidationResult`);
  }
  for (const p of result.problems) {
    const wellFormed =
      FIELDS.includes(p.field) &&
      typeof p.code === 'string' &&
      CODE_SHAPE.test(p.code) &&
      SEVERITIES.includes(p.severity) &&
      typeof p.message === 'string' &&
      p.message.length > 0 &&
      (p.fix === undefined || (typeof p.fix === 'string' && p.fix.length > 0));
    if (!wellFormed) throw new Error(`malformed problem ${JSON.stringify(p)}`);
  }
  const hasError = result.problems.some((p) => p.severity === 'error');
  if (result.ok === hasError) throw new Error(`ok is ${result.ok} but the problems are ${JSON.stringify(result.problems)}`);
  if (result.ok && (typeof result.orgUrl !== 'string' || result.tokenUrl !== `${result.orgUrl}/oauth2/v1/token` || typeof result.key !== 'object')) {
    throw new Error(`an ok result lacks orgUrl, tokenUrl or key: ${JSON.stringify(result)}`);
  }
  if (expectedProblem) {
    const { field, code } = expectedProblem;
    const found = result.problems.some((p) => p.field === field && p.severity === 'error' && (code === undefined || matches(code, p.code)));
    if (!found) throw new Error(`expected an error on ${field}${code ? ` (${code})` : ''}, got ${JSON.stringify(result.problems)}`);
  }
}

function matches(pattern, code) {
  return typeof pattern === 'string' ? code === pattern : pattern.test(code);
}

/** A short description of any value, safe for symbols, revoked proxies and throwing getters. */
function describe(value) {
  try {
    if (value instanceof Error) return `${value.constructor.name} ${value.name}: ${value.message}`;
    if (typeof value === 'string') return `a string of ${value.length} characters`;
    return `a value of type ${typeof value} (${Object.prototype.toString.call(value)})`;
  } catch {
    return `a value of type ${typeof value}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Values of every JS type except string, null and undefined: wrong wherever a string is expected. */
function notStrings() {
  return [
    ['0', 0],
    ['1', 1],
    ['-1', -1],
    ['-0', -0],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['2**53', 2 ** 53],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
    ['a BigInt', 2n ** 70n],
    ['true', true],
    ['false', false],
    ['a Symbol', Symbol('hostile')],
    ['{}', {}],
    ['[]', []],
    ['an array holding a string', ['https://acme.okta.com']],
    ['a function', () => 'https://acme.okta.com'],
    ['a String object', new String('https://acme.okta.com')],
    ['an object with toString', { toString: () => 'https://acme.okta.com' }],
    ['Object.create(null)', Object.create(null)],
    ['a Date', new Date(0)],
    ['a RegExp', /okta/],
    ['a Uint8Array', new Uint8Array(8)],
    ['a Map', new Map([['a', 'b']])],
    ['a Promise', Promise.resolve('https://acme.okta.com')],
    ['an object 10,000 levels deep', nest(10_000, (inner) => ({ inner }), 'x')],
  ];
}

/** Wrong wherever a non-negative integer is expected. */
function notIntegers() {
  return [
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['2**53', 2 ** 53],
    ['2**64', 2 ** 64],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
    ['Number.MIN_VALUE', Number.MIN_VALUE],
    ['a numeric string', '300'],
    ['an empty string', ''],
    ['a BigInt', 300n],
    ['true', true],
    ['a Symbol', Symbol('hostile')],
    ['{}', {}],
    ['[300]', [300]],
    ['a Number object', new Number(300)],
    ['a Date', new Date(0)],
    ['a function', () => 300],
  ];
}

/** Wrong wherever an options object is expected. */
function notObjects() {
  return [
    ['0', 0],
    ['NaN', NaN],
    ['a string', 'clientId'],
    ['true', true],
    ['a Symbol', Symbol('hostile')],
    ['a BigInt', 1n],
    ['an array', [GOOD_CLIENT_ID, GOOD_AUDIENCE]],
    ['a function', () => ({})],
  ];
}

/** Strange strings: valid type, hostile content. */
function strangeStrings() {
  return [
    ['emoji', '🔑😀👩‍💻🏳️‍🌈'],
    ['right-to-left override', '\u202Eevil.com\u202C'],
    ['Arabic and Hebrew', 'مفتاح סוד'],
    ['a lone high surrogate', '\uD800'],
    ['a lone low surrogate', '\uDFFF'],
    ['reversed surrogates', '\uDC00\uD800'],
    ['NUL', '\u0000'],
    ['embedded NUL', 'abc\u0000def'],
    ['a byte order mark', '\uFEFF'],
    ['zero-width characters', '\u200B\u200C\u200D\u2060'],
    ['stacked combining marks', `e${'\u0301'.repeat(500)}`],
    ['full-width letters', 'ｈｔｔｐｓ：／／ａｃｍｅ'],
    ['line and paragraph separators', '\u2028\u2029'],
    ['non-characters', '\uFFFE\uFFFF\u{10FFFF}'],
    ['C1 controls', '\u0085\u009B'],
  ];
}

/** Megabytes of text, built only when the case runs. */
function bigStrings() {
  return [
    ['8 MiB of A', () => 'A'.repeat(8 * MIB)],
    ['2 Mi emoji', () => '😀'.repeat(2 * MIB)],
    ['4 Mi lone surrogates', () => '\uD800'.repeat(4 * MIB)],
    ['8 MiB of spaces', () => ' '.repeat(8 * MIB)],
  ];
}

/** `levels` applications of `wrap` around `core`. */
function nest(levels, wrap, core) {
  let value = core;
  for (let i = 0; i < levels; i += 1) value = wrap(value);
  return value;
}

/** An object whose property `name` throws `what` when read. */
function throwingGetter(base, name, what) {
  return Object.defineProperty({ ...base }, name, {
    enumerable: true,
    get() {
      throw what;
    },
  });
}

function revokedProxy(target) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A proxy whose every trap throws. */
function trappedProxy(target) {
  const trap = () => {
    throw new Error('trap');
  };
  return new Proxy(target, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
}

const pem = (label, body) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

function base64(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function base64url(bytes) {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Lengths at which to cut a text: Fibonacci numbers, then fractions of its length. */
function cutLengths(length) {
  const lengths = new Set();
  for (let a = 1, b = 2; a < length; [a, b] = [b, a + b]) lengths.add(a);
  for (let k = 1; k < 16; k += 1) lengths.add(Math.floor((length * k) / 16));
  return [...lengths].sort((x, y) => x - y);
}

// ---------------------------------------------------------------------------------------------------------------
// The corpus

/**
 * Every hostile case. `fixtures` maps file names of tests/fixtures/keys to their text.
 * @returns {HostileCase[]}
 */
export function hostileCases(api, fixtures) {
  const { validateConfig, SigningKey, createClientAssertion, DpopKey } = api;
  const fixture = (name) => {
    if (typeof fixtures[name] !== 'string') throw new Error(`fixture ${name} was not passed in`);
    return fixtures[name];
  };
  const cases = [];
  const add = (name, expect, run) => cases.push({ name, expect, run });

  const ecPem = fixture('p256.pkcs8.pem');
  const rsaPem = fixture('rsa2048.pkcs8.pem');
  const ecJwk = JSON.parse(fixture('p256.jwk.json'));
  const rsaJwk = JSON.parse(fixture('rsa2048.okta.jwk.json'));
  const goodConfig = { orgUrl: 'https://acme.okta.com', clientId: GOOD_CLIENT_ID, privateKey: ecPem };
  const goodAssertion = { clientId: GOOD_CLIENT_ID, audience: GOOD_AUDIENCE };
  const goodProof = { htm: 'POST', htu: GOOD_HTU, nonce: 'nonce-1', accessToken: 'token-1' };
  const ecKey = SigningKey.parse(ecPem);
  const rsaKey = SigningKey.parse(rsaPem);
  const dpopKey = new DpopKey();
  const freedKey = () => {
    const key = SigningKey.parse(ecPem);
    key.free();
    return key;
  };
  const freedDpopKey = () => {
    const key = new DpopKey();
    key.free();
    return key;
  };

  // validateConfig(input): never throws, whatever the input.
  for (const [label, value] of [...notStrings(), ['null', null], ['undefined', undefined]]) {
    add(`validateConfig input = ${label}`, RETURNS, () => validateConfig(value));
  }
  add('validateConfig input = a proxy whose traps throw', problemOn('orgUrl', 'invalid_argument'), () => validateConfig(trappedProxy({ ...goodConfig })));
  add('validateConfig input = a revoked proxy', RETURNS, () => validateConfig(revokedProxy({ ...goodConfig })));
  add('validateConfig input inherits its fields', RETURNS, () => validateConfig(Object.create(goodConfig)));
  add('validateConfig input with an own "__proto__" member (JSON.parse)', RETURNS, () =>
    validateConfig(JSON.parse(`{"__proto__": {"orgUrl": "https://evil.example"}, "clientId": "${GOOD_CLIENT_ID}"}`)),
  );
  add('validateConfig input with "constructor" and "prototype" members', RETURNS, () =>
    validateConfig({ ...goodConfig, constructor: { prototype: { orgUrl: 'https://evil.example' } }, prototype: {} }),
  );
  add('validateConfig input behind a 10,000-level prototype chain', RETURNS, () => validateConfig(nest(10_000, (proto) => Object.create(proto), goodConfig)));
  add('validateConfig input whose getter re-enters the module', RETURNS, () =>
    validateConfig({
      ...goodConfig,
      get clientId() {
        validateConfig(goodConfig);
        SigningKey.parse(ecPem).free();
        return GOOD_CLIENT_ID;
      },
    }),
  );

  // validateConfig(input) field by field: a wrong type is an invalid_argument problem on that field.
  for (const field of FIELDS) {
    for (const [label, value] of notStrings()) {
      add(`validateConfig input.${field} = ${label}`, problemOn(field, 'invalid_argument'), () => validateConfig({ ...goodConfig, [field]: value }));
    }
    for (const [label, thrown] of [['an Error', new Error('getter')], ['a Symbol', Symbol('getter')], ['undefined', undefined]]) {
      add(`validateConfig input.${field} getter throws ${label}`, problemOn(field, 'invalid_argument'), () =>
        validateConfig(throwingGetter(goodConfig, field, thrown)),
      );
    }
    for (const [label, text] of strangeStrings()) {
      add(`validateConfig input.${field} = ${label}`, RETURNS, () => validateConfig({ ...goodConfig, [field]: text }));
    }
    for (const [label, make] of bigStrings()) {
      add(`validateConfig input.${field} = ${label}`, RETURNS, () => validateConfig({ ...goodConfig, [field]: make() }));
    }
  }
  add('validateConfig input.orgUrl = a 1 MiB host name', problemOn('orgUrl', 'org_url_invalid'), () =>
    validateConfig({ ...goodConfig, orgUrl: `https://${'a'.repeat(MIB)}.okta.com` }),
  );
  for (const url of [
    'javascript:alert(1)',
    'file:///etc/passwd',
    'https://acme.okta.com@evil.example',
    'https://acme.okta.com\u0000.evil.example',
    'https://acme.okta.com%2F@evil.example',
    'https://[::ffff:169.254.169.254]',
    'https://0x7f.1',
    'https://acme.okta.com:0',
    'https://acme.okta.com:99999999999999999999',
    'https://acme.okta.com\u3002evil.example',
    'https://acme.okta.com\t.evil.example',
  ]) {
    add(`validateConfig input.orgUrl = ${JSON.stringify(url)}`, problemOn('orgUrl'), () => validateConfig({ ...goodConfig, orgUrl: url }));
  }

  // validateConfig(input, options): a bad options argument throws invalid_argument.
  for (const [label, value] of notObjects()) {
    add(`validateConfig options = ${label}`, INVALID, () => validateConfig(goodConfig, value));
  }
  add('validateConfig options = a proxy whose traps throw', INVALID, () => validateConfig(goodConfig, trappedProxy({})));
  add('validateConfig options = a revoked proxy', INVALID, () => validateConfig(goodConfig, revokedProxy({})));
  for (const name of ['allowedHosts', 'allowInsecureLoopback']) {
    add(`validateConfig options.${name} getter throws`, INVALID, () => validateConfig(goodConfig, throwingGetter({}, name, new Error('getter'))));
  }
  for (const [label, value] of [
    ['a string', 'login.example.com'],
    ['a number', 1],
    ['an object', { 0: 'login.example.com', length: 1 }],
    ['a Set', new Set(['login.example.com'])],
    ['a function', () => ['login.example.com']],
    ['a Symbol', Symbol('hosts')],
    ['an array holding a number', [1]],
    ['an array holding null', [null]],
    ['an array holding a Symbol', [Symbol('host')]],
    ['an array holding a BigInt', [1n]],
    ['an array holding an object', [{ host: 'login.example.com' }]],
    ['an array holding a String object', [new String('login.example.com')]],
    ['a sparse array', [, 'login.example.com']],
    ['an array nested 10,000 levels deep', nest(10_000, (inner) => [inner], 'login.example.com')],
    ['an array with a throwing element getter', Object.defineProperty(['login.example.com'], 1, { get: () => { throw new Error('element'); } })],
    ['a proxied array whose traps throw', trappedProxy(['login.example.com'])],
    ['a revoked proxied array', revokedProxy(['login.example.com'])],
  ]) {
    add(`validateConfig options.allowedHosts = ${label}`, INVALID, () => validateConfig(goodConfig, { allowedHosts: value }));
  }
  for (const [label, hosts] of [
    ...strangeStrings().map(([text, host]) => [`[${text}]`, [host]]),
    ['[""]', ['']],
    ['["*"]', ['*']],
    ['[".okta.com"]', ['.okta.com']],
    ['a 1 MiB host', ['h'.repeat(MIB)]],
  ]) {
    add(`validateConfig options.allowedHosts = ${label}`, RETURNS, () => validateConfig(goodConfig, { allowedHosts: hosts }));
  }
  // Arrays of strings that are odd in other ways: reading them by index or by iterator, or capping the number of
  // hosts, are all fine.
  for (const [label, hosts] of [
    ['an array whose iterator throws', Object.assign(['login.example.com'], { [Symbol.iterator]: () => { throw new Error('iterator'); } })],
    ['an array whose iterator yields numbers', Object.assign(['login.example.com'], { *[Symbol.iterator]() { yield 1; } })],
    ['100,000 hosts', Array.from({ length: 100_000 }, (_, i) => `h${i}.example.com`)],
  ]) {
    add(`validateConfig options.allowedHosts = ${label}`, EITHER, () => validateConfig(goodConfig, { allowedHosts: hosts }));
  }
  for (const [label, value] of [
    ['"true"', 'true'],
    ['1', 1],
    ['0', 0],
    ['NaN', NaN],
    ['a Boolean object', new Boolean(false)],
    ['{}', {}],
    ['[]', []],
    ['a Symbol', Symbol('loopback')],
    ['a BigInt', 1n],
    ['a function', () => true],
  ]) {
    add(`validateConfig options.allowInsecureLoopback = ${label}`, INVALID, () => validateConfig(goodConfig, { allowInsecureLoopback: value }));
  }

  // SigningKey.parse(text)
  for (const [label, value] of [...notStrings(), ['null', null], ['undefined', undefined]]) {
    add(`SigningKey.parse text = ${label}`, INVALID, () => SigningKey.parse(value));
  }
  for (const name of [
    'rsa2048.pkcs8.pem',
    'rsa2048.pkcs1.pem',
    'p256.sec1.pem',
    'rsa2048.okta.jwk.json',
    'p256.jwk.json',
    'rsa2048.pkcs8.der.b64',
    'one-private.jwks.json',
  ]) {
    const text = fixture(name);
    for (const length of cutLengths(text.length).filter((n) => text.slice(n).trim() !== '')) {
      add(`SigningKey.parse ${name} cut to ${length} of ${text.length} characters`, KEY_ERROR, () => SigningKey.parse(text.slice(0, length)));
    }
    for (const start of [1, 5, 11, 28, 64]) {
      add(`SigningKey.parse ${name} without its first ${start} characters`, KEY_ERROR, () => SigningKey.parse(text.slice(start)));
    }
  }
  for (const [label, make] of bigStrings()) {
    add(`SigningKey.parse text = ${label}`, { throws: /^key_(too_large|missing)$/ }, () => SigningKey.parse(make()));
  }
  add('SigningKey.parse a PEM padded to exactly 64 KiB', EITHER, () => SigningKey.parse(ecPem.padEnd(64 * 1024, ' ')));
  add('SigningKey.parse a PEM padded to 64 KiB + 1', { throws: 'key_too_large' }, () => SigningKey.parse(ecPem.padEnd(64 * 1024 + 1, ' ')));
  add('SigningKey.parse a PEM under 64 Ki characters but over 64 KiB of UTF-8', { throws: 'key_too_large' }, () =>
    SigningKey.parse(`${ecPem}${'é'.repeat(32 * 1024)}`),
  );
  add('SigningKey.parse a PEM with 2 MiB of body', KEY_ERROR, () => SigningKey.parse(pem('PRIVATE KEY', 'QUFB'.repeat(MIB / 2))));
  for (const [label, text] of [
    ['10,000 nested arrays', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['10,000 nested objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['a JWKS of 10,000 nested arrays', `{"keys":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
    ['a JWK member of 10,000 nested arrays', `{"kty":"RSA","n":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
    ['10,000 unclosed arrays', '['.repeat(10_000)],
    ['a JWK JSON-encoded 12 times over', nest(12, (inner) => JSON.stringify(inner), '{}')],
    ['100,000 nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ]) {
    add(`SigningKey.parse deeply nested JSON: ${label}`, KEY_ERROR, () => SigningKey.parse(text));
  }
  for (const [label, text] of strangeStrings()) {
    add(`SigningKey.parse text = ${label}`, KEY_ERROR, () => SigningKey.parse(text));
    // Unicode white space inside the body may be skipped like any other white space.
    add(`SigningKey.parse a PEM with ${label} inside its body`, /^\s+$/.test(text) ? EITHER : KEY_ERROR, () => SigningKey.parse(ecPem.replace('\n', `\n${text}`)));
  }
  add('SigningKey.parse a PEM with Unicode look-alike dashes', KEY_ERROR, () => SigningKey.parse(ecPem.replace(/-/g, '\u2010')));
  add('SigningKey.parse whitespace only', { throws: 'key_missing' }, () => SigningKey.parse(' \t\r\n\u00A0\u3000'));
  add('SigningKey.parse an empty string', { throws: 'key_missing' }, () => SigningKey.parse(''));

  // PEM armour around garbage.
  const garbageBodies = [
    ['an empty body', ''],
    ['punctuation', '!!!!@@@@####'],
    ['padding only', '===='],
    ['one character', 'A'],
    ['a short DER-free body', 'AAAA'],
    ['random bytes', base64([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff])],
    ['a SEQUENCE claiming 4 GiB', base64([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00])],
    ['a SEQUENCE of indefinite length', base64([0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00])],
    ['5,000 nested SEQUENCEs', base64(new Array(5_000).fill([0x30, 0x80]).flat())],
    ['an INTEGER with a 2 GiB length', base64([0x30, 0x06, 0x02, 0x84, 0x7f, 0xff, 0xff, 0xff])],
    ['a PKCS#8 with an unknown algorithm', base64([0x30, 0x10, 0x02, 0x01, 0x00, 0x30, 0x06, 0x06, 0x04, 0x2a, 0x03, 0x04, 0x05, 0x04, 0x03, 0x01, 0x02, 0x03])],
    ['base64url characters', 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg_-_-'],
    ['an emoji', '😀😀😀😀'],
  ];
  for (const label of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'OPENSSH PRIVATE KEY']) {
    for (const [what, body] of garbageBodies) {
      add(`SigningKey.parse a ${label} PEM with ${what}`, KEY_ERROR, () => SigningKey.parse(pem(label, body)));
    }
  }
  const ecBody = ecPem.split('\n').slice(1, -2).join('\n');
  const rsaBody = rsaPem.split('\n').slice(1, -2).join('\n');
  for (const [label, text] of [
    ['an EC PKCS#8 body under an RSA PRIVATE KEY label', pem('RSA PRIVATE KEY', ecBody)],
    ['an RSA PKCS#8 body under an EC PRIVATE KEY label', pem('EC PRIVATE KEY', rsaBody)],
    ['a private key under a CERTIFICATE label', pem('CERTIFICATE', rsaBody)],
    ['mismatched BEGIN and END labels', `-----BEGIN PRIVATE KEY-----\n${ecBody}\n-----END RSA PRIVATE KEY-----\n`],
    ['a BEGIN line only', `-----BEGIN PRIVATE KEY-----\n${ecBody}\n`],
    ['an END line only', `${ecBody}\n-----END PRIVATE KEY-----\n`],
    ['an empty label', pem('', ecBody)],
    ['a 10,000-character label', pem('X'.repeat(10_000), ecBody)],
    ['1,000 BEGIN lines', `${'-----BEGIN PRIVATE KEY-----\n'.repeat(1_000)}${ecBody}\n-----END PRIVATE KEY-----\n`],
    ['encryption headers', pem('RSA PRIVATE KEY', `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n${rsaBody}`)],
    ['garbage headers', pem('PRIVATE KEY', `${'X-Header: value\n'.repeat(100)}\n${ecBody}`)],
    ['a PEM inside a PEM', pem('PRIVATE KEY', ecPem)],
    ['four dashes', ecPem.replace(/-----/g, '----')],
    ['two blocks of garbage', pem('PRIVATE KEY', 'AAAA') + pem('PRIVATE KEY', 'BBBB')],
    ['an ssh-rsa public key line', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== user@host'],
    ['a PuTTY key', 'PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nPublic-Lines: 1\nAAAA\nPrivate-Lines: 1\nAAAA\n'],
    ['a PGP block', pem('PGP PRIVATE KEY BLOCK', 'lQOYBF0=')],
    ['hex DER', Array.from(atob(ecBody.replace(/\s/g, '')), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')],
    ['base64 of garbage', btoa('this is not a key, just some text that happens to be base64'.repeat(5))],
  ]) {
    add(`SigningKey.parse ${label}`, KEY_ERROR, () => SigningKey.parse(text));
  }

  // JWK and JWKS with wrong member types and values.
  const omit = (object, name) => Object.fromEntries(Object.entries(object).filter(([key]) => key !== name));
  const json = (value) => () => SigningKey.parse(JSON.stringify(value));
  const bytes = (length, fill) => base64url(new Uint8Array(length).fill(fill));
  for (const [label, value] of [
    ['kty a number', { ...ecJwk, kty: 1 }],
    ['kty null', { ...ecJwk, kty: null }],
    ['kty an array', { ...ecJwk, kty: ['EC'] }],
    ['kty an object', { ...ecJwk, kty: { EC: true } }],
    ['kty missing', omit(ecJwk, 'kty')],
    ['kty empty', { ...ecJwk, kty: '' }],
    ['kty "none"', { ...ecJwk, kty: 'none' }],
    ['crv a number', { ...ecJwk, crv: 256 }],
    ['crv null', { ...ecJwk, crv: null }],
    ['crv missing', omit(ecJwk, 'crv')],
    ['d a number', { ...ecJwk, d: 5 }],
    ['d a huge number', { ...ecJwk, d: 1e308 }],
    ['d an array', { ...ecJwk, d: [ecJwk.d] }],
    ['d an object', { ...ecJwk, d: { value: ecJwk.d } }],
    ['d true', { ...ecJwk, d: true }],
    ['d empty', { ...ecJwk, d: '' }],
    ['d zero', { ...ecJwk, d: bytes(32, 0) }],
    ['d all ones (above the group order)', { ...ecJwk, d: bytes(32, 0xff) }],
    ['d 33 bytes', { ...ecJwk, d: bytes(33, 1) }],
    ['d 50,000 characters', { ...ecJwk, d: 'A'.repeat(50_000) }],
    ['d with emoji', { ...ecJwk, d: `${ecJwk.d.slice(0, 10)}😀${ecJwk.d.slice(10)}` }],
    ['x a number', { ...ecJwk, x: 7 }],
    ['x off the curve', { ...ecJwk, x: bytes(32, 1) }],
    ['y 31 bytes', { ...ecJwk, y: bytes(31, 1) }],
    ['n a number', { ...rsaJwk, n: 5 }],
    ['n an array', { ...rsaJwk, n: [rsaJwk.n] }],
    ['n empty', { ...rsaJwk, n: '' }],
    ['n zero', { ...rsaJwk, n: 'AA' }],
    ['n of 16,384 bits', { ...rsaJwk, n: bytes(2048, 0xff) }],
    ['n even', { ...rsaJwk, n: bytes(256, 0xfe) }],
    ['e a number', { ...rsaJwk, e: 65537 }],
    ['e empty', { ...rsaJwk, e: '' }],
    ['e = 1', { ...rsaJwk, e: 'AQ' }],
    ['e as long as n', { ...rsaJwk, e: rsaJwk.n }],
    ['d = 1', { kty: 'RSA', n: rsaJwk.n, e: rsaJwk.e, d: 'AQ' }],
    ['d longer than n', { kty: 'RSA', n: rsaJwk.n, e: rsaJwk.e, d: `${rsaJwk.d}${rsaJwk.d}` }],
    ['p = q', { ...rsaJwk, q: rsaJwk.p }],
    ['p = 1', { ...rsaJwk, p: 'AQ' }],
    ['p a number', { ...rsaJwk, p: 3 }],
    ['alg a number', { ...ecJwk, alg: 256 }],
    ['alg "none"', { ...ecJwk, alg: 'none' }],
    ['alg HS256', { ...ecJwk, alg: 'HS256' }],
    ['alg RS256 on an EC key', { ...ecJwk, alg: 'RS256' }],
    ['alg RSA-OAEP', { ...rsaJwk, alg: 'RSA-OAEP' }],
    ['use a number', { ...ecJwk, use: 1 }],
    ['use "enc"', { ...ecJwk, use: 'enc' }],
    ['kid a number', { ...ecJwk, kid: 1 }],
    ['kid an object', { ...ecJwk, kid: { id: 'x' } }],
    ['kid with a tab', { ...ecJwk, kid: 'a\tb' }],
    ['kid 10,000 characters', { ...ecJwk, kid: 'k'.repeat(10_000) }],
  ]) {
    add(`SigningKey.parse a JWK with ${label}`, KEY_ERROR, json(value));
  }
  for (const [label, value] of [
    ['keys an object', { keys: { 0: ecJwk } }],
    ['keys a string', { keys: JSON.stringify([ecJwk]) }],
    ['keys null', { keys: null }],
    ['keys empty', { keys: [] }],
    ['keys of numbers', { keys: [1, 2, 3] }],
    ['keys of null', { keys: [null] }],
    ['keys of arrays', { keys: [[ecJwk]] }],
    ['a nested JWKS', { keys: [{ keys: [ecJwk] }] }],
    ['1,000 public keys', { keys: new Array(1_000).fill(omit(ecJwk, 'd')) }],
    ['the same private key twice', { keys: [ecJwk, ecJwk] }],
  ]) {
    add(`SigningKey.parse a JWKS with ${label}`, KEY_ERROR, json(value));
  }
  for (const [label, text] of [
    ['a JSON number beyond double range', '1e999999'],
    ['a JWK with a number beyond double range', `{"kty":"RSA","n":1e400,"e":"AQAB","d":"AQ"}`],
    ['a JWK with a lone surrogate escape', '{"kty":"EC","crv":"\\ud800","d":"AQ"}'],
    ['a JWK with duplicate members', '{"kty":"EC","kty":"RSA","crv":"P-256","d":"AQ"}'],
    ['a JWK with a NUL escape in kty', '{"kty":"EC\\u0000","crv":"P-256","d":"AQ"}'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
    ['a JSON string of garbage', '"garbage"'],
    ['a JSON array of JWKs', JSON.stringify([ecJwk])],
    ['a lone quote', '"'],
    ['a lone brace', '{'],
  ]) {
    add(`SigningKey.parse ${label}`, KEY_ERROR, () => SigningKey.parse(text));
  }
  for (const [label, value] of [
    ['an own "__proto__" member', `{"__proto__":{"kty":"oct"},${JSON.stringify(ecJwk).slice(1)}`],
    ['"constructor" and "toString" members', JSON.stringify({ ...ecJwk, constructor: 'x', toString: 'y', hasOwnProperty: 'z' })],
    ['an "oth" member', JSON.stringify({ ...rsaJwk, oth: [{ r: 'AQ', d: 'AQ', t: 'AQ' }] })],
    ['"key_ops" of the wrong type', JSON.stringify({ ...ecJwk, key_ops: 'sign' })],
    ['an "x5c" of garbage', JSON.stringify({ ...ecJwk, x5c: ['!!!'] })],
    ['inconsistent CRT members', JSON.stringify({ ...rsaJwk, dp: 'AA', dq: 'AQ', qi: 'AQ' })],
    ['d in standard base64 with padding', JSON.stringify({ ...ecJwk, d: `${ecJwk.d.replace(/-/g, '+').replace(/_/g, '/')}=` })],
    ['spaces inside d', JSON.stringify({ ...ecJwk, d: ecJwk.d.replace(/(.{8})/g, '$1 ') })],
  ]) {
    add(`SigningKey.parse a JWK with ${label}`, EITHER, () => SigningKey.parse(value));
  }

  // SigningKey.parse(text, keyId)
  for (const [label, value] of notStrings()) {
    add(`SigningKey.parse keyId = ${label}`, INVALID, () => SigningKey.parse(ecPem, value));
  }
  for (const [label, value] of strangeStrings()) {
    add(`SigningKey.parse keyId = ${label}`, EITHER, () => SigningKey.parse(ecPem, value));
  }
  for (const [label, value] of [
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['an inner space', 'a b'],
    ['257 characters', 'k'.repeat(257)],
    ['1 MiB', 'k'.repeat(MIB)],
  ]) {
    add(`SigningKey.parse keyId with ${label}`, { throws: 'key_id_invalid' }, () => SigningKey.parse(ecPem, value));
  }
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'keys', '0']) {
    add(`SigningKey.parse a JWKS with keyId ${JSON.stringify(name)}`, { throws: 'key_id_not_found' }, () => SigningKey.parse(fixture('two-private.jwks.json'), name));
  }

  // key.sign(data)
  for (const [label, value] of [
    ...notStrings().filter(([, v]) => !(v instanceof Uint8Array)),
    ['null', null],
    ['undefined', undefined],
    ['a string', 'data'],
    ['an ArrayBuffer', new ArrayBuffer(8)],
    ['a DataView', new DataView(new ArrayBuffer(8))],
    ['an Int8Array', new Int8Array(8)],
    ['a Uint8ClampedArray', new Uint8ClampedArray(8)],
    ['a Uint16Array', new Uint16Array(8)],
    ['a Float64Array', new Float64Array(8)],
    ['a BigUint64Array', new BigUint64Array(8)],
    ['an array of bytes', [1, 2, 3]],
    ['an array-like object', { length: 3, 0: 1, 1: 2, 2: 3 }],
  ]) {
    add(`key.sign data = ${label}`, INVALID, () => ecKey.sign(value));
  }
  const detached = () => {
    const buffer = new ArrayBuffer(8);
    const view = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    return view;
  };
  const lyingLength = (length) =>
    new (class extends Uint8Array {
      get length() {
        if (length instanceof Error) throw length;
        return length;
      }
    })(8);
  for (const [label, make] of [
    ['an empty Uint8Array', () => new Uint8Array(0)],
    ['a subarray at an odd offset', () => new Uint8Array(64).subarray(3, 7)],
    ['16 MiB', () => new Uint8Array(16 * MIB)],
    ['a Uint8Array on a detached buffer', detached],
    ['a Uint8Array on a SharedArrayBuffer', () => new Uint8Array(typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(8) : 8)],
    ['a proxied Uint8Array', () => new Proxy(new Uint8Array(8), {})],
    ['a plain object with Uint8Array.prototype', () => Object.setPrototypeOf({}, Uint8Array.prototype)],
    ['a Uint8Array whose length throws', () => lyingLength(new Error('length'))],
    ['a Uint8Array claiming 2**31 bytes', () => lyingLength(2 ** 31)],
    ['a Uint8Array claiming -1 bytes', () => lyingLength(-1)],
    ['a Uint8Array claiming 1,000,000 bytes', () => lyingLength(1_000_000)],
    ['a Uint8Array whose length is not a number', () => lyingLength('eight')],
  ]) {
    add(`key.sign data = ${label}`, EITHER, () => ecKey.sign(make()));
  }
  add('key.sign 16 MiB with an RSA key', EITHER, () => rsaKey.sign(new Uint8Array(16 * MIB)));
  add('key.sign called without a receiver', ANY_ERROR, () => {
    const { sign } = ecKey;
    return sign(new Uint8Array(8));
  });
  add('key.sign called on a plain object', ANY_ERROR, () => SigningKey.prototype.sign.call({}, new Uint8Array(8)));

  // Freed objects: every use is an OktaConnectError; a second free() is harmless or one too.
  for (const [label, use] of [
    ['sign()', (key) => key.sign(new Uint8Array(8))],
    ['algorithm', (key) => key.algorithm],
    ['keyId', (key) => key.keyId],
    ['keyType', (key) => key.keyType],
    ['bits', (key) => key.bits],
    ['publicJwk()', (key) => key.publicJwk()],
    ['thumbprint()', (key) => key.thumbprint()],
    ['createClientAssertion', (key) => createClientAssertion(key, goodAssertion)],
  ]) {
    add(`a freed SigningKey: ${label}`, ANY_ERROR, () => use(freedKey()));
  }
  add('a freed SigningKey: free() again (as `using` does after an explicit free)', EITHER, () => freedKey().free());
  for (const [label, use] of [
    ['createProof()', (key) => key.createProof(goodProof)],
    ['thumbprint()', (key) => key.thumbprint()],
    ['publicJwk()', (key) => key.publicJwk()],
  ]) {
    add(`a freed DpopKey: ${label}`, ANY_ERROR, () => use(freedDpopKey()));
  }
  add('a freed DpopKey: free() again', EITHER, () => freedDpopKey().free());

  // createClientAssertion(key, options)
  for (const [label, value] of [
    ['null', null],
    ['undefined', undefined],
    ['42', 42],
    ['a string', ecPem],
    ['a Symbol', Symbol('key')],
    ['{}', {}],
    ['a DpopKey', dpopKey],
    ['a key JWK', ecJwk],
    ['the SigningKey class', SigningKey],
  ]) {
    add(`createClientAssertion key = ${label}`, INVALID, () => createClientAssertion(value, goodAssertion));
  }
  add('createClientAssertion key = Object.create(SigningKey.prototype)', ANY_ERROR, () => createClientAssertion(Object.create(SigningKey.prototype), goodAssertion));
  add('createClientAssertion key = a SigningKey look-alike with a forged pointer', ANY_ERROR, () =>
    createClientAssertion(Object.assign(Object.create(SigningKey.prototype), { __wbg_ptr: 0xfffffff0 }), goodAssertion),
  );
  for (const [label, value] of notObjects()) {
    add(`createClientAssertion options = ${label}`, INVALID, () => createClientAssertion(ecKey, value));
  }
  add('createClientAssertion options = undefined', INVALID, () => createClientAssertion(ecKey));
  add('createClientAssertion options = a proxy whose traps throw', INVALID, () => createClientAssertion(ecKey, trappedProxy({ ...goodAssertion })));
  add('createClientAssertion options = a revoked proxy', INVALID, () => createClientAssertion(ecKey, revokedProxy({ ...goodAssertion })));
  for (const name of ['clientId', 'audience']) {
    for (const [label, value] of [...notStrings(), ['null', null], ['undefined', undefined]]) {
      add(`createClientAssertion options.${name} = ${label}`, INVALID, () => createClientAssertion(ecKey, { ...goodAssertion, [name]: value }));
    }
    for (const [label, make] of bigStrings()) {
      add(`createClientAssertion options.${name} = ${label}`, EITHER, () => createClientAssertion(ecKey, { ...goodAssertion, [name]: make() }));
    }
  }
  for (const name of ['clientId', 'audience', 'now', 'lifetimeSeconds']) {
    add(`createClientAssertion options.${name} getter throws`, INVALID, () => createClientAssertion(ecKey, throwingGetter(goodAssertion, name, new Error('getter'))));
  }
  add('createClientAssertion options getter frees the key', EITHER, () => {
    const key = SigningKey.parse(ecPem);
    return createClientAssertion(key, {
      ...goodAssertion,
      get audience() {
        key.free();
        return GOOD_AUDIENCE;
      },
    });
  });
  for (const [label, value] of strangeStrings()) {
    add(`createClientAssertion options.clientId = ${label}`, EITHER, () => createClientAssertion(ecKey, { ...goodAssertion, clientId: value }));
    add(`createClientAssertion options.audience = https URL with ${label}`, EITHER, () =>
      createClientAssertion(ecKey, { ...goodAssertion, audience: `${GOOD_AUDIENCE}${value}` }),
    );
  }
  for (const value of ['', '   ', 'a b', 'a\tb', 'a\u0000b', '\u0085']) {
    add(`createClientAssertion options.clientId = ${JSON.stringify(value)}`, { throws: 'assertion_invalid' }, () => createClientAssertion(ecKey, { ...goodAssertion, clientId: value }));
  }
  for (const value of ['', 'javascript:alert(1)', 'ftp://acme.okta.com/token', '/oauth2/v1/token', 'acme.okta.com', 'https://acme.okta.com/a b', 'https://acme.okta.com/\u0000']) {
    add(`createClientAssertion options.audience = ${JSON.stringify(value)}`, { throws: 'assertion_invalid' }, () => createClientAssertion(ecKey, { ...goodAssertion, audience: value }));
  }
  for (const name of ['now', 'lifetimeSeconds']) {
    for (const [label, value] of notIntegers()) {
      add(`createClientAssertion options.${name} = ${label}`, INVALID, () => createClientAssertion(ecKey, { ...goodAssertion, [name]: value }));
    }
  }
  add('createClientAssertion options.now = -0', EITHER, () => createClientAssertion(ecKey, { ...goodAssertion, now: -0 }));
  add('createClientAssertion options.now = 2**53 - 1', EITHER, () => createClientAssertion(ecKey, { ...goodAssertion, now: 2 ** 53 - 1 }));
  for (const value of [0, -0, 3601, 2 ** 32, 2 ** 53 - 1]) {
    add(`createClientAssertion options.lifetimeSeconds = ${Object.is(value, -0) ? '-0' : value}`, { throws: 'assertion_invalid' }, () =>
      createClientAssertion(ecKey, { ...goodAssertion, lifetimeSeconds: value }),
    );
  }

  // dpopKey.createProof(options)
  for (const [label, value] of notObjects()) {
    add(`DpopKey.createProof options = ${label}`, INVALID, () => dpopKey.createProof(value));
  }
  add('DpopKey.createProof options = undefined', INVALID, () => dpopKey.createProof());
  add('DpopKey.createProof options = a proxy whose traps throw', INVALID, () => dpopKey.createProof(trappedProxy({ ...goodProof })));
  add('DpopKey.createProof options = a revoked proxy', INVALID, () => dpopKey.createProof(revokedProxy({ ...goodProof })));
  for (const name of ['htm', 'htu', 'nonce', 'accessToken']) {
    for (const [label, value] of notStrings()) {
      add(`DpopKey.createProof options.${name} = ${label}`, INVALID, () => dpopKey.createProof({ ...goodProof, [name]: value }));
    }
    add(`DpopKey.createProof options.${name} getter throws`, INVALID, () => dpopKey.createProof(throwingGetter(goodProof, name, new Error('getter'))));
  }
  for (const name of ['htm', 'htu']) {
    for (const [label, value] of [['null', null], ['undefined', undefined]]) {
      add(`DpopKey.createProof options.${name} = ${label}`, INVALID, () => dpopKey.createProof({ ...goodProof, [name]: value }));
    }
  }
  add('DpopKey.createProof options.now getter throws', INVALID, () => dpopKey.createProof(throwingGetter(goodProof, 'now', new Error('getter'))));
  for (const [label, value] of notIntegers()) {
    add(`DpopKey.createProof options.now = ${label}`, INVALID, () => dpopKey.createProof({ ...goodProof, now: value }));
  }
  add('DpopKey.createProof options getter frees the key', EITHER, () => {
    const key = new DpopKey();
    return key.createProof({
      ...goodProof,
      get htu() {
        key.free();
        return GOOD_HTU;
      },
    });
  });
  for (const [label, value] of strangeStrings()) {
    add(`DpopKey.createProof options.htm = ${label}`, { throws: 'dpop_invalid' }, () => dpopKey.createProof({ ...goodProof, htm: value }));
    add(`DpopKey.createProof options.htu = https URL with ${label}`, EITHER, () => dpopKey.createProof({ ...goodProof, htu: `${GOOD_HTU}/${value}` }));
    add(`DpopKey.createProof options.nonce = ${label}`, { throws: 'dpop_invalid' }, () => dpopKey.createProof({ ...goodProof, nonce: value }));
    add(`DpopKey.createProof options.accessToken = ${label}`, { throws: 'dpop_invalid' }, () => dpopKey.createProof({ ...goodProof, accessToken: value }));
  }
  for (const value of ['', '   ', 'GE T', 'G-T', 'GET\u0000', 'A'.repeat(17), 'PÖST']) {
    add(`DpopKey.createProof options.htm = ${JSON.stringify(value)}`, { throws: 'dpop_invalid' }, () => dpopKey.createProof({ ...goodProof, htm: value }));
  }
  for (const value of ['', 'https://', 'ftp://acme.okta.com/', '/api/v1/users', 'acme.okta.com', 'javascript:alert(1)', 'https://acme.okta.com/a b', '?x=1', '#top']) {
    add(`DpopKey.createProof options.htu = ${JSON.stringify(value)}`, { throws: 'dpop_invalid' }, () => dpopKey.createProof({ ...goodProof, htu: value }));
  }
  for (const name of ['nonce', 'accessToken']) {
    for (const value of ['', ' ', 'a b', 'x'.repeat(16 * 1024 + 1)]) {
      const label = value.length > 100 ? `${value.length} characters` : JSON.stringify(value);
      add(`DpopKey.createProof options.${name} = ${label}`, { throws: 'dpop_invalid' }, () => dpopKey.createProof({ ...goodProof, [name]: value }));
    }
  }
  for (const [label, make] of bigStrings()) {
    add(`DpopKey.createProof options.htu = https URL with ${label}`, EITHER, () => dpopKey.createProof({ ...goodProof, htu: `${GOOD_HTU}/${make()}` }));
    add(`DpopKey.createProof options.accessToken = ${label}`, { throws: 'dpop_invalid' }, () => dpopKey.createProof({ ...goodProof, accessToken: make() }));
  }

  return cases;
}
