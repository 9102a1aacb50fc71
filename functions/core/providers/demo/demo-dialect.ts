import type { OpenAICompatibleDialect } from '../openai-compatible/openai-compatible-provider.js';
import { DEMO_URL_PREFIX } from './demo-upstream.js';

/** The demo model is OpenAI-compatible; its "server" is in-process, reached by `demo://` URLs. */
export const demoDialect: OpenAICompatibleDialect = {
  url: (deployment, operation) => `${DEMO_URL_PREFIX}local/${operation}?stream_delay_ms=${deployment.streamDelayMs}`,
  authHeaders: () => ({}),
};
