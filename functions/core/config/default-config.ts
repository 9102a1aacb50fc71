/**
 * The embedded default: what `npm start` serves with no GATEWAY_CONFIG, and what a
 * deployment without `-c config=` bundles. The built-in demo model answers without
 * any provider key.
 */
export const DEFAULT_CONFIG_YAML = `# Embedded default config: one built-in demo model, no provider keys needed.
model_list:
  - model_name: demo
    litellm_params:
      model: demo/echo
      stream_delay_ms: 30   # pace the word-by-word stream so curl -N shows it streaming

general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`;
