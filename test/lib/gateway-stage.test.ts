import { describe, expect, it } from 'vitest';
import { synthesizeStack } from './stack-test-helpers.js';

describe('GatewayStack stage prod', () => {
  it('is the stage when none is given', () => {
    const { stack } = synthesizeStack();

    expect(stack.gateway.stage).toBe('prod');
  });

  it('retains every table and turns deletion protection on', () => {
    const { template } = synthesizeStack({ gateway: { stage: 'prod' } });

    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  });

  it('retains every log group', () => {
    const { template } = synthesizeStack({ gateway: { stage: 'prod' } });

    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('GatewayStack stage dev', () => {
  it('deletes every table with the stack and leaves deletion protection off', () => {
    const { template } = synthesizeStack({ gateway: { stage: 'dev' } });

    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  it('deletes every log group with the stack', () => {
    const { template } = synthesizeStack({ gateway: { stage: 'dev' } });

    template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  it('keeps point-in-time recovery on', () => {
    const { template } = synthesizeStack({ gateway: { stage: 'dev' } });

    template.allResourcesProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });

  it('is read from context stage', () => {
    const { stack, template } = synthesizeStack({}, { stage: 'dev' });

    expect(stack.gateway.stage).toBe('dev');
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});
