import { describe, expect, it } from 'vitest';
import { synthesizeDefaultStack, synthesizeStack } from './stack-test-helpers.js';

describe.each([
  { stage: 'prod', removal: 'Retain', deletionProtection: true },
  { stage: 'dev', removal: 'Delete', deletionProtection: false },
] as const)('GatewayStack stage $stage', ({ stage, removal, deletionProtection }) => {
  it(`gives every table the removal policy ${removal} and deletion protection ${deletionProtection}`, () => {
    const { template } = synthesizeStack({ gateway: { stage } });

    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: removal, UpdateReplacePolicy: removal });
    template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: deletionProtection });
  });

  it(`gives every log group the removal policy ${removal}`, () => {
    const { template } = synthesizeStack({ gateway: { stage } });

    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: removal, UpdateReplacePolicy: removal });
  });

  it('keeps point-in-time recovery on', () => {
    const { template } = synthesizeStack({ gateway: { stage } });

    template.allResourcesProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });
});

describe('GatewayStack stage', () => {
  it('is prod when none is given', () => {
    const { stack } = synthesizeDefaultStack();

    expect(stack.gateway.stage).toBe('prod');
  });

  it('is read from context stage', () => {
    const { stack, template } = synthesizeStack({}, { stage: 'dev' });

    expect(stack.gateway.stage).toBe('dev');
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});
