// Matches /api/v1 requests to routes and runs them after authentication.
import { oktaFailure } from './okta-errors.mjs';
import { authenticateResourceRequest } from './resource-auth.mjs';
import { USER_ROUTES } from './users.mjs';

const API_PREFIX = '/api/v1/';

function matchSegments(pattern, segments) {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params = {};
  for (const [index, part] of parts.entries()) {
    if (part.startsWith(':') && segments[index] !== '') params[part.slice(1)] = segments[index];
    else if (part !== segments[index]) return undefined;
  }
  return params;
}

/** The handler and path parameters for a request; 404 E0000008 or 405 E0000022 otherwise. */
function matchRoute(method, decodedPath) {
  const segments = decodedPath.slice(API_PREFIX.length).split('/');
  let pathKnown = false;
  for (const route of USER_ROUTES) {
    const params = matchSegments(route.path, segments);
    if (!params) continue;
    if (route.method === method) return { handler: route.handler, params };
    pathKnown = true;
  }
  throw oktaFailure(pathKnown ? 'E0000022' : 'E0000008');
}

export function isApiPath(path) {
  return path.startsWith(API_PREFIX);
}

export async function handleApiRequest(request, emu) {
  if (request.decodedPath === undefined) throw oktaFailure('E0000008');
  const caller = await authenticateResourceRequest(request, emu);
  const { handler, params } = matchRoute(request.method, request.decodedPath);
  return handler({ emu, ...caller, params, request });
}
