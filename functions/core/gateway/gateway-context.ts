import type { AdmissionSettings } from '../admission/admission.js';
import type { CounterStore } from '../admission/counter-store.js';
import type { Principal } from '../auth/key-store.js';
import type { GeneralSettings } from '../config/config-types.js';
import type { ProviderKeys } from '../config/provider-keys.js';
import type { GatewayError } from '../errors.js';
import type { Clock, Logger, UpstreamClient } from '../ports.js';
import type { ModelRouter } from '../routing/model-router.js';

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
}

/** One request as the route handlers see it, after routing and authentication. */
export interface RequestContext {
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly principal: Principal;
  /** The tenant's own customer: the `x-gateway-end-user` header, else the body's `user`. */
  endUser?: string;
  /** Filled in by the handler, for the response headers and the request log line. */
  readonly served: { model?: string; provider?: string; stream?: boolean };
}
