import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { startGateway, type RunningGateway } from './start-gateway.js';

/** One deployment on the fake upstream: `model` is the upstream model (its behaviour, e.g. `silent-stream`). */
export interface KeepAliveDeployment {
  name: string;
  model: string;
  /** Seconds; left out of the config when not given. */
  timeout?: number;
  /** Seconds. */
  streamTimeout: number;
}

/**
 * A fake upstream and a local gateway in front of it for streams the upstream leaves silent:
 * `openai/…` deployments with the given timeouts, no retries, the master key from
 * GATEWAY_MASTER_KEY (start-gateway.ts's MASTER_KEY), and a keep-alive comment every 0.05 s.
 */
export async function startKeepAliveGateway(options: {
  providerKey: string;
  deployments: readonly KeepAliveDeployment[];
}): Promise<{ upstream: FakeUpstream; gateway: RunningGateway }> {
  const upstream = await startFakeUpstream();
  const deployment = ({ name, model, timeout, streamTimeout }: KeepAliveDeployment) => `
  - model_name: ${name}
    litellm_params:
      model: openai/${model}
      api_base: ${upstream.baseUrl}
      api_key: ${options.providerKey}${timeout === undefined ? '' : `
      timeout: ${timeout}`}
      stream_timeout: ${streamTimeout}`;
  try {
    const gateway = await startGateway(`
model_list:${options.deployments.map(deployment).join('')}
router_settings:
  num_retries: 0
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  stream_keep_alive_seconds: 0.05
`);
    return { upstream, gateway };
  } catch (error) {
    await upstream.close();
    throw error;
  }
}
