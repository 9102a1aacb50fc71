import { isModelAllowed } from '../admission/admission.js';
import type { Principal } from '../auth/key-store.js';
import { GatewayError, InvalidRequestError, ModelNotFoundError, ServiceUnavailableError, toGatewayError } from '../errors.js';
import type { GatewayHttpRequest, GatewayHttpResponse } from '../http/gateway-http.js';
import type { JsonObject } from '../openai/openai-types.js';
import { MAX_OUTPUT_TOKENS } from '../openai/validate-request.js';
import type { IdSource } from '../ports.js';
import { pricingFor } from '../pricing/cost.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import type { Routed } from '../routing/model-router.js';
import { MAX_STORED_RESPONSE_BYTES, type ResponseStore, type StoredResponse } from '../storage/response-store.js';
import { SSE_KEEP_ALIVE } from '../streaming/sse-encoder.js';
import { withKeepAlive } from '../streaming/with-keep-alive.js';
import { callProvider } from './call-provider.js';
import { CLAMPED_MAX_TOKENS_HEADER, COST_HEADER, SSE_HEADERS, type AttemptTarget } from './chat-completions.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import { meterRequest } from './metering.js';
import { readBodyText } from './read-body.js';
import {
  buildResponsesRequest,
  completeNativeResponse,
  responsesProvider,
  speaksResponses,
  startNativeResponseStream,
  type ResponsesServed,
  type StoredParts,
} from './responses-native.js';
import { translatedResponseAttempt } from './responses-translated.js';
import { routeRequestFor, servedHeaders } from './route-request.js';
import { RESPONSE_ID } from './routes.js';
import { takeRoutingOverrides } from './routing-overrides.js';
import { costUsdHeader } from './usage-observer.js';
import { MASTER_SCOPE } from '../usage/usage-record.js';

/** What the Responses routes need besides the gateway: where responses are kept, for how long, and ids for translated ones. */
export interface ResponsesOptions {
  readonly store: ResponseStore;
  readonly ids: IdSource;
  /** Lifetime of a stored response, in seconds (`general_settings.response_ttl_days`). */
  readonly ttlSeconds: number;
}

/** `false` when a response that asked to be stored was not (too large for the store): `previous_response_id` cannot name it. */
export const RESPONSE_STORED_HEADER = 'x-gateway-response-stored';


/**
 * POST /v1/responses. One admission, then the router's attempts: at an OpenAI or Azure deployment
 * the client's body goes to its Responses API unchanged but for `model` (and a clamped
 * `max_output_tokens`), and its answer or events come back as sent; at any other deployment the
 * request is translated onto the chat pipeline (responses-translated.ts). `previous_response_id`
 * is looked up in the caller's tenant: a native one pins the request to the deployment holding it,
 * a translated one prepends its stored conversation. With `store` not false the response is
 * recorded for GET, DELETE, input_items and follow-ups.
 */
export async function handleCreateResponse(gateway: GatewayContext, request: RequestContext, body: JsonObject, options: ResponsesOptions): Promise<GatewayHttpResponse> {
  const taken = takeRoutingOverrides(body, request.principal);
  const client = validateResponsesBody(taken.body);
  const { model, stream } = client;
  if (!gateway.router.has(model)) throw new ModelNotFoundError(model);
  const owner = ownerOf(request.principal);
  const isAllowed = (name: string) => isModelAllowed(request.principal, name);
  const nowSeconds = Math.floor(gateway.clock.now() / 1000);
  const previous = client.previousResponseId === undefined ? undefined : await findStored(gateway, options, owner.tenantId, client.previousResponseId, 'previous_response_id');
  // A native response lives at its provider: only the deployment that made it can continue it.
  const sticky = previous?.mode === 'native' ? deploymentOf(gateway, previous, model, isAllowed, 'previous_response_id') : undefined;
  const candidates = sticky ? [sticky] : gateway.router.candidateDeployments(model, isAllowed, taken.overrides);
  Object.assign(request.served, { model, requestedModel: model, provider: candidates[0]!.provider, stream, operation: 'responses', ignoredParams: taken.ignored });

  const metering = await meterRequest(gateway, request, candidates, {
    // A translated follow-up also sends the stored conversation before it: the reservation must price it too.
    messages: [taken.body['instructions'] ?? null, previous?.conversation ?? null, taken.body['input'] ?? null],
    tools: taken.body['tools'],
    requestedMaxTokens: client.maxOutputTokens,
  });
  const { clampedMaxTokens, headers: limitHeaders } = metering.admission;
  const sent = clampedMaxTokens === undefined ? taken.body : { ...taken.body, max_output_tokens: clampedMaxTokens };
  const headers: Record<string, string> = { ...limitHeaders };
  if (clampedMaxTokens !== undefined) headers[CLAMPED_MAX_TOKENS_HEADER] = String(clampedMaxTokens);

  const storing = client.store;
  const stored = { refused: false };
  const saving: Promise<unknown>[] = [];
  const keep = (record: StoredResponse) => {
    if (!storing) return;
    const saved = saveResponse(gateway, options, request, record, nowSeconds).then((kept) => (stored.refused ||= !kept));
    saving.push(saved);
    request.served.background.push(saved);
  };
  const recordOf = (deployment: ResolvedDeployment, id: string, mode: StoredResponse['mode'], parts?: StoredParts): StoredResponse => ({
    id,
    tenantId: owner.tenantId,
    keyId: owner.keyId,
    deploymentId: deployment.id,
    model,
    mode,
    createdAtSeconds: nowSeconds,
    ...(parts === undefined ? {} : { conversation: parts.conversation, inputItems: parts.inputItems, response: parts.response }),
  });
  // A stored translated conversation can only be continued by translation, even at an OpenAI deployment.
  const translateAll = previous?.mode === 'translated';
  const history = previous?.conversation ?? [];
  const attemptAt = (deployment: ResolvedDeployment, signal: AbortSignal): Promise<ResponsesServed> => {
    const target: AttemptTarget = { deployment, signal, timeoutOverrideMs: taken.overrides?.timeoutMs };
    if (speaksResponses(deployment) && !translateAll) {
      const attempt = { ...target, body: sent, promptEstimate: metering.promptEstimate, onCompleted: (id: string) => keep(recordOf(deployment, id, 'native')) };
      return stream ? startNativeResponseStream(gateway, request, attempt) : completeNativeResponse(gateway, request, attempt);
    }
    return translatedResponseAttempt(gateway, request, {
      body: sent,
      history,
      target,
      promptEstimate: metering.promptEstimate,
      responseId: `resp_${options.ids.next().replaceAll('-', '')}`,
      newItemId: () => options.ids.next().replaceAll('-', ''),
      createdAtSeconds: nowSeconds,
      model,
      onCompleted: (id: string, parts: StoredParts) => keep(recordOf(deployment, id, 'translated', parts)),
    });
  };
  const routed = sticky
    ? await attemptOnly(gateway, request, sticky, attemptAt)
    : await gateway.router.route(routeRequestFor(request, { model, stream, isModelAllowed: isAllowed, overrides: taken.overrides }), attemptAt);
  Object.assign(headers, servedHeaders(request), routed.value.headers);

  if (routed.value.kind === 'stream') {
    request.served.streamUsage = routed.value.usage;
    return { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: withKeepAlive(storing ? afterSaves(routed.value.body, saving) : routed.value.body, gateway.settings.streamKeepAliveMs, SSE_KEEP_ALIVE) };
  }
  request.served.usage = routed.value.usage;
  headers[COST_HEADER] = costUsdHeader(routed.value.usage, pricingFor(routed.deployment));
  // The record is written before the answer goes out, so that a follow-up sent at once finds it.
  await Promise.all(saving);
  if (storing && stored.refused) headers[RESPONSE_STORED_HEADER] = 'false';
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: routed.value.text };
}

/**
 * Holds a piece of a stream while a save it triggered is in flight: the save starts when the
 * terminal event is seen, before that event reaches the client, so a follow-up sent the moment
 * the stream completes (the Agents SDK does) finds the response. Only that piece waits.
 */
async function* afterSaves(body: AsyncIterable<string>, saving: Promise<unknown>[]): AsyncGenerator<string> {
  for await (const piece of body) {
    if (saving.length > 0) await Promise.all(saving.splice(0));
    yield piece;
  }
}

/** GET /v1/responses/{id}: a translated response from the store; a native one from the deployment that holds it. */
export async function handleGetResponse(gateway: GatewayContext, request: RequestContext, id: string, options: ResponsesOptions, http: Pick<GatewayHttpRequest, 'query'>): Promise<GatewayHttpResponse> {
  const stored = await findStored(gateway, options, ownerOf(request.principal).tenantId, id, null);
  if (stored.mode === 'native') return proxyToDeployment(gateway, request, stored, 'GET', `/${id}`, http.query);
  return json(stored.response ?? {});
}

/** DELETE /v1/responses/{id}: removed from the store (and, for a native one, from its provider first). */
export async function handleDeleteResponse(gateway: GatewayContext, request: RequestContext, id: string, options: ResponsesOptions): Promise<GatewayHttpResponse> {
  const tenantId = ownerOf(request.principal).tenantId;
  const stored = await findStored(gateway, options, tenantId, id, null);
  const answer = stored.mode === 'native' ? await proxyToDeployment(gateway, request, stored, 'DELETE', `/${id}`) : json({ id, object: 'response', deleted: true });
  await storeCall(() => options.store.delete(tenantId, id));
  return answer;
}

/** GET /v1/responses/{id}/input_items (`limit` 1–100, default 20; `order` asc|desc, default desc; `after` an item id). */
export async function handleListInputItems(gateway: GatewayContext, request: RequestContext, id: string, options: ResponsesOptions, http: Pick<GatewayHttpRequest, 'query'>): Promise<GatewayHttpResponse> {
  const stored = await findStored(gateway, options, ownerOf(request.principal).tenantId, id, null);
  if (stored.mode === 'native') return proxyToDeployment(gateway, request, stored, 'GET', `/${id}/input_items`, http.query);
  const query = new URLSearchParams(http.query ?? '');
  const limit = query.has('limit') ? Number(query.get('limit')) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InvalidRequestError("Invalid 'limit': expected an integer from 1 to 100.", 'limit');
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new InvalidRequestError("Invalid 'order': expected 'asc' or 'desc'.", 'order');
  let items = [...(stored.inputItems ?? [])];
  if (order === 'desc') items.reverse();
  const after = query.get('after');
  if (after !== null) {
    const index = items.findIndex((item) => item['id'] === after);
    items = index === -1 ? [] : items.slice(index + 1);
  }
  const page = items.slice(0, limit);
  return json({
    object: 'list',
    data: page,
    first_id: page[0]?.['id'] ?? null,
    last_id: page[page.length - 1]?.['id'] ?? null,
    has_more: items.length > limit,
  });
}

interface ClientRequest {
  model: string;
  stream: boolean;
  store: boolean;
  maxOutputTokens?: number;
  previousResponseId?: string;
}

/** What the gateway itself relies on; everything else is the provider's (or the translation's) to judge. */
export function validateResponsesBody(body: JsonObject): ClientRequest {
  const model = body['model'];
  if (typeof model !== 'string' || model === '') throw new InvalidRequestError("Invalid type for 'model': expected a non-empty string.", 'model');
  const input = body['input'];
  const instructions = body['instructions'];
  if ((input === undefined || input === null) && (instructions === undefined || instructions === null)) {
    throw new InvalidRequestError("Missing required parameter: 'input'.", 'input');
  }
  if (input !== undefined && input !== null && typeof input !== 'string' && !Array.isArray(input)) {
    throw new InvalidRequestError("Invalid type for 'input': expected a string or an array of input items.", 'input');
  }
  if (instructions !== undefined && instructions !== null && typeof instructions !== 'string') {
    throw new InvalidRequestError("Invalid type for 'instructions': expected a string.", 'instructions');
  }
  const maxOutputTokens = body['max_output_tokens'];
  if (maxOutputTokens !== undefined && maxOutputTokens !== null && (typeof maxOutputTokens !== 'number' || !Number.isInteger(maxOutputTokens) || maxOutputTokens < 1 || maxOutputTokens > MAX_OUTPUT_TOKENS)) {
    throw new InvalidRequestError(`Invalid 'max_output_tokens': expected a positive integer of at most ${MAX_OUTPUT_TOKENS}.`, 'max_output_tokens');
  }
  for (const field of ['stream', 'store'] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && typeof value !== 'boolean') throw new InvalidRequestError(`Invalid type for '${field}': expected a boolean.`, field);
  }
  // An OpenAI conversation object lives in the provider's project, shared by every tenant: previous_response_id is the gateway's way.
  if (body['conversation'] !== undefined && body['conversation'] !== null) {
    throw new InvalidRequestError("'conversation' is not supported through the gateway; continue a conversation with 'previous_response_id'.", 'conversation', 'unsupported_parameter');
  }
  // A background response is answered `queued` with no usage and generated later, unmetered: budgets could not bind on it.
  if (body['background'] === true) {
    throw new InvalidRequestError("'background' responses are not supported through the gateway: their output could not be metered.", 'background', 'unsupported_parameter');
  }
  const previous = body['previous_response_id'];
  if (previous !== undefined && previous !== null && (typeof previous !== 'string' || !RESPONSE_ID.test(previous))) {
    throw new InvalidRequestError("Invalid 'previous_response_id': expected a response id (letters, digits, '_' and '-', at most 128).", 'previous_response_id');
  }
  return {
    model,
    stream: body['stream'] === true,
    store: body['store'] !== false,
    ...(typeof maxOutputTokens === 'number' ? { maxOutputTokens } : {}),
    ...(typeof previous === 'string' ? { previousResponseId: previous } : {}),
  };
}

function ownerOf(principal: Principal): { tenantId: string; keyId: string } {
  return principal.kind === 'virtual' ? { tenantId: principal.tenant.id, keyId: principal.key.id } : { tenantId: MASTER_SCOPE, keyId: MASTER_SCOPE };
}

/** The caller's tenant's record, else 404: another tenant's id answers exactly as a missing one. */
async function findStored(gateway: GatewayContext, options: ResponsesOptions, tenantId: string, id: string, param: string | null): Promise<StoredResponse> {
  const stored = await storeCall(() => options.store.get(tenantId, id, Math.floor(gateway.clock.now() / 1000)));
  if (stored === undefined) throw responseNotFound(id, param);
  return stored;
}

function responseNotFound(id: string, param: string | null): GatewayError {
  return new GatewayError({ status: 404, message: `No response found with id '${id}'.`, type: 'invalid_request_error', code: 'not_found', param });
}

async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new ServiceUnavailableError('Stored responses cannot be read right now. Retry shortly.', 'response_store_unavailable');
  }
}

/** The configured deployment that holds a native response (by id, whatever model it now serves), if the caller may use it. */
function deploymentOf(gateway: GatewayContext, stored: StoredResponse, model: string, isAllowed: (name: string) => boolean, param: string | null): ResolvedDeployment {
  const found = [...gateway.router.candidateDeployments(model, isAllowed), ...(gateway.router.has(stored.model) ? gateway.router.candidateDeployments(stored.model, isAllowed) : [])].find(
    (deployment) => deployment.id === stored.deploymentId,
  );
  if (found === undefined) throw responseNotFound(stored.id, param);
  return found;
}

/** A follow-up pinned to one deployment: one attempt, no failover (no other deployment can see the response). */
async function attemptOnly(
  gateway: GatewayContext,
  request: RequestContext,
  deployment: ResolvedDeployment,
  attempt: (deployment: ResolvedDeployment, signal: AbortSignal) => Promise<ResponsesServed>,
): Promise<Routed<ResponsesServed>> {
  Object.assign(request.served, { deployment, model: deployment.modelName, provider: deployment.provider });
  const startedAt = gateway.clock.now();
  const record = (status: number, errorCode?: string) =>
    request.served.attempts.push({ model: deployment.modelName, deployment: deployment.id, provider: deployment.provider, status, latencyMs: gateway.clock.now() - startedAt, ...(errorCode ? { errorCode } : {}) });
  try {
    const value = await attempt(deployment, request.signal);
    record(200);
    return { value, deployment };
  } catch (error) {
    const failure = toGatewayError(error);
    record(failure.status, failure.code ?? undefined);
    throw failure;
  }
}

/** Writes the record unless it is too large for the store (logged, and false); a store failure is logged, not the client's. */
async function saveResponse(gateway: GatewayContext, options: ResponsesOptions, request: RequestContext, record: StoredResponse, nowSeconds: number): Promise<boolean> {
  const json = JSON.stringify(record);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_STORED_RESPONSE_BYTES) {
    gateway.logger.warn('responses.not_stored', { requestId: request.requestId, reason: 'too_large', bytes, limit: MAX_STORED_RESPONSE_BYTES });
    return false;
  }
  try {
    await options.store.put(record, json, nowSeconds + options.ttlSeconds);
    return true;
  } catch (error) {
    gateway.logger.warn('responses.store_failed', { requestId: request.requestId, error: error instanceof Error ? error.name : typeof error });
    return false;
  }
}

/** GET or DELETE at the provider that holds a native response; its answer (or its error) goes back as given. */
async function proxyToDeployment(gateway: GatewayContext, request: RequestContext, stored: StoredResponse, method: 'GET' | 'DELETE', suffix: string, query?: string): Promise<GatewayHttpResponse> {
  const deployment = deploymentOf(gateway, stored, stored.model, () => true, null);
  const build = (keyed: ResolvedDeployment) => buildResponsesRequest(keyed, method, suffix, undefined, proxiedQuery(query));
  const upstream = await callProvider(gateway, responsesProvider(deployment), deployment, build, request.signal);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: await readBodyText(upstream.body, gateway.settings.maxUpstreamResponseBytes) };
}

/** The query parameters a proxied GET may carry (`stream` is not among them: the answer is read whole). */
const PROXIED_QUERY_PARAMETERS = new Set(['include', 'include[]', 'limit', 'order', 'after', 'before']);

function proxiedQuery(query: string | undefined): string | undefined {
  if (query === undefined || query === '') return undefined;
  const kept = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(query)) if (PROXIED_QUERY_PARAMETERS.has(name)) kept.append(name, value);
  const text = kept.toString();
  return text === '' ? undefined : text;
}

function json(body: unknown): GatewayHttpResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
