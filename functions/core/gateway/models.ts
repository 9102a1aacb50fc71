import { isModelAllowed } from '../admission/admission.js';
import type { Principal } from '../auth/key-store.js';
import { ModelNotFoundError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { GatewayContext } from './gateway-context.js';

const OWNER = 'llm-gateway';

function modelObject(id: string, created: number) {
  return { id, object: 'model' as const, created, owned_by: OWNER };
}

/** GET /v1/models: the configured public model names this caller may use. */
export function handleListModels(gateway: GatewayContext, principal: Principal): GatewayHttpResponse {
  const data = gateway.router
    .modelNames()
    .filter((name) => isModelAllowed(principal, name))
    .map((name) => modelObject(name, gateway.startedAtSeconds));
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'list', data }) };
}

/** GET /v1/models/{id}; ids may contain slashes (`openai/gpt-4o`). */
export function handleGetModel(gateway: GatewayContext, principal: Principal, id: string): GatewayHttpResponse {
  if (!gateway.router.has(id) || !isModelAllowed(principal, id)) throw new ModelNotFoundError(id);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(modelObject(id, gateway.startedAtSeconds)) };
}
