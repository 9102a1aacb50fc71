import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_CONFIG_YAML } from '../functions/core/config/default-config.js';
import { LlmGateway, type LlmGatewayProps } from './gateway-construct.js';

export interface GatewayStackProps extends StackProps {
  /** Config YAML text. @default the file named by context `config` (`-c config=./my.yaml`), else the embedded default */
  readonly configYaml?: string;
  /** Complete ARN of an existing provider-keys secret. @default context `providerKeysSecretArn`, else a new secret */
  readonly providerKeysSecretArn?: string;
  /** Passed through to the gateway construct. */
  readonly gateway?: Omit<LlmGatewayProps, 'configYaml' | 'providerKeysSecretArn'>;
}

/** One gateway deployment: the LlmGateway construct (gateway, admin API, usage pipeline, tables) plus the outputs an operator needs. */
export class GatewayStack extends Stack {
  public readonly gateway: LlmGateway;

  constructor(scope: Construct, id: string, props: GatewayStackProps = {}) {
    super(scope, id, props);

    const providerKeysSecretArn = props.providerKeysSecretArn ?? contextString(this, 'providerKeysSecretArn');
    this.gateway = new LlmGateway(this, 'Gateway', {
      ...props.gateway,
      configYaml: props.configYaml ?? readConfigFromContext(this),
      ...(providerKeysSecretArn === undefined ? {} : { providerKeysSecretArn }),
    });

    const secretArn = this.gateway.providerKeysSecret.secretArn;
    new CfnOutput(this, 'GatewayUrl', {
      value: this.gateway.functionUrl.url,
      description: 'OpenAI-compatible base URL (append v1/)',
    });
    new CfnOutput(this, 'AdminUrl', {
      value: this.gateway.adminFunctionUrl.url,
      description: 'Admin API base URL (AWS_IAM auth: requests must be SigV4-signed for the lambda service)',
    });
    new CfnOutput(this, 'ProviderKeysSecretArn', {
      value: secretArn,
      description: 'Secret holding provider keys as a JSON object',
    });
    new CfnOutput(this, 'UsageQueueUrl', {
      value: this.gateway.usageQueue.queueUrl,
      description: 'SQS queue of usage records, from the gateway to the aggregator',
    });
    new CfnOutput(this, 'UsageDeadLetterQueueUrl', {
      value: this.gateway.usageDeadLetterQueue.queueUrl,
      description: 'Usage records that failed 5 deliveries to the aggregator: inspect, then redrive to the usage queue',
    });
    new CfnOutput(this, 'PutProviderKeysCommand', {
      value: `aws secretsmanager put-secret-value --region ${Aws.REGION} --secret-id ${secretArn} --secret-string '{"OPENAI_API_KEY":"..."}'`,
      description: 'Stores provider keys; the next cold start picks them up',
    });
  }
}

function contextString(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context "${key}" must be a string, got ${typeof value}.`);
  return value;
}

function readConfigFromContext(scope: Construct): string {
  const path = contextString(scope, 'config');
  if (path === undefined) return DEFAULT_CONFIG_YAML;
  const absolutePath = resolve(process.cwd(), path);
  try {
    return readFileSync(absolutePath, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new Error(`Cannot read the gateway config "${path}" (${absolutePath}): ${reason}.`);
  }
}
