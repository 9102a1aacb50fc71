import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GatewayStack, type GatewayStackProps } from '../../lib/gateway-stack.js';

// Skips esbuild: these tests look at the template, not at the bundle.
function synthesize(props: GatewayStackProps = {}, context: Record<string, string> = {}): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(new GatewayStack(app, 'TestGateway', props));
}

function writeTemporaryConfig(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gateway-stack-test-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

const UNKNOWN_PROVIDER_CONFIG = [
  'model_list:',
  '  - model_name: claude',
  '    litellm_params:',
  '      model: antropic/claude',
  '',
].join('\n');

const IMPORTED_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gateway-keys-AbCdEf';

describe('GatewayStack', () => {
  it('serves a function URL in RESPONSE_STREAM mode without IAM auth when synthesized', () => {
    const template = synthesize();

    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
    });
  });

  it('runs on nodejs22.x when synthesized', () => {
    const template = synthesize();

    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
  });

  it('runs on arm64 when synthesized', () => {
    const template = synthesize();

    template.hasResourceProperties('AWS::Lambda::Function', { Architectures: ['arm64'] });
  });

  it('passes the provider-keys secret ARN to the function when synthesized', () => {
    const template = synthesize();

    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PROVIDER_KEYS_SECRET_ARN: { Ref: secretId } }) },
    });
  });

  it('creates the provider-keys secret with an empty JSON object when no ARN is given', () => {
    const template = synthesize();

    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{}' });
  });

  it('grants only log writing and reading the provider-keys secret when synthesized', () => {
    const template = synthesize();

    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          Match.objectEquals({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          }),
          Match.objectEquals({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Effect: 'Allow',
            Resource: { Ref: secretId },
          }),
        ],
      },
    });
  });

  it('attaches no managed policies to the function role when synthesized', () => {
    const template = synthesize();

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('reads an existing secret instead of creating one when an ARN is given', () => {
    const template = synthesize({ providerKeysSecretArn: IMPORTED_SECRET_ARN });

    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Resource: IMPORTED_SECRET_ARN })]),
      }),
    });
  });

  it('keeps function logs for a month when no retention is given', () => {
    const template = synthesize();

    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logGroupId } } });
  });

  it('allows 15 minutes and 1024 MB when no limits are given', () => {
    const template = synthesize();

    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, MemorySize: 1024 });
  });

  it('outputs the gateway URL, the secret ARN and the put-secret-value command when synthesized', () => {
    const template = synthesize();

    template.hasOutput('GatewayUrl', {});
    template.hasOutput('ProviderKeysSecretArn', {});
    template.hasOutput('PutProviderKeysCommand', {
      Value: {
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('aws secretsmanager put-secret-value')])],
      },
    });
  });

  it('throws listing the problem when the config names an unknown provider', () => {
    const construct = () => synthesize({ configYaml: UNKNOWN_PROVIDER_CONFIG });

    expect(construct).toThrow(/model_list\[0\]\.litellm_params\.model: unknown provider "antropic"/);
  });

  it('validates the file named by context config when no config text is given', () => {
    const configPath = writeTemporaryConfig(UNKNOWN_PROVIDER_CONFIG);

    const construct = () => synthesize({}, { config: configPath });

    expect(construct).toThrow(/unknown provider "antropic"/);
  });

  it('throws naming the path when the context config file does not exist', () => {
    const construct = () => synthesize({}, { config: '/nonexistent/gateway.yaml' });

    expect(construct).toThrow(/Cannot read the gateway config "\/nonexistent\/gateway\.yaml".*ENOENT/);
  });

  it('reads the secret named by context providerKeysSecretArn when no ARN prop is given', () => {
    const template = synthesize({}, { providerKeysSecretArn: IMPORTED_SECRET_ARN });

    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('throws when the memory size is outside Lambda limits', () => {
    const construct = () => synthesize({ gateway: { memorySize: 64 } });

    expect(construct).toThrow(/memorySize: must be an integer from 128 to 10240 MB, got 64/);
  });
});
