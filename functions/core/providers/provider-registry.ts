import { azureDialect } from './azure-dialect.js';
import { demoDialect } from './demo/demo-dialect.js';
import { bearerDialect, createOpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider.js';
import type { Provider } from './provider.js';
import type { WireFormat } from './provider-catalog.js';

const PROVIDERS_BY_WIRE: Record<WireFormat, Provider> = {
  'openai-compatible': createOpenAICompatibleProvider(bearerDialect),
  azure: createOpenAICompatibleProvider(azureDialect),
  demo: createOpenAICompatibleProvider(demoDialect),
};

/** The translation module for a wire format. */
export function providerFor(wire: WireFormat): Provider {
  return PROVIDERS_BY_WIRE[wire];
}
