// Okta's management-API error object (components/schemas/Error in users.yaml) and the codes the
// emulator answers with. Summaries are verbatim from Okta's error catalogue (data/error-codes.json).
import { HttpError, jsonResponse } from './http.mjs';
import { randomBase62 } from './ids.mjs';

const CATALOGUE = {
  E0000001: [400, 'Api validation failed: {0}'],
  E0000003: [400, 'The request body was not well-formed.'],
  E0000006: [403, 'You do not have permission to perform the requested action'],
  E0000007: [404, 'Not found: {0}'],
  E0000008: [404, 'The requested path was not found'],
  E0000009: [500, 'Internal Server Error'],
  E0000011: [401, 'Invalid token provided'],
  E0000017: [403, 'Password reset failed'],
  E0000022: [405, 'The endpoint does not support the provided HTTP method'],
  E0000031: [400, 'Invalid search criteria.'],
  E0000038: [403, "This operation is not allowed in the user's current status."],
  E0000047: [429, 'API call exceeded rate limit due to too many requests.'],
};

/**
 * An Okta error response. `detail` fills the `{0}` of summaries that take one;
 * `causes` are errorSummary strings; `status` overrides the catalogue status (fault injection).
 */
export function oktaError(code, { detail = '', causes = [], headers = {}, status } = {}) {
  const [defaultStatus, summary] = CATALOGUE[code];
  return jsonResponse(
    status ?? defaultStatus,
    {
      errorCode: code,
      errorSummary: summary.replace('{0}', detail),
      errorLink: code,
      errorId: `oae${randomBase62(22)}`,
      errorCauses: causes.map((errorSummary) => ({ errorSummary })),
    },
    headers,
  );
}

export function oktaFailure(code, options) {
  return new HttpError(oktaError(code, options));
}
