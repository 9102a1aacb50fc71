/**
 * Edge protection's second half: with CloudFront and WAF in front of the function URL
 * (lib/gateway-edge-protection.ts), CloudFront adds a secret header to every request it
 * forwards, and the function refuses any request without it, so nobody can go around the
 * WAF by calling the function URL directly. (CloudFront's origin access control would sign
 * requests instead, but a function URL then also needs the client to sign the payload,
 * which OpenAI clients do not do.)
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayHttpResponse } from '../core/http/gateway-http.js';

/** The header CloudFront adds; its value is a Secrets Manager secret. */
export const ORIGIN_VERIFY_HEADER = 'x-gateway-origin-verify';

type EventHeaders = Readonly<Record<string, string | undefined>> | undefined;

/** Whether a request's headers carry the expected origin-verify value. */
export type OriginCheck = (headers: EventHeaders) => boolean;

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares on digests in constant time, so neither timing nor length tells anything about the value. */
export function createOriginCheck(expectedValue: string): OriginCheck {
  if (expectedValue === '') throw new Error('The origin-verify secret is empty.');
  const expected = sha256(expectedValue);
  return (headers) => timingSafeEqual(sha256(headerValue(headers) ?? ''), expected);
}

/** The headers without the origin-verify header, so the core can neither log nor forward it. */
export function withoutOriginHeader(headers: EventHeaders): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== ORIGIN_VERIFY_HEADER));
}

/** 403 in OpenAI's error shape; says which URL to use, nothing about the check. */
export function originForbiddenResponse(): GatewayHttpResponse {
  return {
    status: 403,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: {
        message: 'This URL does not accept requests directly; use the gateway\'s published base URL.',
        type: 'permission_error',
        param: null,
        code: 'direct_access_forbidden',
      },
    }),
  };
}

function headerValue(headers: EventHeaders): string | undefined {
  // Function URLs lower-case header names; any other case is accepted too.
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === ORIGIN_VERIFY_HEADER) return value;
  }
  return undefined;
}
