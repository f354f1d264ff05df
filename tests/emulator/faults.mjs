// Fault injection: each fault matches requests by method and path, fires `times` times, and either
// replaces the response before the operation runs (`when: 'before'`) or after it was applied
// (`when: 'after'`: the change happened but the caller never sees the answer).
import { setTimeout as sleep } from 'node:timers/promises';
import { DROP, jsonResponse } from './http.mjs';
import { oktaError } from './okta-errors.mjs';

const HUGE_BODY_BYTES = 10 * 1024 * 1024;
const KINDS = ['status', 'delay', 'drop', 'malformed', 'huge'];

export function createFault({ method, path, times = 1, kind, status = 500, delayMs = 0, when = 'before' }) {
  if (!KINDS.includes(kind)) throw new TypeError(`unknown fault kind: ${kind}`);
  if (when !== 'before' && when !== 'after') throw new TypeError(`unknown fault timing: ${when}`);
  return { method: method?.toUpperCase(), path, times, kind, status, delayMs, when };
}

function matches(fault, method, path) {
  if (fault.method && fault.method !== method) return false;
  if (fault.path instanceof RegExp) return fault.path.test(path);
  return fault.path === undefined || path.startsWith(fault.path);
}

/** Removes one use of the first fault matching the request and returns it. */
export function takeFault(faults, method, path) {
  const index = faults.findIndex((fault) => matches(fault, method, path));
  if (index < 0) return undefined;
  const fault = faults[index];
  fault.times -= 1;
  if (fault.times <= 0) faults.splice(index, 1);
  return fault;
}

function replacement(fault) {
  switch (fault.kind) {
    case 'status':
      return oktaError('E0000009', { status: fault.status });
    case 'drop':
      return DROP;
    case 'malformed':
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"id":"00u' };
    case 'huge':
      return jsonResponse(200, { padding: 'x'.repeat(HUGE_BODY_BYTES) });
  }
  throw new TypeError(`fault kind ${fault.kind} has no replacement response`);
}

/** Runs `operation` (which applies the request and returns its response) under `fault`. */
export async function runWithFault(fault, operation) {
  if (!fault) return operation();
  if (fault.kind === 'delay') {
    if (fault.when === 'before') await sleep(fault.delayMs);
    const response = await operation();
    if (fault.when === 'after') await sleep(fault.delayMs);
    return response;
  }
  if (fault.when === 'before') return replacement(fault);
  await operation();
  return replacement(fault);
}
