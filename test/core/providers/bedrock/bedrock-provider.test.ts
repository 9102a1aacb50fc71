import { describe, expect, it } from 'vitest';
import { bedrockProvider } from '../../../../functions/core/providers/bedrock/bedrock-provider.js';
import { regionOf } from '../../../../functions/core/providers/bedrock/bedrock-endpoint.js';
import { bedrockContext, bedrockDeployment, readBedrockEvents, readBedrockJson } from './bedrock-test-support.js';

describe('bedrockProvider', () => {
  it('frames its streams as AWS event-stream', () => {
    expect(bedrockProvider.streamFraming).toBe('aws-event-stream');
  });

  it('builds, parses and translates through one interface', () => {
    const context = bedrockContext();

    const request = bedrockProvider.buildChatRequest({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }, context);
    const completion = bedrockProvider.parseChatResponse(readBedrockJson('amazon-bedrock-text.json'), context);
    const translator = bedrockProvider.createChatStreamTranslator(context);
    const chunks = readBedrockEvents('amazon-bedrock-text.chunks.txt').flatMap((event) => translator.push(event));

    expect(request.url.endsWith('/converse-stream')).toBe(true);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.length).toBeGreaterThan(0);
  });

  it('offers embeddings', () => {
    expect(typeof bedrockProvider.buildEmbeddingRequest).toBe('function');
    expect(typeof bedrockProvider.parseEmbeddingResponse).toBe('function');
  });
});

describe('regionOf', () => {
  it.each([
    ['eu-central-1', 'eu-central-1'],
    [undefined, 'us-east-1'],
  ])('reads aws_region_name %s as %s', (awsRegion, expected) => {
    const region = regionOf(bedrockDeployment({ awsRegion }));

    expect(region).toBe(expected);
  });
});
