import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.js';
import type { RequestSigner } from '../core/gateway/gateway-context.js';
import type { ProviderHttpRequest } from '../core/providers/provider.js';

/** AWS credentials as the SDK's credential providers return them. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

export interface SigV4RequestSignerOptions {
  /**
   * Where credentials come from; by default the standard chain (`@aws-sdk/credential-provider-node`:
   * environment, then the Lambda role's session, SSO, profile, IMDS…), loaded on the first signed
   * request only, cached, and refreshed before the credentials expire.
   */
  credentials?: AwsCredentialIdentityProvider;
  /** The signing time; the wall clock when absent (tests pin it). */
  now?: () => Date;
}

/**
 * The gateway's signer (an edge adapter): a request whose `signing` names a service and region
 * (Bedrock) gets SigV4 headers — `host`, `x-amz-date`, `x-amz-security-token` with temporary
 * credentials, and `authorization`; any other request passes through unchanged. The body is
 * hashed into the signature; `x-amz-content-sha256` is not sent (only S3 wants it). Rejects when
 * no credentials can be found; the gateway answers 503 then.
 */
export function createSigV4RequestSigner(options: SigV4RequestSignerOptions = {}): RequestSigner {
  let credentials: AwsCredentialIdentityProvider | undefined = options.credentials;
  const credentialProvider = async (): Promise<AwsCredentialIdentity> => {
    credentials ??= (await import('@aws-sdk/credential-provider-node')).defaultProvider();
    return credentials();
  };
  // Region and service are given per request (signingRegion/signingService); these are placeholders.
  const signer = new SignatureV4({ service: 'bedrock', region: 'us-east-1', credentials: credentialProvider, sha256: NodeSha256, applyChecksum: false });

  return async (request: ProviderHttpRequest): Promise<ProviderHttpRequest> => {
    if (request.signing === undefined) return request;
    const url = new URL(request.url);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port !== '' ? { port: Number(url.port) } : {}),
        // As sent on the wire (the model id already percent-encoded); the signer encodes it once more, as SigV4 wants.
        path: url.pathname,
        query,
        headers: { ...request.headers, host: url.host },
        body: request.body,
      },
      { signingRegion: request.signing.region, signingService: request.signing.service, signingDate: options.now?.() },
    );
    return { ...request, headers: { ...(signed.headers as Record<string, string>) } };
  };
}
