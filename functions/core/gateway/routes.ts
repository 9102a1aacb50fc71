/** The routes the gateway serves, with and without the `/v1` prefix. */
export type Route =
  | { name: 'health' }
  | { name: 'chat_completions' }
  | { name: 'embeddings' }
  | { name: 'list_models' }
  | { name: 'get_model'; id: string }
  | { name: 'anthropic_messages' }
  | { name: 'anthropic_count_tokens' }
  | { name: 'create_response' }
  | { name: 'get_response'; id: string }
  | { name: 'delete_response'; id: string }
  | { name: 'list_response_input_items'; id: string };

export type RouteMatch = { kind: 'found'; route: Route } | { kind: 'wrong_method'; allowed: string[] } | { kind: 'not_found' };

const FIXED: Record<string, { method: string; route: Route }> = {
  '/health': { method: 'GET', route: { name: 'health' } },
  '/chat/completions': { method: 'POST', route: { name: 'chat_completions' } },
  '/embeddings': { method: 'POST', route: { name: 'embeddings' } },
  '/models': { method: 'GET', route: { name: 'list_models' } },
  '/messages': { method: 'POST', route: { name: 'anthropic_messages' } },
  '/messages/count_tokens': { method: 'POST', route: { name: 'anthropic_count_tokens' } },
  '/responses': { method: 'POST', route: { name: 'create_response' } },
};

/**
 * A stored response's id as it may appear in a path: OpenAI's `resp_…` and the gateway's own are
 * letters, digits, `_` and `-`. Anything else (a 15 KB segment, a key pasted into the URL) is a
 * 404 before it reaches a store key or an upstream URL.
 */
/** A Responses API id as the gateway accepts it in a path or `previous_response_id`. */
export const RESPONSE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Routes of the Anthropic-compatible front door answer errors in Anthropic's shape. */
export function isAnthropicRoute(rawPath: string): boolean {
  return /^(?:\/v1)?\/messages(?:\/count_tokens)?\/?$/.test(rawPath);
}

export function matchRoute(method: string, rawPath: string): RouteMatch {
  const trimmed = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  const path = trimmed.startsWith('/v1/') ? trimmed.slice(3) : trimmed;
  const fixed = FIXED[path];
  if (fixed) return methodMatches(method, fixed.method) ? { kind: 'found', route: fixed.route } : { kind: 'wrong_method', allowed: [fixed.method] };
  if (path.startsWith('/models/') && path.length > '/models/'.length) {
    if (!methodMatches(method, 'GET')) return { kind: 'wrong_method', allowed: ['GET'] };
    return { kind: 'found', route: { name: 'get_model', id: safeDecode(path.slice('/models/'.length)) } };
  }
  if (path.startsWith('/responses/')) return matchResponseRoute(method, path.slice('/responses/'.length));
  return { kind: 'not_found' };
}

/** `/responses/{id}` (GET, DELETE) and `/responses/{id}/input_items` (GET). */
function matchResponseRoute(method: string, rest: string): RouteMatch {
  const [id, sub, ...extra] = rest.split('/');
  if (id === undefined || !RESPONSE_ID.test(id) || extra.length > 0) return { kind: 'not_found' };
  if (sub === 'input_items') {
    return methodMatches(method, 'GET') ? { kind: 'found', route: { name: 'list_response_input_items', id } } : { kind: 'wrong_method', allowed: ['GET'] };
  }
  if (sub !== undefined) return { kind: 'not_found' };
  if (methodMatches(method, 'GET')) return { kind: 'found', route: { name: 'get_response', id } };
  if (method === 'DELETE') return { kind: 'found', route: { name: 'delete_response', id } };
  return { kind: 'wrong_method', allowed: ['GET', 'DELETE'] };
}

function methodMatches(method: string, allowed: string): boolean {
  return method === allowed || (allowed === 'GET' && method === 'HEAD');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
