// A `fetch` for OktaClient that sends each request through the platform backend's Okta relay.
// Okta refuses token requests that carry an Origin header, so the browser cannot call it directly;
// the requests are built and signed here (the private key never leaves the tab) and the backend only
// performs them. See www/README.md for the relay's contract and rules.

/**
 * `relayPath`: the backend endpoint (POST {method, url, headers, body} → {status, headers, body}).
 * `onRefusal({ error, message })` is told when the relay itself refuses or fails (then this fetch
 * throws, and okta-connect reports a network error).
 */
export function createRelayFetch(relayPath, { onRefusal } = {}) {
  return async function relayFetch(url, init = {}) {
    const headers = init.headers instanceof Headers ? [...init.headers] : Array.isArray(init.headers) ? init.headers : Object.entries(init.headers ?? {});
    const envelope = {
      method: (init.method ?? 'GET').toUpperCase(),
      url: String(url),
      headers: headers.map(([name, value]) => [String(name), String(value)]),
      body: typeof init.body === 'string' ? init.body : null,
    };
    const response = await fetch(relayPath, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(envelope),
      signal: init.signal,
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
    if (!response.ok) {
      const info = await response.json().catch(() => ({}));
      onRefusal?.({ status: response.status, error: info.error ?? 'relay_failed', message: info.message ?? `the relay answered HTTP ${response.status}` });
      throw new TypeError('the Okta relay did not perform the request');
    }
    const answer = await response.json();
    const noBody = answer.status === 204 || answer.status === 205 || answer.status === 304;
    return new Response(noBody ? null : answer.body, { status: answer.status, headers: answer.headers });
  };
}
