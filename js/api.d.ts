export { validateConfig, SigningKey, createClientAssertion, DpopKey } from './okta_connect.js';
export type {
  Algorithm, KeyType, ConfigField, ErrorCode, OktaConnectError, ConfigInput, ValidateOptions, PublicJwk, KeyInfo,
  Problem, ValidationResult, ClientAssertionOptions, DpopProofOptions,
} from './okta_connect.js';
