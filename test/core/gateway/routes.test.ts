import { describe, expect, it } from 'vitest';
import { matchRoute, type Route } from '../../../functions/core/gateway/routes.js';

describe('matchRoute', () => {
  it.each<[string, string, Route]>([
    ['POST', '/v1/chat/completions', { name: 'chat_completions' }],
    ['POST', '/chat/completions', { name: 'chat_completions' }],
    ['POST', '/v1/embeddings', { name: 'embeddings' }],
    ['POST', '/embeddings', { name: 'embeddings' }],
    ['GET', '/v1/models', { name: 'list_models' }],
    ['GET', '/models', { name: 'list_models' }],
    ['GET', '/health', { name: 'health' }],
    ['GET', '/v1/health', { name: 'health' }],
  ])('finds the route when %s %s is requested', (method, path, route) => {
    const match = matchRoute(method, path);

    expect(match).toEqual({ kind: 'found', route });
  });

  it.each<[string, string, Route]>([
    ['POST', '/v1/chat/completions/', { name: 'chat_completions' }],
    ['POST', '/chat/completions/', { name: 'chat_completions' }],
    ['GET', '/v1/models/', { name: 'list_models' }],
    ['GET', '/v1/models/demo/', { name: 'get_model', id: 'demo' }],
  ])('finds the route when %s %s ends with a slash', (method, path, route) => {
    const match = matchRoute(method, path);

    expect(match).toEqual({ kind: 'found', route });
  });

  it.each<[string, string, string[]]>([
    ['GET', '/v1/chat/completions', ['POST']],
    ['PUT', '/chat/completions', ['POST']],
    ['GET', '/v1/embeddings', ['POST']],
    ['POST', '/v1/models', ['GET']],
    ['DELETE', '/v1/models/demo', ['GET']],
    ['POST', '/health', ['GET']],
  ])('answers wrong_method with the allowed method when %s %s is requested', (method, path, allowed) => {
    const match = matchRoute(method, path);

    expect(match).toEqual({ kind: 'wrong_method', allowed });
  });

  it.each([
    ['/v1/models', { name: 'list_models' }],
    ['/v1/models/demo', { name: 'get_model', id: 'demo' }],
    ['/health', { name: 'health' }],
  ])('accepts HEAD when GET %s is the route', (path, route) => {
    const match = matchRoute('HEAD', path);

    expect(match).toEqual({ kind: 'found', route });
  });

  it.each([
    ['/v1/models/gpt-4o-mini', 'gpt-4o-mini'],
    ['/models/gpt-4o-mini', 'gpt-4o-mini'],
    ['/v1/models/openai/gpt-4o', 'openai/gpt-4o'],
    ['/v1/models/openrouter/meta-llama/llama-3.1-8b-instruct', 'openrouter/meta-llama/llama-3.1-8b-instruct'],
    ['/v1/models/openai%2Fgpt-4o', 'openai/gpt-4o'],
    ['/v1/models/my%20model', 'my model'],
    ['/v1/models/ft%3Agpt-4o%3Aacme', 'ft:gpt-4o:acme'],
    ['/v1/models/mod%C3%A8le', 'modèle'],
    ['/v1/models/100%25', '100%'],
  ])('decodes the model id when GET %s is requested', (path, id) => {
    const match = matchRoute('GET', path);

    expect(match).toEqual({ kind: 'found', route: { name: 'get_model', id } });
  });

  it('keeps the raw model id when it is not valid percent-encoding', () => {
    const match = matchRoute('GET', '/v1/models/50%off');

    expect(match).toEqual({ kind: 'found', route: { name: 'get_model', id: '50%off' } });
  });

  it.each([
    '/',
    '',
    '/v1',
    '/v1/',
    '/v2/chat/completions',
    '/v1/v1/chat/completions',
    '/v1/completions',
    '/v1/chat',
    '/v1/chat/completions/extra',
    '/V1/chat/completions',
    '/v1/models-list',
    '/v1/responses/resp_1/extra',
  ])('answers not_found when %j is requested', (path) => {
    const match = matchRoute('POST', path);

    expect(match).toEqual({ kind: 'not_found' });
  });
});
