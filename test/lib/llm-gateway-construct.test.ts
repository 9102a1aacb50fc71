import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../functions/core/config/default-config.js';
import {
  ConfigError,
  GATEWAY_CORS_ALLOWED_HEADERS,
  GATEWAY_CORS_EXPOSED_HEADERS,
  LlmGateway,
  LlmGatewayPropsError,
  type LlmGatewayProps,
} from '../../lib/index.js';
import { emptyStack, logicalId, UNKNOWN_PROVIDER_CONFIG } from './stack-test-helpers.js';

function embed(props: Partial<LlmGatewayProps> = {}) {
  const stack = emptyStack();
  const gateway = new LlmGateway(stack, 'Gateway', { configYaml: DEFAULT_CONFIG_YAML, ...props });
  return { stack, gateway, template: Template.fromStack(stack) };
}

describe('LlmGateway embedded in another stack', () => {
  it('builds the gateway, the admin API, the usage pipeline and three tables in a plain Stack', () => {
    const { template } = embed();

    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.resourceCountIs('AWS::Lambda::Url', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('adds no outputs of its own (the stack decides what to output)', () => {
    const { template } = embed();

    expect(Object.keys(template.toJSON()['Outputs'] ?? {})).toEqual([]);
  });

  it('names its metrics namespace after the stack when none is given', () => {
    const { gateway } = embed();

    expect(gateway.metricsNamespace).toBe('LlmGateway/EmbeddingStack');
  });

  it('refuses a second gateway in the same stack with the same metrics namespace', () => {
    const stack = emptyStack();
    new LlmGateway(stack, 'First', { configYaml: DEFAULT_CONFIG_YAML });

    const second = () => new LlmGateway(stack, 'Second', { configYaml: DEFAULT_CONFIG_YAML });

    expect(second).toThrow(/metricsNamespace: "LlmGateway\/EmbeddingStack" is already used by EmbeddingStack\/First/);
  });

  it('accepts a second gateway in the same stack with its own namespace', () => {
    const stack = emptyStack();
    new LlmGateway(stack, 'First', { configYaml: DEFAULT_CONFIG_YAML });

    const second = new LlmGateway(stack, 'Second', { configYaml: DEFAULT_CONFIG_YAML, metricsNamespace: 'LlmGateway/Second' });

    expect(second.metricsNamespace).toBe('LlmGateway/Second');
  });

  it('throws the ConfigError local start-up throws, with the same message, when the config is invalid', () => {
    let thrown: unknown;

    try {
      embed({ configYaml: UNKNOWN_PROVIDER_CONFIG });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(/^Invalid gateway config:\n {2}- model_list\[0\]\.litellm_params\.model: unknown provider "antropic"/);
  });

  it('reports config warnings (unknown keys) as CDK warnings on the construct', () => {
    const { stack } = embed({ configYaml: `${DEFAULT_CONFIG_YAML}\nunknown_section: 1\n` });

    Annotations.fromStack(stack).hasWarning('/EmbeddingStack/Gateway', Match.stringLikeRegexp('^config: unknown_section: unknown key, ignored'));
  });

  it('lists every wrong prop at once', () => {
    const construct = () => embed({ memorySize: 64, timeout: Duration.minutes(20), reservedConcurrency: 0, cors: { allowedOrigins: [] } });

    expect(construct).toThrow(LlmGatewayPropsError);
    expect(construct).toThrow(/4 problems/);
    expect(construct).toThrow(/reservedConcurrency: must be a whole number of at least 1, or 'none', got 0/);
    expect(construct).toThrow(/cors\.allowedOrigins: must list 1 to 100 origins, got 0/);
  });
});

describe('LlmGateway CORS', () => {
  it('configures no CORS on either URL when none is given', () => {
    const { template } = embed();

    template.allResourcesProperties('AWS::Lambda::Url', { Cors: Match.absent() });
  });

  it('lets the given origins call the gateway URL with GET and POST, the keys, JSON and tracing headers', () => {
    const { stack, gateway, template } = embed({ cors: { allowedOrigins: ['https://app.example.com', 'http://localhost:5173'] } });

    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack, gateway.function), 'Arn'] },
      Cors: {
        AllowOrigins: ['https://app.example.com', 'http://localhost:5173'],
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: [...GATEWAY_CORS_ALLOWED_HEADERS],
        ExposeHeaders: [...GATEWAY_CORS_EXPOSED_HEADERS],
        MaxAge: 3600,
      },
    });
    expect(GATEWAY_CORS_ALLOWED_HEADERS).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-request-id', 'api-key', 'x-api-key']));
  });

  it('exposes the request id, the x-gateway-* and x-ratelimit-* headers to browser scripts', () => {
    expect(GATEWAY_CORS_EXPOSED_HEADERS).toEqual(expect.arrayContaining([
      'x-request-id',
      'x-gateway-model',
      'x-gateway-provider',
      'x-gateway-cost-usd',
      'x-ratelimit-limit-requests',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-requests',
      'x-ratelimit-limit-tokens',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-reset-tokens',
    ]));
  });

  it('leaves the admin URL without CORS when the gateway has it', () => {
    const { stack, gateway, template } = embed({ cors: { allowedOrigins: ['*'] } });

    const adminUrl = Object.values(template.findResources('AWS::Lambda::Url')).find(
      (url) => JSON.stringify(url.Properties.TargetFunctionArn).includes(logicalId(stack, gateway.adminFunction)),
    );
    expect(adminUrl?.Properties.Cors).toBeUndefined();
  });

  it('caches preflight answers for the given maxAge', () => {
    const { template } = embed({ cors: { allowedOrigins: ['*'], maxAge: Duration.minutes(10) } });

    template.hasResourceProperties('AWS::Lambda::Url', { Cors: Match.objectLike({ MaxAge: 600 }) });
  });
});
