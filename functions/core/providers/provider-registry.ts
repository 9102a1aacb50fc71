import { anthropicProvider } from './anthropic/anthropic-provider.js';
import { azureDialect } from './azure-dialect.js';
import { bedrockProvider } from './bedrock/bedrock-provider.js';
import { geminiProvider } from './gemini/gemini-provider.js';
import { demoDialect } from './demo/demo-dialect.js';
import { bearerDialect, createOpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider.js';
import type { Provider } from './provider.js';
import type { WireFormat } from './provider-catalog.js';

const PROVIDERS_BY_WIRE: Partial<Record<WireFormat, Provider>> = {
  'openai-compatible': createOpenAICompatibleProvider(bearerDialect),
  azure: createOpenAICompatibleProvider(azureDialect),
  demo: createOpenAICompatibleProvider(demoDialect),
  anthropic: anthropicProvider,
  gemini: geminiProvider,
  bedrock: bedrockProvider,
};

/** The translation module for a wire format. */
export function providerFor(wire: WireFormat): Provider {
  const provider = PROVIDERS_BY_WIRE[wire];
  if (!provider) throw new Error(`No translation module for wire format ${wire}`);
  return provider;
}
