import { GatewayError } from '../errors.js';

/** Statuses with which a provider refuses the gateway's own credentials (its key, its AWS identity). */
const CREDENTIAL_STATUSES: ReadonlySet<number> = new Set([401, 403]);

/**
 * A provider that refuses the gateway's credentials often quotes them back (OpenAI's
 * "Incorrect API key provided: sk-…", an IAM ARN in Bedrock's AccessDenied), in encodings no
 * scrubber can know them all. So such an answer never reaches the client verbatim: it gets the
 * gateway's own message, naming the deployment, with the mapped status, type, code and headers
 * kept so that clients, routing and failover see the same failure as before. Other errors pass.
 */
export function withoutUpstreamCredentialText(upstreamStatus: number, deploymentId: string, mapped: GatewayError): GatewayError {
  if (!CREDENTIAL_STATUSES.has(upstreamStatus)) return mapped;
  return new GatewayError({
    status: mapped.status,
    message: `The upstream provider rejected the gateway's credentials for deployment ${deploymentId} (HTTP ${upstreamStatus}).`,
    type: mapped.type,
    code: mapped.code,
    headers: mapped.headers,
  });
}
