import { describe, expect, it } from 'vitest';
import { loggedPath } from '../../../functions/core/gateway/create-gateway.js';
import { matchRoute, type Route } from '../../../functions/core/gateway/routes.js';

describe('matchRoute for the Responses API', () => {
  it.each<[string, string, Route]>([
    ['POST', '/v1/responses', { name: 'create_response' }],
    ['POST', '/responses', { name: 'create_response' }],
    ['GET', '/v1/responses/resp_abc-123', { name: 'get_response', id: 'resp_abc-123' }],
    ['DELETE', '/v1/responses/resp_abc', { name: 'delete_response', id: 'resp_abc' }],
    ['GET', '/responses/resp_abc/input_items', { name: 'list_response_input_items', id: 'resp_abc' }],
  ])('finds the route when %s %s is requested', (method, path, route) => {
    expect(matchRoute(method, path)).toEqual({ kind: 'found', route });
  });

  it.each(['/v1/responses/resp%2F1', `/v1/responses/${'a'.repeat(129)}`, '/v1/responses/resp_1/other', '/v1/responses/resp_1/input_items/x', '/v1/responses/sk-key.with.dots'])(
    'answers not_found when the id or path is not one a response has (%s)',
    (path) => {
      expect(matchRoute('GET', path)).toEqual({ kind: 'not_found' });
    },
  );

  it('names GET and DELETE as allowed when a response id is posted to', () => {
    expect(matchRoute('POST', '/v1/responses/resp_1')).toEqual({ kind: 'wrong_method', allowed: ['GET', 'DELETE'] });
  });

  it('logs a response path as its template when it names an id', () => {
    expect([loggedPath('GET', '/v1/responses/resp_secret'), loggedPath('GET', '/v1/responses/resp_secret/input_items')]).toEqual([
      '/v1/responses/{id}',
      '/v1/responses/{id}/input_items',
    ]);
  });
});
