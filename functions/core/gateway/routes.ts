/** The routes the gateway serves, with and without the `/v1` prefix. */
export type Route =
  | { name: 'health' }
  | { name: 'chat_completions' }
  | { name: 'embeddings' }
  | { name: 'list_models' }
  | { name: 'get_model'; id: string }
  | { name: 'anthropic_messages' }
  | { name: 'anthropic_count_tokens' };

export type RouteMatch = { kind: 'found'; route: Route } | { kind: 'wrong_method'; allowed: string[] } | { kind: 'not_found' };

const FIXED: Record<string, { method: string; route: Route }> = {
  '/health': { method: 'GET', route: { name: 'health' } },
  '/chat/completions': { method: 'POST', route: { name: 'chat_completions' } },
  '/embeddings': { method: 'POST', route: { name: 'embeddings' } },
  '/models': { method: 'GET', route: { name: 'list_models' } },
  '/messages': { method: 'POST', route: { name: 'anthropic_messages' } },
  '/messages/count_tokens': { method: 'POST', route: { name: 'anthropic_count_tokens' } },
};

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
  return { kind: 'not_found' };
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
