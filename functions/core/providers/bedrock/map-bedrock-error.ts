import { GatewayError } from '../../errors.js';
import { clientErrorStatus, clippedMessage, errorTypeForStatus, retryAfterOf } from '../openai-compatible/map-openai-error.js';
import { isObject, parseJson } from '../json-values.js';

/**
 * Bedrock's error names → the status and OpenAI `error.type` the client gets. The name comes
 * from the `x-amzn-errortype` header of an error answer, or the `:exception-type` of an
 * exception frame in a stream (API_runtime_Converse.html, "Errors").
 */
export const BEDROCK_ERRORS: Readonly<Record<string, { status: number; type: string }>> = {
  ThrottlingException: { status: 429, type: 'rate_limit_error' },
  ServiceQuotaExceededException: { status: 429, type: 'rate_limit_error' },
  ValidationException: { status: 400, type: 'invalid_request_error' },
  AccessDeniedException: { status: 403, type: 'permission_error' },
  ResourceNotFoundException: { status: 404, type: 'not_found_error' },
  ServiceUnavailableException: { status: 503, type: 'server_error' },
  ModelNotReadyException: { status: 503, type: 'server_error' },
  ModelTimeoutException: { status: 504, type: 'timeout_error' },
  InternalServerException: { status: 500, type: 'server_error' },
  // The model itself failed (Bedrock answers 424): the provider's failure, not the client's.
  ModelErrorException: { status: 502, type: 'api_error' },
  ModelStreamErrorException: { status: 502, type: 'api_error' },
  // The gateway's own AWS credentials or signature were refused: nothing the client can fix.
  UnrecognizedClientException: { status: 500, type: 'server_error' },
  InvalidSignatureException: { status: 500, type: 'server_error' },
  IncompleteSignatureException: { status: 500, type: 'server_error' },
  MissingAuthenticationTokenException: { status: 500, type: 'server_error' },
  ExpiredTokenException: { status: 500, type: 'server_error' },
};

/**
 * Maps a Bedrock error answer (`{"message": …}` with `x-amzn-errortype: ThrottlingException:http://…`)
 * to the client's error, keeping Bedrock's message and naming the exception in `code`. An unknown
 * exception keeps the HTTP status Bedrock answered with.
 */
export function mapBedrockError(status: number, bodyText: string, headers: Readonly<Record<string, string | undefined>>): GatewayError {
  const body = parseJson(bodyText);
  const errorName = errorNameOf(headers['x-amzn-errortype']) ?? errorNameOf(isObject(body) ? body['__type'] : undefined);
  const message = messageOf(body) ?? (bodyText.trim() || `The upstream provider answered with HTTP ${status}.`);
  return bedrockError(errorName, message, clientErrorStatus(status), retryAfterOf(headers));
}

/** An exception frame in a ConverseStream (`event` = its `:exception-type`, `data` = `{"message": …}`). */
export function mapBedrockStreamException(exceptionType: string, data: string): GatewayError {
  const message = messageOf(parseJson(data)) ?? (data.trim() || `The upstream provider failed mid-stream (${exceptionType}).`);
  return bedrockError(exceptionType, message, 502, {});
}

function bedrockError(errorName: string | undefined, message: string, fallbackStatus: number, headers: Record<string, string>): GatewayError {
  const known = errorName === undefined ? undefined : BEDROCK_ERRORS[errorName];
  const status = known?.status ?? fallbackStatus;
  return new GatewayError({
    status,
    message: clippedMessage(message),
    type: known?.type ?? errorTypeForStatus(status),
    code: errorName ?? null,
    headers,
  });
}

/** `ThrottlingException:http://internal.amazon.com/…` or `com.amazon.coral.validate#ValidationException` → the bare name. */
function errorNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const name = value.split(':')[0]!.split('#').at(-1)!.trim();
  return name === '' ? undefined : name;
}

function messageOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const message = body['message'] ?? body['Message'];
  return typeof message === 'string' && message !== '' ? message : undefined;
}
