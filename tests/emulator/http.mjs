// Plain response objects and the helpers that build and write them.
// Handlers return `{ status, headers, body }`; they never touch the Node response directly,
// which lets faults rewrite a response after the operation has been applied.

/** Signals a finished response from deep inside a handler (validation failures). */
export class HttpError extends Error {
  constructor(response) {
    super(`HTTP ${response.status}`);
    this.response = response;
  }
}

/** Marker response: destroy the socket instead of answering. */
export const DROP = Symbol('drop connection');

export function jsonResponse(status, value, headers = {}) {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

export function emptyResponse(status, headers = {}) {
  return { status, headers, body: '' };
}

export function withHeaders(response, headers) {
  return { ...response, headers: { ...response.headers, ...headers } };
}

/** Runs `operation`, turning a thrown HttpError into its response. */
export async function settle(operation) {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof HttpError) return error.response;
    throw error;
  }
}

export async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export function writeResponse(res, response, headers) {
  const body = response.body ?? '';
  res.writeHead(response.status, {
    ...headers,
    ...response.headers,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
