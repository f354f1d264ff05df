// A local emulator of one Okta org as an "API Services" app sees it: the org authorization server's
// token endpoint (client_credentials + private_key_jwt + DPoP) and the password operations of the
// Users API. Listens on 127.0.0.1 only. See README.md for the knobs and the known differences.
import { createServer } from 'node:http';
import { AccessTokens } from './access-tokens.mjs';
import { claimedClientId } from './assertion.mjs';
import { corsHeaders, preflightResponse } from './cors.mjs';
import { NonceManager } from './dpop.mjs';
import { createFault, runWithFault, takeFault } from './faults.mjs';
import { DROP, readBody, settle, withHeaders, writeResponse } from './http.mjs';
import { oktaError } from './okta-errors.mjs';
import { DEFAULT_PASSWORD_POLICY } from './password-policy.mjs';
import { ADMIN_ROLES } from './permissions.mjs';
import { RateLimiter } from './rate-limit.mjs';
import { ReplayCache } from './replay-cache.mjs';
import { presentedToken } from './resource-auth.mjs';
import { handleApiRequest, isApiPath } from './router.mjs';
import { handleTokenRequest } from './token.mjs';
import { createUser, findUser } from './user-model.mjs';

const TOKEN_PATH = '/oauth2/v1/token';

function decodePath(pathname) {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

function checkApp({ clientId, jwks, tokenEndpointAuthMethod, roles }) {
  if (typeof clientId !== 'string' || clientId === '') throw new TypeError('addApp needs a clientId');
  if (!Array.isArray(jwks?.keys) || jwks.keys.some((key) => typeof key.kid !== 'string')) {
    throw new TypeError('addApp needs jwks.keys, each with a kid');
  }
  if (!['private_key_jwt', 'client_secret_basic'].includes(tokenEndpointAuthMethod)) {
    throw new TypeError(`unsupported tokenEndpointAuthMethod: ${tokenEndpointAuthMethod}`);
  }
  const unknownRole = roles.find((role) => !ADMIN_ROLES.includes(role));
  if (unknownRole) throw new TypeError(`unsupported admin role: ${unknownRole}`);
}

export class Emulator {
  /** Knobs, mutable at any time (README.md). */
  passwordPolicy = { ...DEFAULT_PASSWORD_POLICY };
  rateLimits = { token: { limit: 600, windowSeconds: 60 }, users: { limit: 600, windowSeconds: 60 } };
  faults = [];
  clockSkewSeconds = 0;
  allowedOrigins = ['*'];
  apiNonceRequired = false;
  rejectBrowserTokenRequests = true;
  /** Every request received: { method, path, query, headers, body, status, at }. */
  requests = [];

  /** State shared with the request handlers. */
  apps = new Map();
  users = new Map();
  nonces = new NonceManager();
  assertionJtis = new ReplayCache();
  proofJtis = new ReplayCache();
  tokens;
  #rateLimiter = new RateLimiter();
  #server = createServer((req, res) => {
    // A request aborted while its body is read has nobody left to answer.
    this.#handle(req, res).catch(() => res.destroy());
  });

  static async start(port) {
    const emulator = new Emulator();
    emulator.tokens = await AccessTokens.create();
    await new Promise((resolve, reject) => {
      emulator.#server.once('error', reject);
      emulator.#server.listen(port, '127.0.0.1', resolve);
    });
    return emulator;
  }

  get port() {
    return this.#server.address().port;
  }

  get orgUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  get tokenUrl() {
    return this.orgUrl + TOKEN_PATH;
  }

  /** The server clock in epoch milliseconds: real time shifted by `clockSkewSeconds`. */
  now() {
    return Date.now() + this.clockSkewSeconds * 1000;
  }

  /** The server clock in whole epoch seconds, used for every JWT time check. */
  nowSeconds() {
    return Math.floor(this.now() / 1000);
  }

  addApp({
    clientId,
    jwks,
    tokenEndpointAuthMethod = 'private_key_jwt',
    dpop = true,
    scopes = ['okta.users.manage'],
    roles = ['ORG_ADMIN'],
    applicationType = 'service',
  }) {
    const app = {
      clientId,
      jwks,
      tokenEndpointAuthMethod,
      dpop,
      scopes: [...scopes],
      roles: [...roles],
      applicationType,
    };
    checkApp(app);
    this.apps.set(clientId, app);
    return app;
  }

  addUser(fields) {
    const user = createUser(fields, this.now());
    const login = user.profile.login.toLowerCase();
    const taken = [...this.users.values()].some(
      (other) => other.id === user.id || other.profile.login.toLowerCase() === login,
    );
    if (taken) throw new Error(`a user with this id or login already exists: ${user.profile.login}`);
    this.users.set(user.id, user);
    return user;
  }

  getUser(idOrLogin) {
    return findUser(this.users, idOrLogin);
  }

  addFault(options) {
    const fault = createFault(options);
    this.faults.push(fault);
    return fault;
  }

  rotateNonce({ keepPrevious = true } = {}) {
    return this.nonces.rotate({ keepPrevious });
  }

  /** Forgets requests, faults, used jtis and rate-limit windows; apps, users and tokens stay. */
  reset() {
    this.requests.length = 0;
    this.faults.length = 0;
    this.assertionJtis.clear();
    this.proofJtis.clear();
    this.#rateLimiter.clear();
  }

  async close() {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(req, res) {
    const url = new URL(req.url, this.orgUrl);
    const record = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body: await readBody(req),
      status: null,
      at: Date.now(),
    };
    this.requests.push(record);
    const request = {
      method: req.method,
      url,
      decodedPath: decodePath(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      headersDistinct: req.headersDistinct,
      body: record.body,
    };
    const fault = takeFault(this.faults, req.method, url.pathname);
    const response = await runWithFault(fault, () => this.#respond(request));
    if (response === DROP) {
      record.status = 0;
      req.socket.destroy();
      return;
    }
    record.status = response.status;
    writeResponse(res, response, {
      Date: new Date(this.now()).toUTCString(),
      ...corsHeaders(req.headers.origin, url.pathname, this.allowedOrigins),
    });
  }

  async #respond(request) {
    try {
      return await this.#route(request);
    } catch (error) {
      console.error(`okta emulator: internal error on ${request.method} ${request.url.pathname}: ${error.stack}`);
      return oktaError('E0000009');
    }
  }

  #route(request) {
    const path = request.url.pathname;
    if (request.method === 'OPTIONS') return preflightResponse(request.headers.origin, path, this.allowedOrigins);
    if (path === TOKEN_PATH) {
      if (request.method !== 'POST') return oktaError('E0000022');
      const clientId = claimedClientId(new URLSearchParams(request.body), request.headers.authorization);
      return this.#rateLimited('token', clientId, () => handleTokenRequest(request, this));
    }
    if (isApiPath(path)) {
      const clientId = presentedToken(request, this)?.clientId ?? 'anonymous';
      return this.#rateLimited('users', clientId, () => handleApiRequest(request, this));
    }
    return oktaError('E0000008');
  }

  async #rateLimited(group, clientId, operation) {
    const { limited, headers } = this.#rateLimiter.take(group, clientId, this.rateLimits[group], this.nowSeconds());
    const response = limited ? oktaError('E0000047') : await settle(operation);
    return withHeaders(response, headers);
  }
}

/** Starts an emulator on 127.0.0.1 (`options.port`, default an ephemeral port). */
export async function startEmulator(options = {}) {
  return Emulator.start(options.port ?? 0);
}
