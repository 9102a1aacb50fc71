import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, FunctionUrlAuthType, InvokeMode, Runtime, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { validateConfigText } from '../functions/core/config/validate-config.js';
import { bedrockModelArns } from './bedrock-model-arns.js';
import {
  COUNTERS_TABLE,
  TENANCY_TABLE,
  USAGE_TABLE,
  type TableDefinition,
} from '../functions/platform/dynamodb/table-definitions.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Lambda's own limits, checked at synth time rather than at deploy time. */
const MEMORY_MIN_MB = 128;
const MEMORY_MAX_MB = 10_240;
const TIMEOUT_MAX = Duration.minutes(15);

/**
 * What each function may do on each table, and nothing else. Transactions have no IAM action of
 * their own: each action inside TransactWriteItems is authorised as its single-item counterpart
 * (Update → UpdateItem, Put → PutItem, Delete → DeleteItem, ConditionCheck → ConditionCheckItem).
 */
export const GATEWAY_TENANCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'] as const;
export const GATEWAY_COUNTERS_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem'] as const;
export const ADMIN_TENANCY_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
] as const;
export const ADMIN_COUNTERS_ACTIONS = ['dynamodb:GetItem'] as const;
/** The gateway's direct-write fallback when SQS fails: the aggregator's own transaction (Put + Updates). */
export const GATEWAY_USAGE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
/** SendMessageBatch is authorised by sqs:SendMessage too. */
export const GATEWAY_USAGE_QUEUE_ACTIONS = ['sqs:SendMessage'] as const;
export const AGGREGATOR_USAGE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
/** Bedrock, only on the models the config names (see bedrock-model-arns.ts). */
export const GATEWAY_BEDROCK_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;
/** Cost queries: one partition, an sk range (no scans). */
export const ADMIN_USAGE_ACTIONS = ['dynamodb:Query'] as const;

/** The aggregator's SQS wiring. */
export const AGGREGATOR_TIMEOUT = Duration.seconds(60);
export const AGGREGATOR_BATCH_SIZE = 100;
export const AGGREGATOR_MAX_BATCHING_WINDOW = Duration.seconds(5);
/**
 * Lambda's advice for SQS sources: at least 6 × the function timeout, so a batch retried after
 * throttling is not delivered again meanwhile; plus the batching window the poller may hold it for.
 */
export const USAGE_QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(6 * AGGREGATOR_TIMEOUT.toSeconds() + AGGREGATOR_MAX_BATCHING_WINDOW.toSeconds());
/** Deliveries of a message (malformed, or failing to be counted) before it moves to the dead-letter queue. */
export const USAGE_QUEUE_MAX_RECEIVE_COUNT = 5;
/** Longer than the source queue's 4 days: a standard queue's message keeps its original enqueue time in the DLQ. */
export const USAGE_DEAD_LETTER_RETENTION = Duration.days(14);

export interface LlmGatewayProps {
  /** The gateway config (LiteLLM-style YAML text). Validated at synth time and bundled into the function. */
  readonly configYaml: string;
  /** Megabytes; also scales the CPU share. @default 1024 */
  readonly memorySize?: number;
  /** Upper bound on one request, streams included. @default Duration.minutes(15) (the function URL maximum) */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Complete ARN of an existing secret holding provider keys as a JSON object.
   * @default a new secret, created with the body `{}`
   */
  readonly providerKeysSecretArn?: string;
}

/**
 * The gateway as one Lambda function behind a streaming function URL, its three DynamoDB
 * tables (tenancy: tenants and virtual keys; counters: rate-limit windows, budgets and
 * reservations; usage: raw usage records and their roll-ups) and the admin API as a second
 * function behind an IAM-authenticated URL. The gateway URL has no IAM auth: the gateway
 * authenticates callers with its master and virtual keys.
 *
 * Usage pipeline: the gateway sends one usage record per request to the usage queue (SQS,
 * SSE, TLS only); the aggregator function consumes it in batches and counts each record into
 * the usage table; a message that fails 5 deliveries moves to the dead-letter queue.
 *
 * Each function writes its own log group and may do exactly the table actions listed above;
 * the gateway may also read the provider-keys secret and send to the usage queue.
 */
export class LlmGateway extends Construct {
  public readonly function: NodejsFunction;
  public readonly functionUrl: FunctionUrl;
  public readonly providerKeysSecret: ISecret;
  public readonly logGroup: LogGroup;
  /** Tenants, virtual keys and key-hash lookups; retained when the stack is deleted. */
  public readonly tenancyTable: Table;
  /** Rate-limit windows, budgets and reservations (TTL on `expires_at`); retained when the stack is deleted. */
  public readonly countersTable: Table;
  /**
   * The admin API (tenants and keys). Callers need `lambda:InvokeFunctionUrl` and, for URLs
   * created since October 2025, `lambda:InvokeFunction` on it (e.g. `adminFunctionUrl.grantInvokeUrl`).
   */
  public readonly adminFunction: NodejsFunction;
  /** AWS_IAM auth, BUFFERED: requests must be SigV4-signed (service `lambda`). */
  public readonly adminFunctionUrl: FunctionUrl;
  public readonly adminLogGroup: LogGroup;
  /** Raw usage records (TTL on `expires_at`) and roll-ups, keyed `pk` + `sk`; retained when the stack is deleted. */
  public readonly usageTable: Table;
  /** Usage records from the gateway to the aggregator. */
  public readonly usageQueue: Queue;
  /** Usage records that failed `USAGE_QUEUE_MAX_RECEIVE_COUNT` deliveries: inspect, then redrive. */
  public readonly usageDeadLetterQueue: Queue;
  /** Counts queued usage records into the usage table (partial batch failures reported). */
  public readonly aggregatorFunction: NodejsFunction;
  public readonly aggregatorLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LlmGatewayProps) {
    super(scope, id);
    validateProps(props);

    this.providerKeysSecret = props.providerKeysSecretArn === undefined
      ? new Secret(this, 'ProviderKeys', {
          description: 'LLM gateway provider keys: a JSON object such as {"OPENAI_API_KEY":"sk-..."}',
          // Not a secret: an empty placeholder the operator overwrites with put-secret-value.
          secretStringValue: SecretValue.unsafePlainText('{}'),
        })
      : Secret.fromSecretCompleteArn(this, 'ProviderKeys', props.providerKeysSecretArn);

    this.tenancyTable = tableFromDefinition(this, 'TenancyTable', TENANCY_TABLE);
    this.countersTable = tableFromDefinition(this, 'CountersTable', COUNTERS_TABLE);
    this.usageTable = tableFromDefinition(this, 'UsageTable', USAGE_TABLE);
    const tableEnvironment = {
      TENANCY_TABLE: this.tenancyTable.tableName,
      COUNTERS_TABLE: this.countersTable.tableName,
      USAGE_TABLE: this.usageTable.tableName,
    };

    this.usageDeadLetterQueue = new Queue(this, 'UsageDeadLetterQueue', {
      retentionPeriod: USAGE_DEAD_LETTER_RETENTION,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.usageQueue = new Queue(this, 'UsageQueue', {
      visibilityTimeout: USAGE_QUEUE_VISIBILITY_TIMEOUT,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.usageDeadLetterQueue, maxReceiveCount: USAGE_QUEUE_MAX_RECEIVE_COUNT },
    });

    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const gateway = lambdaFunction(this, '', {
      entry: 'functions/gateway/handler.ts',
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? TIMEOUT_MAX,
      environment: {
        PROVIDER_KEYS_SECRET_ARN: this.providerKeysSecret.secretArn,
        ...tableEnvironment,
        USAGE_QUEUE_URL: this.usageQueue.queueUrl,
      },
      logRetention,
      configYaml: props.configYaml,
    });
    this.function = gateway.function;
    this.logGroup = gateway.logGroup;
    this.providerKeysSecret.grantRead(this.function);
    allow(gateway.role, GATEWAY_TENANCY_ACTIONS, this.tenancyTable.tableArn);
    allow(gateway.role, GATEWAY_COUNTERS_ACTIONS, this.countersTable.tableArn);
    allow(gateway.role, GATEWAY_USAGE_QUEUE_ACTIONS, this.usageQueue.queueArn);
    allow(gateway.role, GATEWAY_USAGE_ACTIONS, this.usageTable.tableArn);
    const bedrockModels = bedrockModelArns(props.configYaml, Stack.of(this).account);
    if (bedrockModels.length > 0) {
      gateway.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...GATEWAY_BEDROCK_ACTIONS], resources: bedrockModels }));
    }
    this.functionUrl = this.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });

    const admin = lambdaFunction(this, 'Admin', {
      entry: 'functions/admin/handler.ts',
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: tableEnvironment,
      logRetention,
      configYaml: props.configYaml,
    });
    this.adminFunction = admin.function;
    this.adminLogGroup = admin.logGroup;
    allow(admin.role, ADMIN_TENANCY_ACTIONS, this.tenancyTable.tableArn);
    allow(admin.role, ADMIN_COUNTERS_ACTIONS, this.countersTable.tableArn);
    allow(admin.role, ADMIN_USAGE_ACTIONS, this.usageTable.tableArn);
    this.adminFunctionUrl = this.adminFunction.addFunctionUrl({
      authType: FunctionUrlAuthType.AWS_IAM,
      invokeMode: InvokeMode.BUFFERED,
    });

    const aggregator = lambdaFunction(this, 'Aggregator', {
      entry: 'functions/aggregator/handler.ts',
      memorySize: 512,
      timeout: AGGREGATOR_TIMEOUT,
      environment: { USAGE_TABLE: this.usageTable.tableName },
      logRetention,
      configYaml: props.configYaml,
    });
    this.aggregatorFunction = aggregator.function;
    this.aggregatorLogGroup = aggregator.logGroup;
    allow(aggregator.role, AGGREGATOR_USAGE_ACTIONS, this.usageTable.tableArn);
    // Also grants the role what consuming takes (receive, delete, change visibility, attributes) on this queue.
    this.aggregatorFunction.addEventSource(new SqsEventSource(this.usageQueue, {
      batchSize: AGGREGATOR_BATCH_SIZE,
      maxBatchingWindow: AGGREGATOR_MAX_BATCHING_WINDOW,
      reportBatchItemFailures: true,
    }));
  }
}

/**
 * One function of the gateway: Node.js 22 on arm64, bundled locally, with its own log group
 * and its own role (instead of AWSLambdaBasicExecutionRole: it may write that log group only).
 * Construct ids are `<prefix>Logs`, `<prefix>Role`, `<prefix>Function`.
 */
function lambdaFunction(
  scope: Construct,
  prefix: string,
  options: { entry: string; memorySize: number; timeout: Duration; environment: Record<string, string>; logRetention: RetentionDays; configYaml: string },
): { function: NodejsFunction; role: Role; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, `${prefix}Logs`, { retention: options.logRetention });
  const role = new Role(scope, `${prefix}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  const fn = new NodejsFunction(scope, `${prefix}Function`, {
    entry: join(projectRoot, options.entry),
    handler: 'handler',
    projectRoot,
    depsLockFilePath: join(projectRoot, 'package-lock.json'),
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    role,
    logGroup,
    environment: { ...options.environment, NODE_OPTIONS: '--enable-source-maps' },
    bundling: esmBundling(options.configYaml),
  });
  logGroup.grantWrite(role);
  return { function: fn, role, logGroup };
}

function allow(role: Role, actions: readonly string[], resource: string): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [resource] }));
}

/** Point-in-time recovery on and RETAIN: these tables hold the only copy of tenants, keys, spend and usage. */
function tableFromDefinition(scope: Construct, id: string, definition: TableDefinition): Table {
  return new Table(scope, id, {
    partitionKey: { name: definition.partitionKey.name, type: attributeType(definition.partitionKey.type) },
    ...(definition.sortKey === undefined ? {} : { sortKey: { name: definition.sortKey.name, type: attributeType(definition.sortKey.type) } }),
    billingMode: definition.billingMode === 'PAY_PER_REQUEST' ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED,
    ...(definition.timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute: definition.timeToLiveAttribute }),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

function attributeType(type: TableDefinition['partitionKey']['type']): AttributeType {
  switch (type) {
    case 'S':
      return AttributeType.STRING;
  }
}

/** Local esbuild, no Docker; ESM for Node 22 with the gateway config inlined. */
function esmBundling(configYaml: string): BundlingOptions {
  return {
    forceDockerBundling: false,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    // ESM bundles have no `require`; esbuild's shim for bundled CommonJS needs one.
    banner: "import { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);",
    define: { __GATEWAY_CONFIG_YAML__: JSON.stringify(configYaml) },
  };
}

function validateProps(props: LlmGatewayProps): void {
  const problems = validateConfigText(props.configYaml).map((problem) => `config: ${problem}`);

  const { memorySize, timeout } = props;
  if (memorySize !== undefined && !Token.isUnresolved(memorySize)
    && (!Number.isInteger(memorySize) || memorySize < MEMORY_MIN_MB || memorySize > MEMORY_MAX_MB)) {
    problems.push(`memorySize: must be an integer from ${MEMORY_MIN_MB} to ${MEMORY_MAX_MB} MB, got ${memorySize}`);
  }
  if (timeout !== undefined && !timeout.isUnresolved()
    && (timeout.toMilliseconds() < 1000 || timeout.toMilliseconds() > TIMEOUT_MAX.toMilliseconds())) {
    problems.push(`timeout: must be from 1 second to 15 minutes, got ${timeout.toHumanString()}`);
  }

  if (problems.length > 0) {
    throw new Error(`Invalid LlmGateway props (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}
