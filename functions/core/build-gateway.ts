// Contract stub: implementation lands in the next commit.
import type { GatewayHandler } from './http/gateway-http.js';
import type { Clock, IdSource, Logger, SecretSource, UpstreamClient } from './ports.js';

export interface BuildGatewayOptions {
  /** YAML text of the LiteLLM-style config. */
  configText: string;
  secrets: SecretSource;
  upstream: UpstreamClient;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  /** Used only when neither `general_settings.master_key` nor `GATEWAY_MASTER_KEY` yields one (the local server generates it). */
  fallbackMasterKey?: string;
}

export interface BuiltGateway {
  handle: GatewayHandler;
  /** Where the master key came from; `none` means every authenticated route answers 401. */
  masterKeyOrigin: 'config' | 'environment' | 'generated' | 'none';
  modelNames: string[];
}

/** Parses and validates the config, resolves `os.environ/` references, and returns the request handler. Throws `ConfigError` listing every problem. */
export declare function buildGateway(options: BuildGatewayOptions): Promise<BuiltGateway>;
