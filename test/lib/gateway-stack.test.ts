import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { GatewayStack } from '../../lib/gateway-stack.js';
import {
  BEDROCK_CONFIG,
  IMPORTED_SECRET_ARN,
  UNKNOWN_PROVIDER_CONFIG,
  logicalId,
  synthesizeDefaultStack,
  synthesizeStack,
  writeTemporaryConfig,
} from './stack-test-helpers.js';

/** Every statement of the policies attached to the role. */
function statementsOfRole(template: Template, roleId: string): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  })) as { Properties: { PolicyDocument: { Statement: unknown[] } } }[];
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** The actions of one role's statements whose resource is the table or queue. */
function actionsOnResource(template: Template, roleId: string, resourceId: string): string[] {
  return (statementsOfRole(template, roleId) as { Action: string | string[]; Resource: unknown }[])
    .filter((statement) => JSON.stringify(statement.Resource).includes(`"${resourceId}"`))
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}

/** The logical ids of the three function roles, the three tables and the two queues. */
function roles(stack: GatewayStack): {
  gatewayRoleId: string;
  adminRoleId: string;
  aggregatorRoleId: string;
  tenancyId: string;
  countersId: string;
  usageId: string;
  usageQueueId: string;
  deadLetterQueueId: string;
} {
  const { gateway } = stack;
  return {
    gatewayRoleId: logicalId(stack, gateway.function.role!),
    adminRoleId: logicalId(stack, gateway.adminFunction.role!),
    aggregatorRoleId: logicalId(stack, gateway.aggregatorFunction.role!),
    tenancyId: logicalId(stack, gateway.tenancyTable),
    countersId: logicalId(stack, gateway.countersTable),
    usageId: logicalId(stack, gateway.usageTable),
    usageQueueId: logicalId(stack, gateway.usageQueue),
    deadLetterQueueId: logicalId(stack, gateway.usageDeadLetterQueue),
  };
}

/** A table's or queue's ARN in the template. */
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** A function's resource properties, found by its construct. */
function functionProperties(stack: GatewayStack, template: Template, construct: IConstruct): Record<string, unknown> {
  return template.findResources('AWS::Lambda::Function')[logicalId(stack, construct)]?.Properties as Record<string, unknown>;
}

describe('GatewayStack', () => {
  it('serves the gateway on a function URL in RESPONSE_STREAM mode without IAM auth when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.function), 'Arn'] },
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
    });
  });

  it('runs every function on nodejs22.x when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
  });

  it('runs every function on arm64 when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    template.allResourcesProperties('AWS::Lambda::Function', { Architectures: ['arm64'] });
  });

  it('passes the provider-keys secret ARN to the function when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PROVIDER_KEYS_SECRET_ARN: { Ref: secretId } }) },
    });
  });

  it('creates the provider-keys secret with an empty JSON object when no ARN is given', () => {
    const { template } = synthesizeDefaultStack();

    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{}' });
  });

  it('grants the gateway only its logs, the secret, tenancy reads, counter updates, usage queue sends and usage writes when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { gatewayRoleId, tenancyId, countersId, usageId, usageQueueId } = roles(stack);
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
      { Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], Effect: 'Allow', Resource: arnOf(tenancyId) },
      {
        Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem'],
        Effect: 'Allow',
        Resource: arnOf(countersId),
      },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(usageQueueId) },
      { Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: arnOf(usageId) },
    ]);
  });

  it('lets the gateway neither scan, put nor delete in the tenancy and counters tables when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { gatewayRoleId, tenancyId, countersId } = roles(stack);
    const actions = [...actionsOnResource(template, gatewayRoleId, tenancyId), ...actionsOnResource(template, gatewayRoleId, countersId)];
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:Scan']));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:DeleteItem']));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('attaches no managed policies to any function role when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::IAM::Role', 3);
    template.allResourcesProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('reads an existing secret instead of creating one when an ARN is given', () => {
    const { template } = synthesizeStack({ providerKeysSecretArn: IMPORTED_SECRET_ARN });

    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Resource: IMPORTED_SECRET_ARN })]),
      }),
    });
  });

  it('keeps gateway logs for a month in its own log group when no retention is given', () => {
    const { stack, template } = synthesizeDefaultStack();

    const logGroupId = logicalId(stack, stack.gateway.logGroup);
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toEqual({ RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 900,
      LoggingConfig: { LogGroup: { Ref: logGroupId } },
    });
  });

  it('allows 15 minutes and 1024 MB when no limits are given', () => {
    const { template } = synthesizeDefaultStack();

    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, MemorySize: 1024 });
  });

  it('outputs the gateway URL, the secret ARN and the put-secret-value command when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    template.hasOutput('GatewayUrl', {});
    template.hasOutput('ProviderKeysSecretArn', {});
    template.hasOutput('PutProviderKeysCommand', {
      Value: {
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('aws secretsmanager put-secret-value')])],
      },
    });
  });

  it('throws listing the problem when the config names an unknown provider', () => {
    const construct = () => synthesizeStack({ configYaml: UNKNOWN_PROVIDER_CONFIG });

    expect(construct).toThrow(/model_list\[0\]\.litellm_params\.model: unknown provider "antropic"/);
  });

  it('validates the file named by context config when no config text is given', () => {
    const configPath = writeTemporaryConfig(UNKNOWN_PROVIDER_CONFIG);

    const construct = () => synthesizeStack({}, { config: configPath });

    expect(construct).toThrow(/unknown provider "antropic"/);
  });

  it('throws naming the path when the context config file does not exist', () => {
    const construct = () => synthesizeStack({}, { config: '/nonexistent/gateway.yaml' });

    expect(construct).toThrow(/Cannot read the gateway config "\/nonexistent\/gateway\.yaml".*ENOENT/);
  });

  it('reads the secret named by context providerKeysSecretArn when no ARN prop is given', () => {
    const { template } = synthesizeStack({}, { providerKeysSecretArn: IMPORTED_SECRET_ARN });

    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('throws when the memory size is outside Lambda limits', () => {
    const construct = () => synthesizeStack({ gateway: { memorySize: 64 } });

    expect(construct).toThrow(/memorySize: must be an integer from 128 to 10240 MB, got 64/);
  });
});

describe('GatewayStack tables', () => {
  it('creates three tables when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::DynamoDB::Table', 3);
  });

  it('keys the tenancy and counters tables by the string pk alone, billed on demand, when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const tables = template.findResources('AWS::DynamoDB::Table');
    const { tenancyId, countersId } = roles(stack);
    for (const id of [tenancyId, countersId]) {
      expect(tables[id]?.Properties).toMatchObject({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
    }
  });

  it('keys the usage table by the strings pk and sk, billed on demand, when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const usage = template.findResources('AWS::DynamoDB::Table')[roles(stack).usageId];
    expect(usage?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('expires raw usage records by expires_at when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const usage = template.findResources('AWS::DynamoDB::Table')[roles(stack).usageId];
    expect(usage?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
  });

  it('expires counters items by expires_at and leaves TTL off the tenancy table when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const tables = template.findResources('AWS::DynamoDB::Table');
    const { tenancyId, countersId } = roles(stack);
    expect(tables[countersId]?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
    expect(tables[tenancyId]?.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('turns point-in-time recovery on for every table when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    template.allResourcesProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('retains every table when the stack is deleted or the tables are replaced', () => {
    const { template } = synthesizeDefaultStack();

    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('passes the three table names to the gateway and admin functions when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { tenancyId, countersId, usageId } = roles(stack);
    for (const construct of [stack.gateway.function, stack.gateway.adminFunction]) {
      expect(functionProperties(stack, template, construct)['Environment']).toMatchObject({
        Variables: { TENANCY_TABLE: { Ref: tenancyId }, COUNTERS_TABLE: { Ref: countersId }, USAGE_TABLE: { Ref: usageId } },
      });
    }
  });
});

describe('GatewayStack admin API', () => {
  it('serves the admin function on a BUFFERED function URL with AWS_IAM auth when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.adminFunction), 'Arn'] },
      AuthType: 'AWS_IAM',
      InvokeMode: 'BUFFERED',
    });
  });

  it('gives the admin function 30 seconds, 512 MB and its own log group when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const adminLogGroupId = logicalId(stack, stack.gateway.adminLogGroup);
    expect(adminLogGroupId).not.toBe(logicalId(stack, stack.gateway.logGroup));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [roles(stack).adminRoleId, 'Arn'] },
      Timeout: 30,
      MemorySize: 512,
      LoggingConfig: { LogGroup: { Ref: adminLogGroupId } },
    });
  });

  it('grants the admin function only its logs, tenancy administration, counter reads and usage queries when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { adminRoleId, tenancyId, countersId, usageId } = roles(stack);
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
        Resource: arnOf(tenancyId),
      },
      { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: arnOf(countersId) },
      { Action: 'dynamodb:Query', Effect: 'Allow', Resource: arnOf(usageId) },
    ]);
  });

  it('lets the admin function do nothing on the usage table but Query when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { adminRoleId, usageId } = roles(stack);

    expect(actionsOnResource(template, adminRoleId, usageId)).toEqual(['dynamodb:Query']);
  });

  it('gives the admin function no access to the usage queues when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { adminRoleId, usageQueueId, deadLetterQueueId } = roles(stack);

    expect([...actionsOnResource(template, adminRoleId, usageQueueId), ...actionsOnResource(template, adminRoleId, deadLetterQueueId)]).toEqual([]);
  });

  it('lets the admin function do nothing on the counters table but GetItem when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { adminRoleId, countersId } = roles(stack);

    expect(actionsOnResource(template, adminRoleId, countersId)).toEqual(['dynamodb:GetItem']);
  });

  it('gives the admin function no access to the provider-keys secret when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const actions = (statementsOfRole(template, roles(stack).adminRoleId) as { Action: string | string[] }[])
      .flatMap((statement) => statement.Action);

    expect(actions.filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('outputs the admin URL when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    template.hasOutput('AdminUrl', {
      Value: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.adminFunctionUrl), 'FunctionUrl'] },
    });
  });
});

describe('GatewayStack usage pipeline', () => {
  it('creates the usage queue and its dead-letter queue when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('moves a usage record to the dead-letter queue after 5 receives when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { usageQueueId, deadLetterQueueId } = roles(stack);
    expect(template.findResources('AWS::SQS::Queue')[usageQueueId]?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(deadLetterQueueId),
      maxReceiveCount: 5,
    });
  });

  it('keeps dead-lettered usage records for 14 days when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const deadLetterQueue = template.findResources('AWS::SQS::Queue')[roles(stack).deadLetterQueueId];
    expect(deadLetterQueue?.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
  });

  it('encrypts both usage queues with SQS-managed keys when synthesized', () => {
    const { template } = synthesizeDefaultStack();

    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('denies every request to either usage queue that does not use TLS when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { usageQueueId, deadLetterQueueId } = roles(stack);
    for (const queueId of [usageQueueId, deadLetterQueueId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: Match.objectLike({
          Statement: [{
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: arnOf(queueId),
          }],
        }),
      });
    }
  });

  it('hides a received usage record for at least six times the aggregator timeout when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const queue = template.findResources('AWS::SQS::Queue')[roles(stack).usageQueueId];
    const aggregatorTimeout = functionProperties(stack, template, stack.gateway.aggregatorFunction)['Timeout'] as number;
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * aggregatorTimeout);
  });

  it('gives the aggregator 60 seconds, its own log group and the usage table name alone when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const aggregatorLogGroupId = logicalId(stack, stack.gateway.aggregatorLogGroup);
    expect(functionProperties(stack, template, stack.gateway.aggregatorFunction)).toMatchObject({
      Handler: 'index.handler',
      Timeout: 60,
      LoggingConfig: { LogGroup: { Ref: aggregatorLogGroupId } },
      Environment: { Variables: { USAGE_TABLE: { Ref: roles(stack).usageId }, NODE_OPTIONS: '--enable-source-maps' } },
    });
    expect(new Set([aggregatorLogGroupId, logicalId(stack, stack.gateway.logGroup), logicalId(stack, stack.gateway.adminLogGroup)]).size).toBe(3);
  });

  it('feeds the aggregator from the usage queue in batches of up to 100 within 5 seconds, reporting item failures, when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(roles(stack).usageQueueId),
      FunctionName: { Ref: logicalId(stack, stack.gateway.aggregatorFunction) },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('grants the aggregator only its logs, usage writes and consuming the usage queue when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { aggregatorRoleId, usageId, usageQueueId } = roles(stack);
    expect(statementsOfRole(template, aggregatorRoleId)).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.aggregatorLogGroup), 'Arn'] },
      },
      { Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: arnOf(usageId) },
      {
        Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Effect: 'Allow',
        Resource: arnOf(usageQueueId),
      },
    ]);
  });

  it('passes the usage queue URL to the gateway when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    expect(functionProperties(stack, template, stack.gateway.function)['Environment']).toMatchObject({
      Variables: { USAGE_QUEUE_URL: { Ref: roles(stack).usageQueueId } },
    });
  });

  it('lets the gateway do nothing on the usage queue but send when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { gatewayRoleId, usageQueueId } = roles(stack);

    expect(actionsOnResource(template, gatewayRoleId, usageQueueId)).toEqual(['sqs:SendMessage']);
  });

  it('lets the gateway only put and update items in the usage table when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { gatewayRoleId, usageId } = roles(stack);

    expect(actionsOnResource(template, gatewayRoleId, usageId)).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('gives neither the gateway nor the aggregator access to the dead-letter queue when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { gatewayRoleId, aggregatorRoleId, deadLetterQueueId } = roles(stack);

    expect([...actionsOnResource(template, gatewayRoleId, deadLetterQueueId), ...actionsOnResource(template, aggregatorRoleId, deadLetterQueueId)]).toEqual([]);
  });

  it('outputs the usage queue and dead-letter queue URLs when synthesized', () => {
    const { stack, template } = synthesizeDefaultStack();

    const { usageQueueId, deadLetterQueueId } = roles(stack);
    template.hasOutput('UsageQueueUrl', { Value: { Ref: usageQueueId } });
    template.hasOutput('UsageDeadLetterQueueUrl', { Value: { Ref: deadLetterQueueId } });
  });
});

describe('GatewayStack Bedrock permissions', () => {
  it('lets the gateway invoke exactly the Bedrock models and inference profiles the config names', () => {
    const { stack, template } = synthesizeStack({ configYaml: BEDROCK_CONFIG });

    const statement = (statementsOfRole(template, roles(stack).gatewayRoleId) as Array<{ Action: unknown; Resource: unknown }>).find(
      (each) => JSON.stringify(each.Action).includes('bedrock:'),
    );
    expect(statement?.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:CountTokens']);
    const resources = JSON.stringify(statement?.Resource);
    expect(resources).toContain('arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(resources).toContain('inference-profile/us.amazon.nova-pro-v1:0');
    expect(resources).toContain('arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0');
    expect(resources).not.toContain('foundation-model/*');
  });

  it('grants no Bedrock action when the config names no Bedrock model', () => {
    const { stack, template } = synthesizeDefaultStack();

    const statements = JSON.stringify(statementsOfRole(template, roles(stack).gatewayRoleId));

    expect(statements).not.toContain('bedrock:');
  });
});
