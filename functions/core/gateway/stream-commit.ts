import { GatewayError, toGatewayError, UpstreamTimeoutError } from '../errors.js';
import { withinMs } from '../timing.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';

/**
 * The rules every streamed attempt follows, whatever it relays (translated chat chunks, Anthropic
 * events as sent, Responses events): the router may fail over until the client has a byte, and
 * not after.
 */

/** One streamed attempt's upstream abort: follows the router's signal, and can also end the upstream after the commit. */
export function followAttemptSignal(signal: AbortSignal): AbortController {
  const upstream = new AbortController();
  const follow = () => upstream.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  return upstream;
}

/** Redacts a failure raised after the commit, records its code for the usage record, and logs it. */
export function streamFailureHandler(gateway: GatewayContext, request: RequestContext): (error: GatewayError) => GatewayError {
  return (error) => {
    const redacted = gateway.redact(error);
    request.served.streamErrorCode = redacted.code ?? redacted.type;
    gateway.logger.warn('stream.failed', { requestId: request.requestId, status: redacted.status, code: redacted.code });
    return redacted;
  };
}

export interface StreamToCommit {
  /** The stream as the client will get it (its pieces already framed). */
  readonly iterator: AsyncIterator<string>;
  /** True once the provider's first output (or its word that there is none) has come through. */
  started(): boolean;
  readonly deployment: ResolvedDeployment;
  readonly timeoutOverrideMs?: number;
  /** Aborts the upstream call (see followAttemptSignal). */
  readonly upstream: AbortController;
  /** Called once the attempt is committed: from then on failures become events, not rejections. */
  onCommit(): void;
  /** A failure that raced the commit, as the stream's closing event (already redacted by the caller's handler). */
  errorEvent(error: GatewayError): string;
}

/**
 * Resolves once the stream has started, holding what came before it; or, when the provider has
 * begun but stays silent for a keep-alive interval, at that point, so that keep-alive comments can
 * flow through a long think. Until it resolves a failure (an error event, a broken or empty
 * stream) rejects, so that the router can fail over; afterwards the stream ends with one error
 * event, since the client already has bytes. `stream_timeout` still bounds the first token after
 * such an early commit: past it the upstream is aborted and the relay says why.
 */
export async function commitWhenStarted(gateway: GatewayContext, request: RequestContext, stream: StreamToCommit): Promise<AsyncIterable<string>> {
  const firstTokenLimitMs = stream.timeoutOverrideMs ?? stream.deployment.streamTimeoutMs;
  const firstTokenBy = gateway.clock.now() + firstTokenLimitMs;
  const { iterator } = stream;
  const held: string[] = [];
  let pending: Promise<IteratorResult<string>> | undefined;
  let ended = false;
  while (!stream.started()) {
    const next = iterator.next();
    const result = held.length === 0 ? await next : await withinMs(next, gateway.settings.streamKeepAliveMs);
    if (result === undefined) {
      // Begun, then silent: commit now; the read in flight continues in the body below.
      pending = next;
      next.catch(() => undefined); // if the client leaves before the body is read, nobody else awaits it
      break;
    }
    if (result.done) {
      ended = true;
      break;
    }
    held.push(result.value);
  }
  if (ended && !stream.started()) {
    throw new GatewayError({ status: 502, message: 'The upstream provider ended the stream without any output.', type: 'api_error', code: 'empty_upstream_stream' });
  }
  stream.onCommit();
  return (async function* resumed() {
    try {
      if (held.length > 0) yield held.join('');
      for (let next = pending ?? iterator.next(); ; next = iterator.next()) {
        let result = stream.started() ? await next : await withinMs(next, Math.max(0, firstTokenBy - gateway.clock.now()));
        if (result === undefined) {
          // Committed early, and still no first token by stream_timeout: end the upstream; the relay says why.
          stream.upstream.abort(new UpstreamTimeoutError(`The upstream provider sent no first token within ${firstTokenLimitMs} ms.`));
          result = await next;
        }
        if (result.done) return;
        yield result.value;
      }
    } catch (error) {
      // A failure racing the commit: the relay could not yet turn it into an error event.
      if (!request.signal.aborted) yield stream.errorEvent(toGatewayError(error));
    } finally {
      // Stopped early (the client left): let the relay release the upstream.
      iterator.return?.(undefined).catch(() => undefined);
    }
  })();
}
