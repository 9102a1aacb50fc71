import type { ResolvedDeployment } from '../providers/provider.js';
import type { RouteRequest, RoutingOverrides } from '../routing/model-router.js';
import type { RequestContext } from './gateway-context.js';

/** Response headers naming how the request was served: attempts made, and the deployment that answered. */
export const ATTEMPTS_HEADER = 'x-gateway-attempts';
export const DEPLOYMENT_HEADER = 'x-gateway-deployment';

/** What the router needs of one client request; its attempts and background work land in the request's outcome. */
export function routeRequestFor(
  request: RequestContext,
  route: { model: string; stream: boolean; isModelAllowed: (model: string) => boolean; overrides?: RoutingOverrides },
): RouteRequest {
  return {
    ...route,
    requestId: request.requestId,
    signal: request.signal,
    attempts: request.served.attempts,
    background: request.served.background,
    onAttempt: (deployment) => markAttempt(request, deployment),
  };
}

/** The deployment about to be attempted becomes the request's deployment of record (served, or the last that failed). */
function markAttempt(request: RequestContext, deployment: ResolvedDeployment): void {
  Object.assign(request.served, { deployment, model: deployment.modelName, provider: deployment.provider });
}

/** `x-gateway-attempts` and `x-gateway-deployment`, once a deployment has answered. */
export function servedHeaders(request: RequestContext): Record<string, string> {
  const headers: Record<string, string> = { [ATTEMPTS_HEADER]: String(request.served.attempts.length) };
  if (request.served.deployment) headers[DEPLOYMENT_HEADER] = request.served.deployment.id;
  return headers;
}

