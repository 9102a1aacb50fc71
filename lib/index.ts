/**
 * The gateway for embedding in your own CDK app:
 *
 * ```ts
 * import { LlmGateway } from './lib/index.js';
 * new LlmGateway(stack, 'Gateway', { configYaml: readFileSync('gateway.yaml', 'utf8'), stage: 'prod', alarmTopic });
 * ```
 *
 * GatewayStack is the ready-made stack `npx cdk deploy` deploys (bin/app.ts).
 */
export {
  LlmGateway,
  LlmGatewayPropsError,
  STAGES,
  GATEWAY_CORS_ALLOWED_HEADERS,
  GATEWAY_CORS_EXPOSED_HEADERS,
  DEFAULT_CORS_MAX_AGE,
  DEFAULT_RESERVED_CONCURRENCY,
  ADMIN_RESERVED_CONCURRENCY,
  AGGREGATOR_RESERVED_CONCURRENCY,
  type LlmGatewayProps,
  type GatewayCorsOptions,
  type GatewayEdgeProtectionOptions,
  type Stage,
} from './gateway-construct.js';
export {
  GatewayMonitoring,
  GATEWAY_LOG_EVENT_METRICS,
  type GatewayMonitoringProps,
} from './gateway-monitoring.js';
export {
  GatewayEdgeProtection,
  GatewayEdgeProtectionError,
  DEFAULT_WAF_RATE_LIMIT_PER_IP,
  DEFAULT_EDGE_READ_TIMEOUT,
  type GatewayEdgeProtectionProps,
} from './gateway-edge-protection.js';
export { GatewayStack, ConfigFileError, type GatewayStackProps } from './gateway-stack.js';
export { CONTEXT_KEYS, GatewayContextError, readGatewayContext, defaultStackName, type GatewayContext } from './stack-context.js';
export { esbuildOptions, FUNCTION_ENTRIES } from './bundling-options.js';
export { ConfigError } from '../functions/core/config/parse-config.js';
