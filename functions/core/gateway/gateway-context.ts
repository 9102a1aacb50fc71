import type { AdmissionSettings } from '../admission/admission.js';
import type { CounterStore } from '../admission/counter-store.js';
import type { Principal } from '../auth/key-store.js';
import type { TokenUsage } from '../pricing/cost.js';
import type { ProviderHttpRequest, ResolvedDeployment } from '../providers/provider.js';
import type { UsageSink } from '../usage/usage-record.js';
import type { Metering } from './metering.js';
import type { GeneralSettings } from '../config/config-types.js';
import type { ProviderKeys } from '../config/provider-keys.js';
import type { GatewayError } from '../errors.js';
import type { Clock, Logger, UpstreamClient } from '../ports.js';
import type { AttemptRecord, ModelRouter } from '../routing/model-router.js';

/** What route handlers share: built once per process (per Lambda container). */
export interface GatewayContext {
  readonly router: ModelRouter;
  readonly upstream: UpstreamClient;
  /** Resolves provider keys per call (cached by the secret source), refreshable after a 401. */
  readonly providerKeys: ProviderKeys;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: GeneralSettings;
  /** Unix seconds at start-up: the `created` of every listed model. */
  readonly startedAtSeconds: number;
  /** Scrubs configured secrets out of an error before a client or a log sees it. */
  readonly redact: (error: GatewayError) => GatewayError;
  /** Rate limits and budgets for virtual keys; absent = master key only, nothing counted. */
  readonly admission?: { readonly store: CounterStore; readonly settings: AdmissionSettings };
  /** Where usage records go once a response is complete; absent = not recorded. */
  readonly usageSink?: UsageSink;
  /** Signs requests that ask for it (Bedrock: SigV4 with the function's own credentials). */
  readonly signer?: RequestSigner;
  /** LiteLLM's `drop_params`: drop what a provider cannot honour (named in a header), else refuse with 400. */
  readonly dropParams: boolean;
}

/** Adds authentication headers to a provider request whose `signing` says how. */
export type RequestSigner = (request: ProviderHttpRequest) => Promise<ProviderHttpRequest>;

/** Token counts as recorded: the provider's own, or the gateway's estimate. */
export interface RecordedUsage extends TokenUsage {
  reasoningTokens?: number;
  estimated: boolean;
  /** The provider's usage was not believable (see readUpstreamUsage): these are the gateway's estimates instead. */
  rejectedUpstreamUsage?: boolean;
}

/**
 * What happened to one request, filled in by the handler as it goes: for the response
 * headers, the request log line, settlement and the usage record.
 */
export interface RequestOutcome {
  /** The model that served (or was last attempted): the requested one, or a fallback. */
  model?: string;
  /** The model the client asked for. */
  requestedModel?: string;
  provider?: string;
  stream?: boolean;
  operation?: 'chat' | 'embeddings' | 'responses';
  /** Set once the request reached admission: from then on it gets a usage record. */
  deployment?: ResolvedDeployment;
  /** Set once admitted; settled after the response. */
  metering?: Metering;
  /** The final usage, when known before the response ends (non-streaming). */
  usage?: RecordedUsage;
  /** Streams: the usage seen (or estimated) so far, read when the stream has ended. */
  streamUsage?: () => RecordedUsage;
  /** A stream that failed after it started: the error code it ended with. */
  streamErrorCode?: string;
  tags: string[];
  metadata?: Record<string, unknown>;
  /** Routing override fields in the body the key may not use, which were ignored (named in a header, on errors too). */
  ignoredParams?: string[];
  /** Every attempt at a deployment, in order (retries and fallbacks included). */
  attempts: AttemptRecord[];
  /** Work started on the way (cooldown writes) that must finish before the invocation does. */
  background: Promise<unknown>[];
}

/** One request as the route handlers see it, after routing and authentication. */
export interface RequestContext {
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly principal: Principal;
  /** The tenant's own customer: the `x-gateway-end-user` header, else the body's `user`. */
  endUser?: string;
  /** Filled in by the handler as it goes. */
  readonly served: RequestOutcome;
}
