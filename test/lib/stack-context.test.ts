import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { defaultStackName, GatewayContextError } from '../../lib/stack-context.js';
import { logicalId, synthesizeStack } from './stack-test-helpers.js';

describe('GatewayStack context', () => {
  it('sizes the gateway function from memoryMb and timeoutSeconds given on the command line', () => {
    const { stack, template } = synthesizeStack({}, { memoryMb: '2048', timeoutSeconds: '600' });

    const gateway = template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.gateway.function)];
    expect(gateway?.Properties).toMatchObject({ MemorySize: 2048, Timeout: 600 });
  });

  it('accepts numbers as well as text, as cdk.json gives them', () => {
    const { stack, template } = synthesizeStack({}, { memoryMb: 1536, reservedConcurrency: 50 });

    const gateway = template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.gateway.function)];
    expect(gateway?.Properties).toMatchObject({ MemorySize: 1536, ReservedConcurrentExecutions: 50 });
  });

  it('keeps every log group for logRetentionDays', () => {
    const { template } = synthesizeStack({}, { logRetentionDays: '90' });

    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('allows the comma-separated corsOrigins on the gateway URL', () => {
    const { stack, template } = synthesizeStack({}, { corsOrigins: 'https://a.example, https://b.example:8443' });

    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.function), 'Arn'] },
      Cors: Match.objectLike({ AllowOrigins: ['https://a.example', 'https://b.example:8443'] }),
    });
  });

  it('creates an alarm topic with the alarmEmail address subscribed', () => {
    const { template } = synthesizeStack({}, { alarmEmail: 'ops@example.com' });

    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasOutput('AlarmTopicArn', {});
  });

  it('creates no topic when no alarmEmail is given', () => {
    const { template } = synthesizeStack();

    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('lets props win over the context', () => {
    const { stack, template } = synthesizeStack({ gateway: { memorySize: 3008, stage: 'prod' } }, { memoryMb: '2048', stage: 'dev' });

    const gateway = template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.gateway.function)];
    expect(gateway?.Properties.MemorySize).toBe(3008);
    expect(stack.gateway.stage).toBe('prod');
  });

  it('lists every wrong context value at once, each with its key', () => {
    const construct = () =>
      synthesizeStack({}, { stage: 'qa', memoryMb: 'lots', timeoutSeconds: '901', reservedConcurrency: '0', logRetentionDays: '10', alarmEmail: 'ops' });

    expect(construct).toThrow(GatewayContextError);
    expect(construct).toThrow(/6 problems/);
    expect(construct).toThrow(/stage: must be one of dev, prod, got "qa"/);
    expect(construct).toThrow(/memoryMb: must be a whole number of MB from 128 to 10240, got "lots"/);
    expect(construct).toThrow(/timeoutSeconds: must be a whole number of seconds from 1 to 900, got "901"/);
    expect(construct).toThrow(/reservedConcurrency: must be a whole number of executions from 1/);
    expect(construct).toThrow(/logRetentionDays: CloudWatch Logs keeps logs for one of 1, 3, 5, 7, 14, 30/);
    expect(construct).toThrow(/alarmEmail: must be an email address, got "ops"/);
  });

  it('refuses a CORS origin with a path, naming it', () => {
    const construct = () => synthesizeStack({}, { corsOrigins: 'https://a.example/app' });

    expect(construct).toThrow(/cors\.allowedOrigins: "https:\/\/a\.example\/app" is not an origin/);
  });
});

describe('defaultStackName', () => {
  it.each([
    { stage: undefined, name: 'LlmGateway' },
    { stage: 'prod' as const, name: 'LlmGateway' },
    { stage: 'dev' as const, name: 'LlmGateway-dev' },
  ])('is $name for stage $stage', ({ stage, name }) => {
    expect(defaultStackName(stage)).toBe(name);
  });
});
