// The host layer: performs the requests the Rust core decides on, signs what it asks to be signed, and
// reports back. No protocol decision is taken here (retries, nonces, token reuse and error meanings are all
// in the core); this file only does I/O, timing and signing.
import { validateForConnect, Session, finishJws, finishDpopProof } from './okta_connect.js';
import { clientSigner, dpopSigner, webCrypto } from './signers.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Response bodies are cut here: Okta's answers are small, a huge one is hostile or broken. */
const MAX_BODY_BYTES = 1 << 20;
const CONSTRUCT = Symbol('OktaClient.connect');

function oktaConnectError({ code, message, field, fix }) {
  const error = new Error(message);
  error.name = 'OktaConnectError';
  Object.assign(error, { code, field, fix, retryable: false });
  return error;
}

const abortedError = () => oktaConnectError({ code: 'aborted', message: 'the request was aborted' });

/** Wait `ms`; an abort of `signal` ends the wait with the same `aborted` error a fetch would get. */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(abortedError()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function readCapped(response) {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(Math.min(size, MAX_BODY_BYTES));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes.subarray(0, at));
}

export class OktaClient {
  #session;
  #client;
  #dpop;
  #fetch;
  #timeoutMs;
  #signal;
  #tokenRun = null;
  #info;
  #cache;
  #closed = false;

  /** @private Use `OktaClient.connect()`. */
  constructor(token, { session, client, dpop, fetch, timeoutMs, signal, info, cache }) {
    if (token !== CONSTRUCT) throw new TypeError('use OktaClient.connect(config, options)');
    this.#session = session;
    this.#client = client;
    this.#dpop = dpop;
    this.#fetch = fetch;
    this.#timeoutMs = timeoutMs;
    this.#signal = signal;
    this.#info = info;
    this.#cache = cache;
  }

  /**
   * Validate the config, load the key (into a non-extractable WebCrypto key where available) and prepare a
   * session. Makes no request: call `verify()` to check the connection.
   */
  static async connect(config, options = {}) {
    const [report, key] = validateForConnect(config, options);
    if (!report.ok) throw oktaConnectError(report.problems.find((p) => p.severity === 'error'));
    const useWebCrypto = options.signing !== 'wasm' && Boolean(webCrypto());
    if (options.signing === 'webcrypto' && !webCrypto()) {
      key.free();
      throw oktaConnectError({ code: 'invalid_argument', message: 'WebCrypto is not available in this runtime' });
    }
    const cache = options.tokenCache;
    const derive = cache ? { key, orgUrl: report.orgUrl, clientId: config.clientId.trim() } : undefined;
    const dpop = await dpopSigner(useWebCrypto, derive);
    const session = new Session(config.orgUrl, config.clientId, key, dpop.publicJwk, options);
    const client = await clientSigner(key, useWebCrypto);
    const info = {
      orgUrl: report.orgUrl,
      tokenUrl: report.tokenUrl,
      algorithm: report.key.algorithm,
      keyId: report.key.keyId,
      thumbprint: report.key.thumbprint,
      dpopThumbprint: session.dpopThumbprint,
      signing: useWebCrypto ? 'webcrypto' : 'wasm',
    };
    const fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new OktaClient(CONSTRUCT, { session, client, dpop, fetch, timeoutMs, signal: options.signal, info, cache });
  }

  /** Public facts about the connection: org, key, DPoP, signing path. */
  get connection() {
    return { ...this.#info, dpop: this.#session.tokenIsDpop() };
  }

  /** The Connect verification: ordered checks, reported through `onProgress` as they run. Changes no user. */
  async verify({ onProgress } = {}) {
    const outcome = await this.#run({ type: 'verify' }, onProgress);
    await this.#shareToken();
    return { ok: outcome.ok, checks: outcome.checks };
  }

  async getUser(user) {
    return (await this.#run({ type: 'getUser', user })).user;
  }

  async setPassword(user, password, { revokeSessions = false } = {}) {
    return (await this.#run({ type: 'setPassword', user, password, revokeSessions })).user;
  }

  async resetPassword(user, { sendEmail, revokeSessions = false } = {}) {
    const outcome = await this.#run({ type: 'resetPassword', user, sendEmail, revokeSessions });
    return outcome.resetPasswordUrl === undefined ? {} : { resetPasswordUrl: outcome.resetPasswordUrl };
  }

  async expirePassword(user, { tempPassword = false, revokeSessions = false } = {}) {
    const outcome = await this.#run({ type: 'expirePassword', user, tempPassword, revokeSessions });
    return outcome.tempPassword === undefined ? {} : { tempPassword: outcome.tempPassword };
  }

  async revokeSessions(user) {
    await this.#run({ type: 'revokeSessions', user });
  }

  /** The current access token, fetching one if needed. */
  async accessToken() {
    const cached = this.#session.accessToken(Date.now());
    if (cached) return cached;
    await this.#token();
    return this.#session.accessToken(Date.now());
  }

  /** A client assertion for the token endpoint, signed on the same path as the client's own requests. */
  async createClientAssertion() {
    const input = this.#session.draftClientAssertion(Date.now());
    return finishJws(input, await this.#client.sign(input.input));
  }

  /** A DPoP proof signed with this client's DPoP key. */
  async createDpopProof(options) {
    // The members one by one (the core checks each): the cheapest way across, for the call made per request.
    const { htm, htu, nonce, accessToken, now } = options ?? {};
    const input = this.#session.dpopProofInput(htm, htu, nonce, accessToken, now, Date.now());
    return finishDpopProof(input, await this.#dpop.sign(input));
  }

  /** Forget the token and free the keys (zeroizing any key material held in wasm). Idempotent. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.free();
    this.#dpop.free();
    this.#session.free();
  }

  /** Concurrent callers share one token exchange (or one look into the token cache). */
  #token() {
    this.#tokenRun ??= this.#obtainToken().finally(() => { this.#tokenRun = null; });
    return this.#tokenRun;
  }

  async #obtainToken() {
    if (this.#cache && this.#session.importToken(await this.#cacheGet(), Date.now())) return;
    await this.#run({ type: 'token' });
    await this.#shareToken();
  }

  /** A failing cache is a cache miss: it must never break an operation. */
  async #cacheGet() {
    try {
      return await this.#cache.get(this.#session.tokenCacheKey);
    } catch {
      return undefined;
    }
  }

  async #shareToken() {
    const entry = this.#cache && this.#session.exportToken(Date.now());
    if (!entry) return;
    try {
      await this.#cache.put(entry.key, entry.value, { expirationTtl: entry.expirationTtl });
    } catch {
      // Sharing is an optimisation: the token still works for this client.
    }
  }

  async #run(spec, onProgress) {
    const operation = this.#session.begin(spec);
    try {
      for (;;) {
        const step = operation.next(Date.now());
        switch (step.type) {
          case 'sign':
            operation.provideSignatures(await Promise.all(step.inputs.map((i) => (i.signer === 'client' ? this.#client : this.#dpop).sign(i.input))));
            break;
          case 'send':
            await this.#send(operation, step.request);
            break;
          case 'needToken':
            await this.#token();
            break;
          case 'wait':
            await sleep(step.ms, this.#signal);
            break;
          case 'progress':
            onProgress?.(step.check);
            break;
          case 'done':
            return step.outcome;
        }
      }
    } finally {
      operation.free();
    }
  }

  async #send(operation, request) {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const signal = this.#signal ? AbortSignal.any([this.#signal, timeout.signal]) : timeout.signal;
    let response;
    let body;
    try {
      response = await this.#fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal, redirect: 'manual' });
      body = await readCapped(response);
    } catch {
      operation.handleFailure(this.#signal?.aborted ? 'aborted' : timeout.signal.aborted ? 'timeout' : 'network');
      return;
    } finally {
      clearTimeout(timer);
    }
    operation.handleResponse(response.status, [...response.headers], body, Date.now());
  }
}

