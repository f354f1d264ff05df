// The Okta relay: what the platform's backend must provide for the integrations page.
//
// Okta refuses every /oauth2/v1/token request that carries an `Origin` header ("Browser requests to the
// token endpoint must use Proof Key for Code Exchange."), so a page cannot talk to Okta directly. The page
// keeps the private key in the browser (signing with WebCrypto) and hands each request it has already
// signed to this relay, which performs it server-side and returns the answer:
//
//   POST /api/okta-relay  {"method","url","headers":[[name,value]…],"body"}  →  {"status","headers","body"}
//
// The relay never sees the private key, only client assertions and DPoP proofs, which are bound to one
// URL and expire within minutes. It is a server-side request forwarder, so it is an SSRF risk; these rules
// keep it to Okta orgs and the few endpoints okta-connect uses (README.md next to this file):
//   * only POST from the page's own origin, as application/json, and at most `maxConcurrent` at a time;
//   * the target must be an origin that passes okta-connect's own org URL policy (validateConfig: https,
//     an Okta domain or an explicitly allowed custom domain, no userinfo/port/IP literal) and be exactly the
//     normalised org URL; plain-http loopback only for origins listed in `insecureLoopbackOrigins` (the
//     demo's emulator) — and other targets may not resolve to loopback, private or link-local addresses;
//   * only POST /oauth2/v1/token (no query) and GET/POST/DELETE /api/v1/users[/…], no dot segments;
//   * only the request headers Accept, Content-Type, Authorization, DPoP are forwarded; no cookies, no
//     Origin, no forwarding headers; redirects are never followed;
//   * bodies are capped (request envelope 64 KiB, Okta's answer 1 MiB) and the upstream call times out;
//   * nothing about a request is logged — no bodies, no headers, no URLs (logins appear in URLs).
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { validateConfig } from 'okta-connect';

export const RELAY_PATH = '/api/okta-relay';

const TOKEN_PATH = '/oauth2/v1/token';
const USERS_PATH = '/api/v1/users';
const METHODS = new Set(['GET', 'POST', 'DELETE']);
const FORWARDED_REQUEST_HEADERS = new Set(['accept', 'content-type', 'authorization', 'dpop']);
const RETURNED_RESPONSE_HEADERS = new Set([
  'cache-control',
  'content-type',
  'date',
  'dpop-nonce',
  'link',
  'retry-after',
  'www-authenticate',
  'x-okta-request-id',
  'x-rate-limit-limit',
  'x-rate-limit-remaining',
  'x-rate-limit-reset',
]);
const MAX_URL_LENGTH = 4096;
const MAX_HEADERS = 16;
const MAX_HEADER_VALUE = 8192;
const DEFAULTS = {
  maxRequestBytes: 64 * 1024,
  maxResponseBytes: 1024 * 1024,
  timeoutMs: 30_000,
  maxConcurrent: 16,
};

/** A refusal: the HTTP status the relay answers and a stable code. Never echoes request content. */
export class RelayRefusal extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const refuse = (status, code, message) => {
  throw new RelayRefusal(status, code, message);
};

/** Loopback, private, link-local, CGNAT, multicast and other non-public addresses. */
export function isNonPublicAddress(address) {
  const v4 = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number);
    return (
      a === 0 || a === 10 || a === 127 || a >= 224 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19))
    );
  }
  const v6 = address.toLowerCase();
  return (
    v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe8') ||
    v6.startsWith('fe9') || v6.startsWith('fea') || v6.startsWith('feb') || v6.startsWith('ff') ||
    v6.startsWith('64:ff9b:') || v6.startsWith('::ffff:')
  );
}

/** dns.lookup that refuses names resolving to non-public addresses (DNS rebinding onto the internal network). */
function publicOnlyLookup(hostname, options, callback) {
  dnsLookup(hostname, options, (error, address, family) => {
    if (error) return callback(error);
    const all = Array.isArray(address) ? address : [{ address, family }];
    if (all.some((entry) => isNonPublicAddress(entry.address))) {
      const refused = new Error('the org host resolves to a non-public address');
      refused.code = 'ENONPUBLIC';
      return callback(refused);
    }
    return Array.isArray(address) ? callback(null, address) : callback(null, address, family);
  });
}

function checkPath(method, url) {
  const path = url.pathname;
  if (/%2e|\.\.|\\|\/\/|%5c/i.test(path) || /\/\.(\/|$)/.test(path)) {
    refuse(403, 'path_not_allowed', 'the relay does not forward paths with dot segments, backslashes or empty segments');
  }
  if (path === TOKEN_PATH) {
    if (method !== 'POST') refuse(403, 'method_not_allowed', 'the token endpoint is only called with POST');
    if (url.search !== '') refuse(403, 'path_not_allowed', 'token requests carry no query string');
    return;
  }
  if (path === USERS_PATH || path.startsWith(`${USERS_PATH}/`)) return;
  refuse(403, 'path_not_allowed', 'the relay forwards only /oauth2/v1/token and /api/v1/users');
}

/**
 * Checks one relay envelope against the policy. Returns `{ url, method, headers, body, insecureLoopback }`
 * ready to send, or throws a RelayRefusal. Pure apart from the wasm validateConfig call: safe to unit-test.
 */
export function checkRelayRequest(envelope, { insecureLoopbackOrigins = [], allowedHosts = [] } = {}) {
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) {
    refuse(400, 'bad_envelope', 'expected {method, url, headers, body}');
  }
  const { method, url: rawUrl, headers = [], body } = envelope;
  if (typeof method !== 'string' || !METHODS.has(method)) refuse(403, 'method_not_allowed', 'only GET, POST and DELETE are forwarded');
  if (typeof rawUrl !== 'string' || rawUrl.length > MAX_URL_LENGTH) refuse(400, 'bad_envelope', 'url must be a string of at most 4096 characters');
  let url;
  try {
    url = new URL(rawUrl);
  } catch {
    refuse(400, 'bad_envelope', 'url is not an absolute URL');
  }
  if (url.username || url.password || url.hash) refuse(403, 'target_not_allowed', 'the URL may not carry credentials or a fragment');

  const insecureLoopback = insecureLoopbackOrigins.includes(url.origin);
  const report = validateConfig({ orgUrl: url.origin, clientId: '', privateKey: '' }, { allowInsecureLoopback: insecureLoopback, allowedHosts });
  const orgProblem = report.problems.find((p) => p.field === 'orgUrl' && p.severity === 'error');
  if (orgProblem || report.orgUrl !== url.origin) {
    refuse(403, 'target_not_allowed', 'the target is not an Okta org URL the platform accepts');
  }
  checkPath(method, url);

  if (!Array.isArray(headers) || headers.length > MAX_HEADERS) refuse(400, 'bad_envelope', 'headers must be a short list of [name, value] pairs');
  const forwarded = {};
  for (const pair of headers) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      refuse(400, 'bad_envelope', 'headers must be [name, value] string pairs');
    }
    const name = pair[0].toLowerCase();
    if (!FORWARDED_REQUEST_HEADERS.has(name)) continue;
    if (pair[1].length > MAX_HEADER_VALUE || /[\r\n\0]/.test(pair[1])) refuse(400, 'bad_envelope', 'a header value is too long or malformed');
    forwarded[name] = pair[1];
  }

  if (body !== undefined && body !== null && typeof body !== 'string') refuse(400, 'bad_envelope', 'body must be a string');
  if (method !== 'POST' && body) refuse(400, 'bad_envelope', `${method} requests carry no body`);
  return { url, method, headers: forwarded, body: body ?? undefined, insecureLoopback };
}

/** Reads a stream up to `limit` bytes. Past it: rejects; an upstream answer is cut, the caller's body drained. */
function readCapped(stream, limit, { upstream }) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stream.off('data', onData);
      chunks.length = 0;
      if (upstream) stream.destroy();
      else stream.resume();
      reject(new RelayRefusal(413, 'too_large', 'the body is too large'));
    };
    stream.on('data', onData);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Performs a checked request. Resolves `{ status, headers, body }` or rejects with a RelayRefusal. */
function forward(target, { maxResponseBytes, timeoutMs }) {
  const { url, method, headers, body, insecureLoopback } = target;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method,
      headers: {
        ...headers,
        'user-agent': 'okta-connect-relay',
        ...(payload && { 'content-length': payload.length }),
      },
      // The demo emulator is on loopback by design; any other org must resolve to a public address.
      ...(!insecureLoopback && { lookup: publicOnlyLookup }),
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new RelayRefusal(504, 'upstream_timeout', 'Okta did not answer in time')), timeoutMs);
    const settle = (fn) => (value) => {
      clearTimeout(timer);
      fn(value);
    };
    resolve = settle(resolve);
    reject = settle(reject);
    req.on('error', (error) => {
      if (error instanceof RelayRefusal) reject(error);
      else if (error.code === 'ENONPUBLIC') reject(new RelayRefusal(403, 'target_not_allowed', 'the org host resolves to a non-public address'));
      else reject(new RelayRefusal(502, 'upstream_unreachable', 'the Okta org could not be reached'));
    });
    req.on('response', (res) => {
      readCapped(res, maxResponseBytes, { upstream: true }).then(
        (bytes) => {
          const returned = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i];
            if (RETURNED_RESPONSE_HEADERS.has(name.toLowerCase())) returned.push([name, res.rawHeaders[i + 1]]);
          }
          resolve({ status: res.statusCode, headers: returned, body: bytes.toString('utf8') });
        },
        (error) => reject(error instanceof RelayRefusal
          ? new RelayRefusal(502, 'upstream_too_large', "Okta's answer is too large")
          : new RelayRefusal(502, 'upstream_unreachable', 'the connection to Okta broke')),
      );
    });
    req.end(payload);
  });
}

function send(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

/**
 * The relay's request handler for `POST /api/okta-relay`.
 * `pageOrigins()` lists the origins allowed to call it (the platform's own); `insecureLoopbackOrigins` the
 * plain-http loopback orgs it may reach (the demo emulator only); `allowedHosts` extra custom Okta domains.
 */
export function createRelay({ pageOrigins, insecureLoopbackOrigins = [], allowedHosts = [], ...limits }) {
  const options = { ...DEFAULTS, ...limits };
  let inFlight = 0;
  return async function handleRelay(req, res) {
    try {
      if (req.method !== 'POST') refuse(405, 'method_not_allowed', 'use POST');
      const origin = req.headers.origin;
      const fetchSite = req.headers['sec-fetch-site'];
      if (!origin || !pageOrigins().includes(origin) || (fetchSite && fetchSite !== 'same-origin')) {
        refuse(403, 'origin_not_allowed', 'the relay answers the platform page only');
      }
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) refuse(415, 'bad_envelope', 'send application/json');
      if (Number(req.headers['content-length'] ?? 0) > options.maxRequestBytes) refuse(413, 'too_large', 'the request is too large');
      if (inFlight >= options.maxConcurrent) refuse(429, 'busy', 'too many relayed requests at once');
      inFlight += 1;
      try {
        const raw = await readCapped(req, options.maxRequestBytes, { upstream: false });
        let envelope;
        try {
          envelope = JSON.parse(raw.toString('utf8'));
        } catch {
          refuse(400, 'bad_envelope', 'the body is not JSON');
        }
        const target = checkRelayRequest(envelope, { insecureLoopbackOrigins, allowedHosts });
        send(res, 200, await forward(target, options));
      } finally {
        inFlight -= 1;
      }
    } catch (error) {
      if (error instanceof RelayRefusal) {
        send(res, error.status, { error: error.code, message: error.message });
      } else {
        send(res, 500, { error: 'relay_failed', message: 'the relay failed' });
      }
    }
  };
}
