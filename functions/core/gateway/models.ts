import { ModelNotFoundError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { GatewayContext } from './gateway-context.js';

const OWNER = 'llm-gateway';

function modelObject(id: string, created: number) {
  return { id, object: 'model' as const, created, owned_by: OWNER };
}

/** GET /v1/models: the configured public model names. */
export function handleListModels(gateway: GatewayContext): GatewayHttpResponse {
  const data = gateway.router.modelNames().map((name) => modelObject(name, gateway.startedAtSeconds));
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'list', data }) };
}

/** GET /v1/models/{id}; ids may contain slashes (`openai/gpt-4o`). */
export function handleGetModel(gateway: GatewayContext, id: string): GatewayHttpResponse {
  if (!gateway.router.has(id)) throw new ModelNotFoundError(id);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(modelObject(id, gateway.startedAtSeconds)) };
}
