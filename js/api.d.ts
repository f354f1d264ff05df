export { validateConfig, SigningKey, createClientAssertion, DpopKey, Session, Operation, finishJws } from './okta_connect.js';
export type {
  Algorithm, KeyType, ConfigField, ErrorCode, OktaConnectError, ConfigInput, ValidateOptions, PublicJwk, KeyInfo,
  Problem, ValidationResult, ClientAssertionOptions, DpopProofOptions, SessionOptions, OktaUser, OperationSpec,
  CheckId, Check, Outcome, HttpRequestSpec, SignInput, Step,
} from './okta_connect.js';
export { OktaClient } from './client.js';
export type { ConnectOptions, ConnectionInfo, TokenCache, VerifyResult } from './client.js';
