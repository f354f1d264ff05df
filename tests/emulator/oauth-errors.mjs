// Token-endpoint errors: `{ error, error_description }` bodies with Okta's exact descriptions
// (okta-developer-docs data/oauth2-error-codes.json).
import { HttpError, jsonResponse } from './http.mjs';

export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const ERRORS = {
  browserRequest: [401, 'invalid_client', 'Browser requests to the token endpoint must use Proof Key for Code Exchange.'],
  multipleCredentials: [
    401,
    'invalid_request',
    'Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.',
  ],
  noCredentials: [401, 'invalid_client', 'No client credentials found.'],
  privateKeyJwtRequired: [
    401,
    'invalid_client',
    'Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.',
  ],
  serviceAppRequired: [
    401,
    'invalid_client',
    "Only clients with 'application_type' of 'service' may use the client_credentials 'grant_type' with the Org Authorization Server.",
  ],
  assertionType: [400, 'invalid_request', 'The client_assertion_type is invalid.'],
  assertionParse: [401, 'invalid_client', 'The parsing of the client_assertion failed.'],
  assertionIssuer: [401, 'invalid_client', 'The issuer claim for client_assertion is not a valid client_id.'],
  assertionSubject: [401, 'invalid_client', 'The subject claim for client_assertion is not a valid client_id.'],
  assertionAudience: [
    401,
    'invalid_client',
    'The audience claim for client_assertion must be the endpoint invoked for the request.',
  ],
  assertionExpRequired: [
    401,
    'invalid_client',
    "The client_assertion must contain the 'exp' claim as seconds since epoch.",
  ],
  assertionExpired: [401, 'invalid_client', 'The client_assertion token is expired.'],
  assertionTooLong: [401, 'invalid_client', 'The client_assertion token has an expiration too far into the future.'],
  assertionIssuedInFuture: [401, 'invalid_client', 'The client_assertion token must be issued before the current time.'],
  assertionAlgorithm: [401, 'invalid_client', 'The client_assertion JWT signature algorithm is invalid.'],
  assertionKid: [401, 'invalid_client', 'The client_assertion JWT kid is invalid.'],
  assertionSignature: [401, 'invalid_client', 'The client_assertion signature is invalid.'],
  assertionReplayed: [401, 'invalid_client', 'The client_assertion token has already been used.'],
  grantType: [
    400,
    'unauthorized_client',
    'The client is not authorized to use the provided grant type. Configured grant types: [client_credentials].',
  ],
  dpopHeaderMissing: [400, 'invalid_dpop_proof', 'The DPoP proof JWT header is missing.'],
  scopeMissing: [400, 'invalid_scope', 'No scopes were requested.'],
  scopeInvalid: [
    400,
    'invalid_scope',
    'The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.',
  ],
};

export function oauthResponse(status, error, description, headers = {}) {
  return jsonResponse(status, { error, error_description: description }, { ...NO_STORE, ...headers });
}

/** The HttpError for one of the named token-endpoint errors above. */
export function oauthFailure(name) {
  const [status, error, description] = ERRORS[name];
  return new HttpError(oauthResponse(status, error, description));
}
