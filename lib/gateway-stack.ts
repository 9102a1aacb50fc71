import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Aws, CfnOutput, Stack, Validations, type CfnOutputProps, type StackProps } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { DEFAULT_CONFIG_YAML } from '../functions/core/config/default-config.js';
import { LlmGateway, type LlmGatewayProps } from './gateway-construct.js';
import { readGatewayContext } from './stack-context.js';

export interface GatewayStackProps extends StackProps {
  /** Config YAML text. @default the file named by context `config` (`-c config=./my.yaml`), else the embedded default */
  readonly configYaml?: string;
  /** Complete ARN of an existing provider-keys secret. @default context `providerKeysSecretArn`, else a new secret */
  readonly providerKeysSecretArn?: string;
  /** Passed to the gateway construct; each prop given here wins over the context key that would set it. */
  readonly gateway?: Omit<LlmGatewayProps, 'configYaml' | 'providerKeysSecretArn'>;
  /**
   * Creates an SNS topic that every alarm notifies, with this address subscribed (it must confirm).
   * Ignored when `gateway.alarmTopic` is given.
   * @default context `alarmEmail`, else no topic
   */
  readonly alarmEmail?: string;
}

/**
 * One gateway deployment: the context (see stack-context.ts) turned into LlmGateway props, the
 * alarm topic when an address is given, and the outputs an operator needs. The AwsSolutions
 * checks run over the whole app (bin/app.ts); the findings the gateway's design causes are
 * acknowledged where they arise.
 */
export class GatewayStack extends Stack {
  public readonly gateway: LlmGateway;
  /** The topic created for `alarmEmail`, if any. */
  public readonly alarmTopic?: Topic;

  constructor(scope: Construct, id: string, props: GatewayStackProps = {}) {
    super(scope, id, props);
    const context = readGatewayContext(this);

    const alarmEmail = props.alarmEmail ?? context.alarmEmail;
    if (alarmEmail !== undefined && props.gateway?.alarmTopic === undefined) {
      this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'LLM gateway alarms', enforceSSL: true });
      this.alarmTopic.addSubscription(new EmailSubscription(alarmEmail));
      Validations.of(this.alarmTopic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and states only. CloudWatch cannot publish to a topic encrypted with the ' +
          'AWS-managed SNS key, and a customer-managed key for this alone would cost more than the alarms themselves.',
      });
    }

    const providerKeysSecretArn = props.providerKeysSecretArn ?? context.providerKeysSecretArn;
    this.gateway = new LlmGateway(this, 'Gateway', {
      ...context.gateway,
      ...(this.alarmTopic === undefined ? {} : { alarmTopic: this.alarmTopic }),
      ...props.gateway,
      configYaml: props.configYaml ?? readConfigFile(context.configPath),
      ...(providerKeysSecretArn === undefined ? {} : { providerKeysSecretArn }),
    });

    const secretArn = this.gateway.providerKeysSecret.secretArn;
    const outputs: Record<string, CfnOutputProps | undefined> = {
      GatewayUrl: {
        value: this.gateway.url,
        description: this.gateway.edgeProtection
          ? 'OpenAI-compatible base URL through CloudFront and WAF (append v1/); the function URL itself refuses direct requests'
          : 'OpenAI-compatible base URL (append v1/)',
      },
      AdminUrl: {
        value: this.gateway.adminFunctionUrl.url,
        description: 'Admin API base URL (AWS_IAM auth: requests must be SigV4-signed for the lambda service)',
      },
      ProviderKeysSecretArn: { value: secretArn, description: 'Secret holding provider keys as a JSON object' },
      UsageQueueUrl: { value: this.gateway.usageQueue.queueUrl, description: 'SQS queue of usage records, from the gateway to the aggregator' },
      UsageDeadLetterQueueUrl: {
        value: this.gateway.usageDeadLetterQueue.queueUrl,
        description: 'Usage records that failed 5 deliveries to the aggregator: inspect, then redrive to the usage queue',
      },
      GatewayLogGroupName: {
        value: this.gateway.logGroup.logGroupName,
        description: 'Gateway log group: request.completed lines, EMF usage metrics, usage.record_unsaved lines to replay',
      },
      UsageTableName: {
        value: this.gateway.usageTable.tableName,
        description: 'Usage records and roll-ups (npm run usage:replay -- <log lines> --table <this>)',
      },
      PutProviderKeysCommand: {
        value: `aws secretsmanager put-secret-value --region ${Aws.REGION} --secret-id ${secretArn} --secret-string '{"OPENAI_API_KEY":"..."}'`,
        description: 'Stores provider keys; the next cold start picks them up',
      },
      MetricsNamespace: {
        value: this.gateway.metricsNamespace,
        description: 'CloudWatch namespace of the gateway metrics (EMF usage metrics, counted log events)',
      },
      DashboardUrl: this.gateway.dashboard && {
        value: `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.gateway.dashboard.dashboardName}`,
        description: 'CloudWatch dashboard of this gateway',
      },
      AlarmTopicArn: this.alarmTopic && {
        value: this.alarmTopic.topicArn,
        description: 'SNS topic every alarm notifies (confirm the email subscription first)',
      },
    };
    for (const [outputId, output] of Object.entries(outputs)) {
      if (output) new CfnOutput(this, outputId, output);
    }
  }
}

function readConfigFile(path: string | undefined): string {
  if (path === undefined) return DEFAULT_CONFIG_YAML;
  const absolutePath = resolve(process.cwd(), path);
  try {
    return readFileSync(absolutePath, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigFileError(`Cannot read the gateway config "${path}" (${absolutePath}): ${reason}.`);
  }
}

/** The file named by context `config` cannot be read. */
export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}
