/**
 * Every provider prefix the config accepts (LiteLLM's names), and which wire
 * implementation serves it. The OpenAI-compatible ones differ only in these rows:
 * adding one is a line here, not a module.
 */

export type WireFormat = 'openai-compatible' | 'azure' | 'demo' | 'anthropic' | 'gemini' | 'bedrock';

export interface ProviderEntry {
  readonly wire: WireFormat;
  /** Used when the deployment sets no `api_base`. */
  readonly defaultApiBase?: string;
  /** Read (as `os.environ/<name>`) when the deployment sets no `api_key`. */
  readonly apiKeyVariable?: string;
  /** A key is needed to call it (local servers such as Ollama need none). */
  readonly requiresApiKey: boolean;
  /** `api_base` must be given (self-hosted servers have no public default). */
  readonly requiresApiBase?: boolean;
  /** False for servers that reject `stream_options`; their streams report usage unasked (Mistral's last chunk does). */
  readonly acceptsStreamOptions?: boolean;
}

const compatible = (
  defaultApiBase: string | undefined,
  apiKeyVariable: string | undefined,
  extra: Partial<ProviderEntry> = {},
): ProviderEntry => ({
  wire: 'openai-compatible',
  defaultApiBase,
  apiKeyVariable,
  requiresApiKey: apiKeyVariable !== undefined,
  ...extra,
});

export const PROVIDERS: Readonly<Record<string, ProviderEntry>> = {
  openai: compatible('https://api.openai.com/v1', 'OPENAI_API_KEY'),
  azure: {
    wire: 'azure',
    apiKeyVariable: 'AZURE_API_KEY',
    requiresApiKey: true,
    requiresApiBase: true,
  },
  groq: compatible('https://api.groq.com/openai/v1', 'GROQ_API_KEY'),
  together_ai: compatible('https://api.together.xyz/v1', 'TOGETHERAI_API_KEY'),
  // Mistral's API rejects unknown request fields, and its last stream chunk carries usage anyway (mistral-text.chunks.txt).
  mistral: compatible('https://api.mistral.ai/v1', 'MISTRAL_API_KEY', { acceptsStreamOptions: false }),
  deepseek: compatible('https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY'),
  fireworks_ai: compatible('https://api.fireworks.ai/inference/v1', 'FIREWORKS_AI_API_KEY'),
  openrouter: compatible('https://openrouter.ai/api/v1', 'OPENROUTER_API_KEY'),
  xai: compatible('https://api.x.ai/v1', 'XAI_API_KEY'),
  perplexity: compatible('https://api.perplexity.ai', 'PERPLEXITYAI_API_KEY'),
  // Self-hosted servers: no key by default (one may still be set with api_key).
  hosted_vllm: compatible(undefined, undefined, { requiresApiBase: true }),
  lm_studio: compatible('http://localhost:1234/v1', undefined),
  // Ollama's OpenAI-compatible endpoint (/v1), not its native /api/generate.
  ollama: compatible('http://localhost:11434/v1', undefined),
  ollama_chat: compatible('http://localhost:11434/v1', undefined),
  demo: { wire: 'demo', requiresApiKey: false },
  anthropic: { wire: 'anthropic', apiKeyVariable: 'ANTHROPIC_API_KEY', requiresApiKey: true },
  gemini: { wire: 'gemini', apiKeyVariable: 'GEMINI_API_KEY', requiresApiKey: true },
  // Signed with SigV4 from the function's own role: no provider key.
  bedrock: { wire: 'bedrock', requiresApiKey: false },
  bedrock_converse: { wire: 'bedrock', requiresApiKey: false },
};

const NOT_HONOURED_EVERYWHERE = ['logprobs', 'top_logprobs', 'logit_bias', 'service_tier', 'store', 'prediction', 'modalities', 'audio'];

/**
 * OpenAI parameters each native wire format cannot honour and its translation drops (the
 * modules' request builders say the same at their top). Named in `x-gateway-dropped-params`,
 * or refused with a 400 when `litellm_settings.drop_params` is false.
 */
export const DROPPED_PARAMS: Readonly<Partial<Record<WireFormat, readonly string[]>>> = {
  anthropic: [...NOT_HONOURED_EVERYWHERE, 'seed', 'frequency_penalty', 'presence_penalty'],
  gemini: [...NOT_HONOURED_EVERYWHERE, 'parallel_tool_calls', 'user'],
  bedrock: [...NOT_HONOURED_EVERYWHERE, 'seed', 'frequency_penalty', 'presence_penalty', 'parallel_tool_calls', 'user'],
};

/** LiteLLM provider names this version recognises but does not serve yet. */
export const PLANNED_PROVIDERS: ReadonlySet<string> = new Set(['vertex_ai', 'cohere']);
