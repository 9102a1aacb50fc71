/**
 * Sends one admin API call: with a Bearer master key to the local server (or any
 * non-Lambda URL), or signed with SigV4 (service `lambda`) to an IAM-protected function URL.
 */
import { NodeSha256 } from '../platform/node-sha256.js';
import type { AdminCall } from './parse-arguments.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export interface AdminTarget {
  /** Base URL of the gateway or the admin function URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  masterKey?: string;
  /** For SigV4 when the URL's host does not name its region. */
  defaultRegion?: string;
  /** Defaults to the standard AWS chain (`@aws-sdk/credential-provider-node`), loaded only when signing. */
  credentials?: AwsCredentialsProvider;
  fetch?: typeof fetch;
}

export interface AdminAnswer {
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
}

/** Fails (TargetError) only when the call cannot be made; HTTP errors come back as answers. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

const LAMBDA_URL_HOST = /\.lambda-url\.(?:[a-z0-9-]+\.)*on\.aws$/;
const LAMBDA_URL_REGION = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

/** An `https://<id>.lambda-url.<region>.on.aws` URL: called with SigV4 rather than a master key. */
function isLambdaFunctionUrl(url: URL): boolean {
  return url.protocol === 'https:' && LAMBDA_URL_HOST.test(url.hostname);
}

/** The region named in a function URL's host, if any. */
function lambdaUrlRegion(url: URL): string | undefined {
  return LAMBDA_URL_REGION.exec(url.hostname)?.[1];
}

function buildUrl(base: string, call: AdminCall): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TargetError(`'${base}' is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetError(`'${base}' is not an http(s) URL.`);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${call.path}`;
  url.search = new URLSearchParams(call.query ?? {}).toString();
  return url;
}

export async function sendAdminCall(call: AdminCall, target: AdminTarget): Promise<AdminAnswer> {
  const url = buildUrl(target.url, call);
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';

  if (isLambdaFunctionUrl(url)) {
    const region = lambdaUrlRegion(url) ?? target.defaultRegion;
    Object.assign(headers, await signHeaders(url, call.method, headers, body, region, target.credentials));
  } else {
    if (!target.masterKey) {
      throw new TargetError('No master key: set GATEWAY_MASTER_KEY or pass --master-key.');
    }
    headers.authorization = `Bearer ${target.masterKey}`;
  }

  let response: Response;
  try {
    response = await (target.fetch ?? fetch)(url, { method: call.method, headers, body });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new TargetError(`Cannot reach ${url.origin}: ${reason}`);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML page, say): kept as text for the error message.
  }
  return { status: response.status, body: parsed };
}

/** The message of an error answer: OpenAI's `error.message`, AWS's `Message`, or the status. */
export function errorMessageOf(answer: AdminAnswer): string {
  const body = answer.body;
  if (typeof body === 'object' && body !== null) {
    const record = body as { error?: { message?: unknown }; Message?: unknown; message?: unknown };
    const message = record.error?.message ?? record.Message ?? record.message;
    if (typeof message === 'string') return `${message} (HTTP ${answer.status})`;
  }
  if (typeof body === 'string' && body.trim() !== '' && body.length <= 500) return `${body.trim()} (HTTP ${answer.status})`;
  return `HTTP ${answer.status}`;
}

async function signHeaders(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  region: string | undefined,
  credentials: AwsCredentialsProvider | undefined,
): Promise<Record<string, string>> {
  if (!region) throw new TargetError(`Cannot tell the AWS region of ${url.host}; set AWS_REGION.`);
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const provider = credentials ?? (await import('@aws-sdk/credential-provider-node')).defaultProvider();
  const signer = new SignatureV4({ service: 'lambda', region, credentials: provider, sha256: NodeSha256 });
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  let signed;
  try {
    signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      body,
    });
  } catch (error) {
    throw new TargetError(`Cannot sign the request with AWS credentials: ${error instanceof Error ? error.message : String(error)}`);
  }
  // fetch sets `host` itself, to the same value that was signed.
  const { host: _host, ...rest } = signed.headers;
  return rest;
}
