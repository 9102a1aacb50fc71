import { describe, expect, it } from 'vitest';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { readAnthropicClientRequest } from '../../../../functions/core/providers/anthropic/anthropic-native.js';
import {
  anthropicEventOfBedrockFrame,
  buildBedrockCountTokensRequest,
  buildBedrockInvokeRequest,
  isBedrockClaude,
  parseBedrockCountTokens,
} from '../../../../functions/core/providers/bedrock/bedrock-invoke-native.js';
import { decodeAwsEventStream } from '../../../../functions/core/streaming/aws-event-stream-decoder.js';
import { captureError } from '../../../support/capture-error.js';
import { bedrockDeployment } from './bedrock-test-support.js';

const PROFILE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const body = { model: 'claude', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'enabled', budget_tokens: 2048 } };
const noClient = readAnthropicClientRequest({}, undefined);

describe('isBedrockClaude', () => {
  it.each([
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', true],
    [PROFILE, true],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0', true],
    ['converse/anthropic.claude-3-5-sonnet-20240620-v1:0', true],
    ['amazon.nova-pro-v1:0', false],
    ['meta.llama3-70b-instruct-v1:0', false],
  ])('says %s is Claude: %s', (upstreamModel, expected) => {
    expect(isBedrockClaude(bedrockDeployment({ upstreamModel }))).toBe(expected);
  });
});

describe('buildBedrockInvokeRequest', () => {
  it('streams through invoke-with-response-stream when the body asks to stream', () => {
    const request = buildBedrockInvokeRequest(body, noClient, bedrockDeployment({ upstreamModel: PROFILE }));

    expect(decodeURIComponent(request.url)).toBe(`https://bedrock-runtime.eu-west-1.amazonaws.com/model/${PROFILE}/invoke-with-response-stream`);
    expect(request.signing).toEqual({ service: 'bedrock', region: 'eu-west-1' });
  });

  it('moves the betas of the header and the config into the body when both send some', () => {
    const client = readAnthropicClientRequest({ 'anthropic-beta': 'a-2025' }, undefined);

    const request = buildBedrockInvokeRequest(body, client, bedrockDeployment({ extraHeaders: { 'anthropic-beta': 'b-2025', 'x-custom': '1' } }));

    expect(JSON.parse(request.body as string)['anthropic_beta']).toEqual(['a-2025', 'b-2025']);
    expect(request.headers['anthropic-beta']).toBeUndefined();
    expect(request.headers['x-custom']).toBe('1');
  });

  it('drops model and stream and sets the Bedrock version, keeping the rest', () => {
    const request = buildBedrockInvokeRequest({ ...body, anthropic_version: 'client-version' }, noClient, bedrockDeployment());

    const { model: _model, stream: _stream, ...rest } = body;
    expect(JSON.parse(request.body as string)).toEqual({ ...rest, anthropic_version: 'bedrock-2023-05-31' });
  });
});

describe('buildBedrockCountTokensRequest', () => {
  it('counts on the foundation model when the deployment is a cross-region profile', () => {
    const request = buildBedrockCountTokensRequest(body, noClient, bedrockDeployment({ upstreamModel: PROFILE }));

    expect(decodeURIComponent(request.url)).toBe('https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-sonnet-4-5-20250929-v1:0/count-tokens');
  });

  it('gives the InvokeModel body room for the thinking budget when the count carries no max_tokens', () => {
    const { max_tokens: _max, ...countBody } = body;

    const request = buildBedrockCountTokensRequest(countBody, noClient, bedrockDeployment());

    const encoded = (JSON.parse(request.body as string) as { input: { invokeModel: { body: string } } }).input.invokeModel.body;
    expect(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))).toMatchObject({ max_tokens: 2049, anthropic_version: 'bedrock-2023-05-31' });
  });
});

describe('parseBedrockCountTokens', () => {
  it("answers Anthropic's shape when Bedrock gives inputTokens", () => {
    expect(parseBedrockCountTokens({ inputTokens: 42 })).toEqual({ input_tokens: 42 });
  });

  it('fails with 502 when the count is not a whole number', () => {
    expect(captureError(() => parseBedrockCountTokens({ inputTokens: -1 }))).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});

describe('anthropicEventOfBedrockFrame', () => {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const frame = (headers: Record<string, string>, payload: unknown) =>
    codec.encode({
      headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { type: 'string' as const, value }])),
      body: fromUtf8(JSON.stringify(payload)),
    });
  async function* bytes(...frames: Uint8Array[]) {
    yield* frames;
  }
  /** The one event a frame decodes to, as the gateway's decoder gives it. */
  async function decodedOf(encoded: Uint8Array) {
    for await (const event of decodeAwsEventStream(bytes(encoded))) return event;
    throw new Error('the frame decoded to no event');
  }

  it('unwraps the Anthropic event a chunk frame carries in base64', async () => {
    const event = { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EvQBCkYI' } };
    const chunk = frame({ ':event-type': 'chunk', ':message-type': 'event' }, { bytes: Buffer.from(JSON.stringify(event)).toString('base64') });

    const decoded = await decodedOf(chunk);

    expect(anthropicEventOfBedrockFrame(decoded)).toEqual({ event: 'content_block_delta', data: JSON.stringify(event) });
  });

  it('throws the mapped error when the frame is an exception', async () => {
    const exception = frame({ ':exception-type': 'throttlingException', ':message-type': 'exception' }, { message: 'Too many requests' });

    const decoded = await decodedOf(exception);

    expect(captureError(() => anthropicEventOfBedrockFrame(decoded))).toMatchObject({ status: 429, message: 'Too many requests', code: 'ThrottlingException' });
  });
});
