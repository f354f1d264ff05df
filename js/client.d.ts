import type { Algorithm, Check, ConfigInput, DpopProofOptions, OktaUser, SessionOptions } from './okta_connect.js';

/**
 * Where clients of the same org, client ID and key share their access token (e.g. a Workers KV namespace).
 * Values are strings (the token, its expiry and the DPoP nonces; never a private key). Errors are treated as
 * a cache miss (`get`) or ignored (`put`).
 */
export interface TokenCache {
  get(key: string): Promise<string | null | undefined> | string | null | undefined;
  /** `expirationTtl` in seconds, at least 60. */
  put(key: string, value: string, options: { expirationTtl: number }): Promise<void> | void;
}

/** Options of `OktaClient.connect`. */
export interface ConnectOptions extends SessionOptions {
  /** The fetch to use (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Aborts every request of this client. */
  signal?: AbortSignal;
  /** Signing path: WebCrypto where available (default), or the wasm signers. */
  signing?: 'auto' | 'webcrypto' | 'wasm';
  /**
   * Share tokens with every client of the same org, client ID and key. The DPoP key is then derived from the
   * client key (HKDF), so that all those clients hold the key a shared DPoP-bound token is bound to.
   */
  tokenCache?: TokenCache;
}

/** Public facts about a connection. */
export interface ConnectionInfo {
  orgUrl: string;
  tokenUrl: string;
  algorithm: Algorithm;
  keyId?: string;
  /** RFC 7638 thumbprint of the client key. */
  thumbprint: string;
  /** RFC 7638 thumbprint of the DPoP key (the token's `cnf.jkt`). */
  dpopThumbprint: string;
  signing: 'webcrypto' | 'wasm';
  /** Whether the current token is DPoP-bound (undefined before the first token). */
  dpop?: boolean;
}

/** The Connect verification's result. */
export interface VerifyResult {
  ok: boolean;
  checks: Check[];
}

/** A connection to one Okta org. Every method throws `OktaConnectError`. `user` is an Okta user id or a login. */
export class OktaClient {
  private constructor();
  static connect(config: ConfigInput, options?: ConnectOptions): Promise<OktaClient>;
  readonly connection: ConnectionInfo;
  verify(options?: { onProgress?: (check: Check) => void }): Promise<VerifyResult>;
  getUser(user: string): Promise<OktaUser>;
  setPassword(user: string, password: string, options?: { revokeSessions?: boolean }): Promise<OktaUser>;
  resetPassword(user: string, options: { sendEmail: boolean; revokeSessions?: boolean }): Promise<{ resetPasswordUrl?: string }>;
  expirePassword(user: string, options?: { tempPassword?: boolean; revokeSessions?: boolean }): Promise<{ tempPassword?: string }>;
  revokeSessions(user: string): Promise<void>;
  accessToken(): Promise<string>;
  createClientAssertion(): Promise<string>;
  createDpopProof(options: Omit<DpopProofOptions, 'now'> & { now?: number }): Promise<string>;
  close(): void;
}
