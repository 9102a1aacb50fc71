import type { GeneralSettings } from '../config/config-types.js';
import type { GatewayError } from '../errors.js';
import type { Clock, Logger, UpstreamClient } from '../ports.js';
import type { ModelRouter } from '../routing/model-router.js';

/** What route handlers share: built once per process (per Lambda container). */
export interface GatewayContext {
  readonly router: ModelRouter;
  readonly upstream: UpstreamClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: GeneralSettings;
  /** Unix seconds at start-up: the `created` of every listed model. */
  readonly startedAtSeconds: number;
  /** Scrubs configured secrets out of an error before a client or a log sees it. */
  readonly redact: (error: GatewayError) => GatewayError;
}

/** One request as the route handlers see it, after routing and authentication. */
export interface RequestContext {
  readonly requestId: string;
  readonly signal: AbortSignal;
  /** Filled in by the handler, for the response headers and the request log line. */
  served: { model?: string; provider?: string; stream?: boolean };
}
