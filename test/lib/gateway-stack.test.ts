import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { GatewayStack, type GatewayStackProps } from '../../lib/gateway-stack.js';

// Skips esbuild: these tests look at the template, not at the bundle.
function synthesizeStack(props: GatewayStackProps = {}, context: Record<string, string> = {}): { stack: GatewayStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new GatewayStack(app, 'TestGateway', props);
  return { stack, template: Template.fromStack(stack) };
}

function synthesize(props: GatewayStackProps = {}, context: Record<string, string> = {}): Template {
  return synthesizeStack(props, context).template;
}

/** The template's logical id of a construct's CloudFormation resource. */
function logicalId(stack: GatewayStack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Every statement of the policies attached to the role. */
function statementsOfRole(template: Template, roleId: string): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  })) as { Properties: { PolicyDocument: { Statement: unknown[] } } }[];
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** The actions of one role's statements whose resource is the table. */
function actionsOnTable(template: Template, roleId: string, tableId: string): string[] {
  return (statementsOfRole(template, roleId) as { Action: string | string[]; Resource: unknown }[])
    .filter((statement) => JSON.stringify(statement.Resource).includes(`"${tableId}"`))
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}

function roles(stack: GatewayStack): { gatewayRoleId: string; adminRoleId: string; tenancyId: string; countersId: string } {
  const { gateway } = stack;
  return {
    gatewayRoleId: logicalId(stack, gateway.function.role!),
    adminRoleId: logicalId(stack, gateway.adminFunction.role!),
    tenancyId: logicalId(stack, gateway.tenancyTable),
    countersId: logicalId(stack, gateway.countersTable),
  };
}

const tableArn = (tableId: string) => ({ 'Fn::GetAtt': [tableId, 'Arn'] });

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
  it('serves the gateway on a function URL in RESPONSE_STREAM mode without IAM auth when synthesized', () => {
    const { stack, template } = synthesizeStack();

    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.function), 'Arn'] },
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
    });
  });

  it('runs every function on nodejs22.x when synthesized', () => {
    const template = synthesize();

    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
  });

  it('runs every function on arm64 when synthesized', () => {
    const template = synthesize();

    template.allResourcesProperties('AWS::Lambda::Function', { Architectures: ['arm64'] });
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

  it('grants the gateway only its logs, the secret, tenancy reads and counter updates when synthesized', () => {
    const { stack, template } = synthesizeStack();

    const { gatewayRoleId, tenancyId, countersId } = roles(stack);
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    expect(statementsOfRole(template, gatewayRoleId)).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.logGroup), 'Arn'] },
      },
      {
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Effect: 'Allow',
        Resource: { Ref: secretId },
      },
      { Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], Effect: 'Allow', Resource: tableArn(tenancyId) },
      {
        Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem'],
        Effect: 'Allow',
        Resource: tableArn(countersId),
      },
    ]);
  });

  it('lets the gateway neither scan, put nor delete in any table when synthesized', () => {
    const { stack, template } = synthesizeStack();

    const { gatewayRoleId, tenancyId, countersId } = roles(stack);
    const actions = [...actionsOnTable(template, gatewayRoleId, tenancyId), ...actionsOnTable(template, gatewayRoleId, countersId)];
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:Scan']));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:DeleteItem']));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('attaches no managed policies to any function role when synthesized', () => {
    const template = synthesize();

    template.resourceCountIs('AWS::IAM::Role', 2);
    template.allResourcesProperties('AWS::IAM::Role', {
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

  it('keeps gateway logs for a month in its own log group when no retention is given', () => {
    const { stack, template } = synthesizeStack();

    const logGroupId = logicalId(stack, stack.gateway.logGroup);
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toEqual({ RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 900,
      LoggingConfig: { LogGroup: { Ref: logGroupId } },
    });
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

describe('GatewayStack tables', () => {
  it('creates two tables keyed by the string pk alone, billed on demand, when synthesized', () => {
    const template = synthesize();

    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('expires counters items by expires_at and leaves TTL off the tenancy table when synthesized', () => {
    const { stack, template } = synthesizeStack();

    const tables = template.findResources('AWS::DynamoDB::Table');
    const { tenancyId, countersId } = roles(stack);
    expect(tables[countersId]?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
    expect(tables[tenancyId]?.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('turns point-in-time recovery on for both tables when synthesized', () => {
    const template = synthesize();

    template.allResourcesProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('retains both tables when the stack is deleted or the tables are replaced', () => {
    const template = synthesize();

    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('passes both table names to both functions when synthesized', () => {
    const { stack, template } = synthesizeStack();

    const { tenancyId, countersId } = roles(stack);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ TENANCY_TABLE: { Ref: tenancyId }, COUNTERS_TABLE: { Ref: countersId } }),
      },
    });
  });
});

describe('GatewayStack admin API', () => {
  it('serves the admin function on a BUFFERED function URL with AWS_IAM auth when synthesized', () => {
    const { stack, template } = synthesizeStack();

    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.adminFunction), 'Arn'] },
      AuthType: 'AWS_IAM',
      InvokeMode: 'BUFFERED',
    });
  });

  it('gives the admin function 30 seconds, 512 MB and its own log group when synthesized', () => {
    const { stack, template } = synthesizeStack();

    const adminLogGroupId = logicalId(stack, stack.gateway.adminLogGroup);
    expect(adminLogGroupId).not.toBe(logicalId(stack, stack.gateway.logGroup));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [roles(stack).adminRoleId, 'Arn'] },
      Timeout: 30,
      MemorySize: 512,
      LoggingConfig: { LogGroup: { Ref: adminLogGroupId } },
    });
  });

  it('grants the admin function only its logs, tenancy administration and counter reads when synthesized', () => {
    const { stack, template } = synthesizeStack();

    const { adminRoleId, tenancyId, countersId } = roles(stack);
    expect(statementsOfRole(template, adminRoleId)).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.adminLogGroup), 'Arn'] },
      },
      {
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Scan',
          'dynamodb:ConditionCheckItem',
        ],
        Effect: 'Allow',
        Resource: tableArn(tenancyId),
      },
      { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: tableArn(countersId) },
    ]);
  });

  it('lets the admin function do nothing on the counters table but GetItem when synthesized', () => {
    const { stack, template } = synthesizeStack();

    const { adminRoleId, countersId } = roles(stack);

    expect(actionsOnTable(template, adminRoleId, countersId)).toEqual(['dynamodb:GetItem']);
  });

  it('gives the admin function no access to the provider-keys secret when synthesized', () => {
    const { stack, template } = synthesizeStack();

    const actions = (statementsOfRole(template, roles(stack).adminRoleId) as { Action: string | string[] }[])
      .flatMap((statement) => statement.Action);

    expect(actions.filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('outputs the admin URL when synthesized', () => {
    const { stack, template } = synthesizeStack();

    template.hasOutput('AdminUrl', {
      Value: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.adminFunctionUrl), 'FunctionUrl'] },
    });
  });
});
