// JSON responses and the error contract: every failure is `{ "error": { code, message, fix?, ... } }` with a
// stable `code`. Only allowlisted fields leave the worker, so no secret (private key, API secret, token,
// password) can reach a caller through an error, whatever the error object carries.

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  // Answers can hold a temporary password or a reset link: never cache them anywhere.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** An error answered by the worker itself (auth, routing, request validation, its own configuration). */
export class HttpError extends Error {
  constructor(status, code, message, { fix, headers } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.fix = fix;
    this.headers = headers;
  }
}

/** HTTP status for an `OktaConnectError` code; anything not listed is an upstream failure (502). */
const STATUS_BY_CODE = {
  invalid_argument: 400,
  okta_user_not_found: 404,
  okta_user_status: 409,
  okta_password_policy: 422,
  okta_validation: 422,
  okta_rate_limited: 429,
  timeout: 504,
  // The worker's own configuration (env secrets) or the runtime is at fault.
  random_unavailable: 500,
  api_misuse: 500,
  assertion_invalid: 500,
  dpop_invalid: 500,
};
const CONFIG_CODE = /^(org_url|client_id|key)_/;

/** The fields of an `OktaConnectError` a caller may see. */
const OKTA_FIELDS = ['code', 'message', 'fix', 'field', 'retryable', 'status', 'errorCode', 'errorSummary', 'errorCauses', 'errorId'];

export function statusFor(code) {
  return STATUS_BY_CODE[code] ?? (CONFIG_CODE.test(code) ? 500 : 502);
}

export function errorResponse(error) {
  if (error instanceof HttpError) {
    const body = { code: error.code, message: error.message, retryable: false };
    if (error.fix) body.fix = error.fix;
    return json(error.status, { error: body }, error.headers);
  }
  if (error?.name === 'OktaConnectError' && typeof error.code === 'string') {
    const body = {};
    for (const name of OKTA_FIELDS) {
      if (error[name] !== undefined && error[name] !== null) body[name] = error[name];
    }
    const status = statusFor(error.code);
    // Operators see failures in `wrangler tail`: the code and Okta's errorId, nothing else.
    if (status >= 500) console.error(JSON.stringify({ event: 'okta_error', code: error.code, status: error.status, errorId: error.errorId }));
    return json(status, { error: body });
  }
  // An unexpected exception: its message might hold anything, so only its type is logged and nothing is echoed.
  console.error(JSON.stringify({ event: 'internal_error', type: error?.name ?? typeof error }));
  return json(500, { error: { code: 'internal_error', message: 'The worker failed unexpectedly.', retryable: true } });
}
