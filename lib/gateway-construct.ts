import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, FunctionUrlAuthType, HttpMethod, InvokeMode, Runtime, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError, parseConfigText } from '../functions/core/config/parse-config.js';
import { unpricedDeploymentWarnings } from '../functions/core/pricing/resolve-pricing.js';
import { createInlinedPriceCatalog, type InlinedPrices } from '../functions/platform/genai-price-catalog.js';
import { describePrices } from '../functions/platform/genai-price-report.js';
import { resolveConfigPrices, toInlinedPrices } from '../functions/platform/genai-price-resolver.js';
import { bedrockModelArns } from './bedrock-model-arns.js';
import { BUNDLE_TARGET, EXTERNAL_MODULES, FUNCTION_ENTRIES, MAIN_FIELDS, REQUIRE_SHIM_BANNER, bundleDefines } from './bundling-options.js';
import { acknowledgeAwsSolutionsFindings } from './gateway-acknowledgements.js';
import { DEFAULT_EDGE_READ_TIMEOUT, GatewayEdgeProtection, edgeProtectionProblems } from './gateway-edge-protection.js';
import { GatewayMonitoring } from './gateway-monitoring.js';
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
const GATEWAY_TENANCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'] as const;
const GATEWAY_COUNTERS_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem'] as const;
const ADMIN_TENANCY_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
] as const;
const ADMIN_COUNTERS_ACTIONS = ['dynamodb:GetItem'] as const;
/** The gateway's direct-write fallback when SQS fails: the aggregator's own transaction (Put + Updates). */
const GATEWAY_USAGE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
/** SendMessageBatch is authorised by sqs:SendMessage too. */
const GATEWAY_USAGE_QUEUE_ACTIONS = ['sqs:SendMessage'] as const;
const AGGREGATOR_USAGE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
/**
 * Bedrock, only on the models the config names (see bedrock-model-arns.ts): invoke (Converse and
 * InvokeModel, streamed or not) and CountTokens (/v1/messages/count_tokens for Claude on Bedrock).
 */
const GATEWAY_BEDROCK_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:CountTokens'] as const;
/** Cost queries: one partition, an sk range (no scans). */
const ADMIN_USAGE_ACTIONS = ['dynamodb:Query'] as const;

/**
 * Concurrency reserved for, and capping, the gateway unless `reservedConcurrency` says otherwise:
 * its URL is public, so without a cap a flood of requests (even unauthenticated ones) can take
 * the account's whole unreserved pool and throttle every other function in it. 400 (with the
 * admin's and aggregator's reservations, 415) leaves 585 for the rest of an account with the
 * usual quota of 1,000, while still serving 400 streams at once (20 new requests a second of
 * 20-second streams); raise it with the account's quota.
 */
export const DEFAULT_RESERVED_CONCURRENCY = 400;
/**
 * Kept for the admin API, so an operator can still revoke keys during a flood; also its cap
 * (its URL is IAM-authenticated and its calls take milliseconds, so 5 at once is plenty).
 */
export const ADMIN_RESERVED_CONCURRENCY = 5;
/**
 * Kept for the aggregator, and its queue poller's maximum concurrency: AWS advises reserving at
 * least the event source's maximum, so its invocations are never throttled (each throttled batch
 * would count a delivery towards the dead-letter queue). 10 batches of 100 records at once.
 */
export const AGGREGATOR_RESERVED_CONCURRENCY = 10;

/** The aggregator's SQS wiring. */
const AGGREGATOR_TIMEOUT = Duration.seconds(60);
const AGGREGATOR_BATCH_SIZE = 100;
const AGGREGATOR_MAX_BATCHING_WINDOW = Duration.seconds(5);
/**
 * Lambda's advice for SQS sources: at least 6 × the function timeout, so a batch retried after
 * throttling is not delivered again meanwhile; plus the batching window the poller may hold it for.
 */
const USAGE_QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(6 * AGGREGATOR_TIMEOUT.toSeconds() + AGGREGATOR_MAX_BATCHING_WINDOW.toSeconds());
/** Deliveries of a message (malformed, or failing to be counted) before it moves to the dead-letter queue. */
const USAGE_QUEUE_MAX_RECEIVE_COUNT = 5;
/** Longer than the source queue's 4 days: a standard queue's message keeps its original enqueue time in the DLQ. */
const USAGE_DEAD_LETTER_RETENTION = Duration.days(14);

/** Deployment stages: what happens to data and logs when the stack is deleted. */
export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Request headers a browser may send to the gateway (CORS): keys, JSON, tracing, attribution, and the OpenAI and Anthropic SDKs' own. */
export const GATEWAY_CORS_ALLOWED_HEADERS: readonly string[] = [
  'authorization',
  'content-type',
  'x-request-id',
  'api-key',
  'x-api-key',
  'x-gateway-end-user',
  'x-gateway-tags',
  'x-run-id',
  'x-trace-id',
  'traceparent',
  'tracestate',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'x-stainless-arch',
  'x-stainless-lang',
  'x-stainless-os',
  'x-stainless-package-version',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-retry-count',
  'x-stainless-timeout',
  'x-stainless-helper-method',
];

/** Response headers a browser script may read (CORS): the request id, what served the request, its cost, and rate limits. */
export const GATEWAY_CORS_EXPOSED_HEADERS: readonly string[] = [
  'x-request-id',
  'x-gateway-model',
  'x-gateway-provider',
  'x-gateway-cost-usd',
  'x-gateway-dropped-params',
  'x-gateway-max-tokens-clamped',
  'x-gateway-attempts',
  'x-gateway-deployment',
  'x-gateway-ignored-params',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
  'retry-after',
];

/** How long a browser may cache a preflight answer when `cors.maxAge` is not given. */
export const DEFAULT_CORS_MAX_AGE = Duration.hours(1);

/** Browser access to the gateway's function URL (Lambda answers the preflight `OPTIONS` itself). */
export interface GatewayCorsOptions {
  /** Origins such as `https://app.example.com` (scheme and host, optional port, no path), or `*`. At most 100. */
  readonly allowedOrigins: readonly string[];
  /** @default DEFAULT_CORS_MAX_AGE (1 hour) */
  readonly maxAge?: Duration;
}

/** CloudFront and WAF settings (GatewayEdgeProtection). */
export interface GatewayEdgeProtectionOptions {
  /** Requests one IP may make per 5 minutes before WAF answers 429. @default 2,000 */
  readonly rateLimitPerIp?: number;
  /**
   * How long CloudFront waits for the gateway's first byte and between bytes; must exceed
   * general_settings.stream_keep_alive_seconds. Above 60 s needs a CloudFront quota increase.
   * @default 60 seconds
   */
  readonly readTimeout?: Duration;
}

export interface LlmGatewayProps {
  /** The gateway config (LiteLLM-style YAML text). Validated at synth time and bundled into the function. */
  readonly configYaml: string;
  /**
   * `prod`: the three tables are retained when the stack is deleted and have deletion protection on;
   * log groups are retained. `dev`: tables and log groups are deleted with the stack.
   * @default 'prod'
   */
  readonly stage?: Stage;
  /** Megabytes; also scales the CPU share. @default 1024 */
  readonly memorySize?: number;
  /** Upper bound on one request, streams included. @default Duration.minutes(15) (the function URL maximum) */
  readonly timeout?: Duration;
  /**
   * Concurrent executions reserved for (and capping) the gateway function. Each streaming request
   * holds one execution environment for its whole duration. With a number, the admin and aggregator
   * functions get ADMIN_RESERVED_CONCURRENCY and AGGREGATOR_RESERVED_CONCURRENCY too, so the
   * account needs 100 + the three reservations (515 by default) of concurrency quota. `'none'`
   * reserves nothing for any of the three (for accounts with a smaller quota, such as new ones):
   * the gateway then shares, and can exhaust, the account's unreserved pool.
   * @default DEFAULT_RESERVED_CONCURRENCY (400)
   */
  readonly reservedConcurrency?: number | 'none';
  /**
   * CloudFront and AWS WAF in front of the gateway (see GatewayEdgeProtection): `true` or options.
   * The function URL then refuses requests that did not come through CloudFront, and `url` is the
   * CloudFront URL. Requires the stack in us-east-1.
   * @default false
   */
  readonly edgeProtection?: boolean | GatewayEdgeProtectionOptions;
  /** @default no CORS configuration: browsers cannot call the gateway from another origin */
  readonly cors?: GatewayCorsOptions;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Complete ARN of an existing secret holding provider keys as a JSON object.
   * @default a new secret, created with the body `{}`
   */
  readonly providerKeysSecretArn?: string;
  /** Every alarm notifies this topic when it goes into ALARM and back to OK. @default alarms without notifications */
  readonly alarmTopic?: ITopic;
  /** @default true: a CloudWatch dashboard for this gateway */
  readonly dashboard?: boolean;
  /**
   * CloudWatch namespace of the gateway's metrics (EMF usage metrics and counted log events).
   * Two gateways in one stack need different namespaces.
   * @default `LlmGateway/<stack name>`
   */
  readonly metricsNamespace?: string;
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
 * the gateway may also read the provider-keys secret, send to the usage queue and invoke the
 * Bedrock models the config names.
 *
 * Observability: the gateway writes each usage record as CloudWatch metrics (EMF) into
 * `metricsNamespace`; `monitoring` holds the alarms and the dashboard (see GatewayMonitoring).
 * AwsSolutions (cdk-nag) findings that are design decisions are acknowledged on the resources
 * concerned, each with its reason (gateway-acknowledgements.ts).
 */
export class LlmGateway extends Construct {
  public readonly function: NodejsFunction;
  public readonly functionUrl: FunctionUrl;
  /** The base URL clients use: the CloudFront URL with edge protection, else the function URL. */
  public readonly url: string;
  /** CloudFront and WAF, when `edgeProtection` is on. */
  public readonly edgeProtection?: GatewayEdgeProtection;
  public readonly providerKeysSecret: ISecret;
  public readonly logGroup: LogGroup;
  /** Tenants, virtual keys and key-hash lookups; retained when the stack is deleted (prod). */
  public readonly tenancyTable: Table;
  /** Rate-limit windows, budgets and reservations (TTL on `expires_at`); retained when the stack is deleted (prod). */
  public readonly countersTable: Table;
  /**
   * The admin API (tenants and keys). Callers need `lambda:InvokeFunctionUrl` and, for URLs
   * created since October 2025, `lambda:InvokeFunction` on it (e.g. `adminFunctionUrl.grantInvokeUrl`).
   */
  public readonly adminFunction: NodejsFunction;
  /** AWS_IAM auth, BUFFERED: requests must be SigV4-signed (service `lambda`). */
  public readonly adminFunctionUrl: FunctionUrl;
  public readonly adminLogGroup: LogGroup;
  /** Raw usage records (TTL on `expires_at`) and roll-ups, keyed `pk` + `sk`; retained when the stack is deleted (prod). */
  public readonly usageTable: Table;
  /** Usage records from the gateway to the aggregator. */
  public readonly usageQueue: Queue;
  /** Usage records that failed `USAGE_QUEUE_MAX_RECEIVE_COUNT` deliveries: inspect, then redrive. */
  public readonly usageDeadLetterQueue: Queue;
  /** Counts queued usage records into the usage table (partial batch failures reported). */
  public readonly aggregatorFunction: NodejsFunction;
  public readonly aggregatorLogGroup: LogGroup;
  public readonly stage: Stage;
  /** Namespace of the gateway's CloudWatch metrics. */
  public readonly metricsNamespace: string;
  /** Alarms, metric filters and the dashboard. */
  public readonly monitoring: GatewayMonitoring;
  /** The alarms, by name (see GatewayMonitoring). */
  public readonly alarms: Record<string, Alarm>;
  public readonly dashboard?: Dashboard;

  constructor(scope: Construct, id: string, props: LlmGatewayProps) {
    super(scope, id);
    this.stage = props.stage ?? 'prod';
    this.metricsNamespace = props.metricsNamespace ?? `LlmGateway/${Stack.of(this).stackName}`;
    validateProps(this, props, this.metricsNamespace);
    const gatewayReservation = props.reservedConcurrency ?? DEFAULT_RESERVED_CONCURRENCY;
    // One switch: an account too small to reserve for the gateway cannot reserve for the others either.
    const reserved = (executions: number) => (gatewayReservation === 'none' ? {} : { reservedConcurrentExecutions: executions });
    for (const warning of parseConfigText(props.configYaml).warnings) {
      Annotations.of(this).addWarningV2('llm-gateway:config-warning', `config: ${warning}`);
    }
    // The configured deployments' prices, resolved now and inlined: the database stays out of the bundle.
    const prices = resolveConfigPrices(props.configYaml, { at: new Date() });
    const priceReport = describePrices(prices);
    Annotations.of(this).addInfo(priceReport.summary);
    for (const note of priceReport.notes) Annotations.of(this).addInfo(note);
    // The same words the gateway logs at start-up (config.unpriced_deployment): priced by neither config nor database.
    for (const warning of unpricedDeploymentWarnings(parseConfigText(props.configYaml).config.deployments, createInlinedPriceCatalog(prices))) {
      Annotations.of(this).addWarningV2('llm-gateway:unpriced-deployment', warning);
    }
    const retainData = this.stage === 'prod';
    const logRemovalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.providerKeysSecret = props.providerKeysSecretArn === undefined
      ? new Secret(this, 'ProviderKeys', {
          description: 'LLM gateway provider keys: a JSON object such as {"OPENAI_API_KEY":"sk-..."}',
          // Not a secret: an empty placeholder the operator overwrites with put-secret-value.
          secretStringValue: SecretValue.unsafePlainText('{}'),
        })
      : Secret.fromSecretCompleteArn(this, 'ProviderKeys', props.providerKeysSecretArn);

    this.tenancyTable = tableFromDefinition(this, 'TenancyTable', TENANCY_TABLE, retainData);
    this.countersTable = tableFromDefinition(this, 'CountersTable', COUNTERS_TABLE, retainData);
    this.usageTable = tableFromDefinition(this, 'UsageTable', USAGE_TABLE, retainData);
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

    // What every function shares: its log group's retention and removal, and the bundled config.
    const functionDefaults = {
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      logRemovalPolicy,
      configYaml: props.configYaml,
    };
    const gateway = lambdaFunction(this, '', {
      ...functionDefaults,
      entry: FUNCTION_ENTRIES.gateway,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? TIMEOUT_MAX,
      environment: {
        PROVIDER_KEYS_SECRET_ARN: this.providerKeysSecret.secretArn,
        ...tableEnvironment,
        USAGE_QUEUE_URL: this.usageQueue.queueUrl,
        METRICS_NAMESPACE: this.metricsNamespace,
      },
      ...(gatewayReservation === 'none' ? {} : { reservedConcurrentExecutions: gatewayReservation }),
      prices: toInlinedPrices(prices),
    });
    this.function = gateway.function;
    this.logGroup = gateway.logGroup;
    this.providerKeysSecret.grantRead(this.function);
    allow(gateway.role, GATEWAY_TENANCY_ACTIONS, this.tenancyTable.tableArn);
    allow(gateway.role, GATEWAY_COUNTERS_ACTIONS, this.countersTable.tableArn);
    allow(gateway.role, GATEWAY_USAGE_QUEUE_ACTIONS, this.usageQueue.queueArn);
    allow(gateway.role, GATEWAY_USAGE_ACTIONS, this.usageTable.tableArn);
    const bedrockModels = bedrockModelArns(props.configYaml, Stack.of(this).account);
    if (bedrockModels.length > 0) allow(gateway.role, GATEWAY_BEDROCK_ACTIONS, ...bedrockModels);
    this.functionUrl = this.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
      ...(props.cors === undefined
        ? {}
        : {
            cors: {
              allowedOrigins: [...props.cors.allowedOrigins],
              allowedMethods: [HttpMethod.GET, HttpMethod.POST],
              allowedHeaders: [...GATEWAY_CORS_ALLOWED_HEADERS],
              exposedHeaders: [...GATEWAY_CORS_EXPOSED_HEADERS],
              maxAge: props.cors.maxAge ?? DEFAULT_CORS_MAX_AGE,
            },
          }),
    });

    if (props.edgeProtection !== undefined && props.edgeProtection !== false) {
      const options = props.edgeProtection === true ? {} : props.edgeProtection;
      this.edgeProtection = new GatewayEdgeProtection(this, 'EdgeProtection', {
        functionUrl: this.functionUrl,
        gatewayFunction: this.function,
        ...options,
      });
    }
    this.url = this.edgeProtection?.url ?? this.functionUrl.url;

    const admin = lambdaFunction(this, 'Admin', {
      ...functionDefaults,
      entry: FUNCTION_ENTRIES.admin,
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: tableEnvironment,
      ...reserved(ADMIN_RESERVED_CONCURRENCY),
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
      ...functionDefaults,
      entry: FUNCTION_ENTRIES.aggregator,
      memorySize: 512,
      timeout: AGGREGATOR_TIMEOUT,
      environment: { USAGE_TABLE: this.usageTable.tableName },
      ...reserved(AGGREGATOR_RESERVED_CONCURRENCY),
    });
    this.aggregatorFunction = aggregator.function;
    this.aggregatorLogGroup = aggregator.logGroup;
    allow(aggregator.role, AGGREGATOR_USAGE_ACTIONS, this.usageTable.tableArn);
    // Also grants the role what consuming takes (receive, delete, change visibility, attributes) on this queue.
    this.aggregatorFunction.addEventSource(new SqsEventSource(this.usageQueue, {
      batchSize: AGGREGATOR_BATCH_SIZE,
      maxBatchingWindow: AGGREGATOR_MAX_BATCHING_WINDOW,
      reportBatchItemFailures: true,
      // Kept whatever the reservation: it also bounds the usage table's write rate.
      maxConcurrency: AGGREGATOR_RESERVED_CONCURRENCY,
    }));

    this.monitoring = new GatewayMonitoring(this, 'Monitoring', {
      namespace: this.metricsNamespace,
      gatewayFunction: this.function,
      gatewayLogGroup: this.logGroup,
      aggregatorFunction: this.aggregatorFunction,
      usageQueue: this.usageQueue,
      usageDeadLetterQueue: this.usageDeadLetterQueue,
      ...(props.alarmTopic === undefined ? {} : { alarmTopic: props.alarmTopic }),
      ...(props.dashboard === undefined ? {} : { dashboard: props.dashboard }),
    });
    this.alarms = this.monitoring.alarms;
    if (this.monitoring.dashboard) this.dashboard = this.monitoring.dashboard;

    acknowledgeAwsSolutionsFindings(this, { bedrockModelArns: bedrockModels });
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
  options: {
    entry: string;
    memorySize: number;
    timeout: Duration;
    environment: Record<string, string>;
    logRetention: RetentionDays;
    logRemovalPolicy: RemovalPolicy;
    configYaml: string;
    reservedConcurrentExecutions?: number;
    /** The gateway's resolved prices, inlined beside the config. */
    prices?: InlinedPrices;
  },
): { function: NodejsFunction; role: Role; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, `${prefix}Logs`, { retention: options.logRetention, removalPolicy: options.logRemovalPolicy });
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
    bundling: esmBundling(options.configYaml, options.prices),
    ...(options.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: options.reservedConcurrentExecutions }),
  });
  logGroup.grantWrite(role);
  return { function: fn, role, logGroup };
}

function allow(role: Role, actions: readonly string[], ...resources: string[]): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources }));
}

/**
 * Point-in-time recovery on. `retain` (prod): RETAIN and deletion protection, since these tables
 * hold the only copy of tenants, keys, spend and usage; otherwise (dev) deleted with the stack.
 */
function tableFromDefinition(scope: Construct, id: string, definition: TableDefinition, retain: boolean): Table {
  return new Table(scope, id, {
    partitionKey: { name: definition.partitionKey.name, type: attributeType(definition.partitionKey.type) },
    ...(definition.sortKey === undefined ? {} : { sortKey: { name: definition.sortKey.name, type: attributeType(definition.sortKey.type) } }),
    billingMode: definition.billingMode === 'PAY_PER_REQUEST' ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED,
    ...(definition.timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute: definition.timeToLiveAttribute }),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    deletionProtection: retain,
  });
}

function attributeType(type: TableDefinition['partitionKey']['type']): AttributeType {
  switch (type) {
    case 'S':
      return AttributeType.STRING;
  }
}

/** Local esbuild, no Docker; ESM for Node 22 with the gateway config (and prices) inlined (the options in bundling-options.ts). */
function esmBundling(configYaml: string, prices?: InlinedPrices): BundlingOptions {
  return {
    forceDockerBundling: false,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    format: OutputFormat.ESM,
    target: BUNDLE_TARGET,
    externalModules: [...EXTERNAL_MODULES],
    mainFields: [...MAIN_FIELDS],
    banner: REQUIRE_SHIM_BANNER,
    define: bundleDefines(configYaml, prices),
  };
}

/** An LlmGateway's props that are wrong, all listed (config problems are a ConfigError instead). */
export class LlmGatewayPropsError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid LlmGateway props (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'LlmGatewayPropsError';
    this.problems = problems;
  }
}

/** CloudWatch namespaces: these characters, at most 255, not starting with `AWS/`. */
const NAMESPACE_PATTERN = /^[A-Za-z0-9._\-/#: ]{1,255}$/;
/** A CORS origin: scheme and host (optional port), no path; or `*`. */
const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const MAX_CORS_ORIGINS = 100;

/**
 * Throws ConfigError (the message local start-up prints) when the config is invalid, else
 * LlmGatewayPropsError listing every other wrong prop.
 */
function validateProps(scope: Construct, props: LlmGatewayProps, metricsNamespace: string): void {
  const configProblems = parseConfigText(props.configYaml).problems;
  if (configProblems.length > 0) throw new ConfigError(configProblems);

  const problems: string[] = [];
  const { memorySize, timeout, reservedConcurrency, cors, stage } = props;
  if (stage !== undefined && !(STAGES as readonly string[]).includes(stage)) {
    problems.push(`stage: must be one of ${STAGES.join(', ')}, got ${JSON.stringify(stage)}`);
  }
  if (memorySize !== undefined && !Token.isUnresolved(memorySize)
    && (!Number.isInteger(memorySize) || memorySize < MEMORY_MIN_MB || memorySize > MEMORY_MAX_MB)) {
    problems.push(`memorySize: must be an integer from ${MEMORY_MIN_MB} to ${MEMORY_MAX_MB} MB, got ${memorySize}`);
  }
  if (timeout !== undefined && !timeout.isUnresolved()
    && (timeout.toMilliseconds() < 1000 || timeout.toMilliseconds() > TIMEOUT_MAX.toMilliseconds())) {
    problems.push(`timeout: must be from 1 second to 15 minutes, got ${timeout.toHumanString()}`);
  }
  if (reservedConcurrency !== undefined && reservedConcurrency !== 'none' && !Token.isUnresolved(reservedConcurrency)
    && (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1)) {
    problems.push(`reservedConcurrency: must be a whole number of at least 1, or 'none', got ${JSON.stringify(reservedConcurrency)}`);
  }
  if (props.edgeProtection !== undefined && props.edgeProtection !== false) {
    const options = props.edgeProtection === true ? {} : props.edgeProtection;
    problems.push(...edgeProtectionProblems(Stack.of(scope).region, options));
    // CloudFront drops a response that stays silent for longer than its read timeout.
    const keepAliveMs = parseConfigText(props.configYaml).config.generalSettings.streamKeepAliveMs;
    const readTimeout = options.readTimeout ?? DEFAULT_EDGE_READ_TIMEOUT;
    if (!readTimeout.isUnresolved() && keepAliveMs >= readTimeout.toMilliseconds()) {
      problems.push(
        `edgeProtection: general_settings.stream_keep_alive_seconds (${keepAliveMs / 1000}) must be shorter than CloudFront's read timeout ` +
          `(${readTimeout.toSeconds()} s), or quiet streams are cut`,
      );
    }
  }
  if (cors !== undefined) {
    if (cors.allowedOrigins.length === 0 || cors.allowedOrigins.length > MAX_CORS_ORIGINS) {
      problems.push(`cors.allowedOrigins: must list 1 to ${MAX_CORS_ORIGINS} origins, got ${cors.allowedOrigins.length}`);
    }
    for (const origin of cors.allowedOrigins) {
      if (origin !== '*' && !ORIGIN_PATTERN.test(origin)) {
        problems.push(`cors.allowedOrigins: ${JSON.stringify(origin)} is not an origin such as https://app.example.com (scheme and host, no path) or *`);
      }
    }
    if (cors.maxAge !== undefined && !cors.maxAge.isUnresolved() && cors.maxAge.toSeconds() > 86_400) {
      problems.push(`cors.maxAge: must be at most 1 day, got ${cors.maxAge.toHumanString()}`);
    }
  }
  if (!NAMESPACE_PATTERN.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    problems.push(`metricsNamespace: must be 1 to 255 letters, digits or . _ - / # : and space, not starting with AWS/, got ${JSON.stringify(metricsNamespace)}`);
  }
  const sibling = Stack.of(scope).node.findAll().find(
    (construct) => construct !== scope && construct instanceof LlmGateway && construct.metricsNamespace === metricsNamespace,
  );
  if (sibling) {
    problems.push(`metricsNamespace: ${JSON.stringify(metricsNamespace)} is already used by ${sibling.node.path}; give each gateway in a stack its own`);
  }

  if (problems.length > 0) throw new LlmGatewayPropsError(problems);
}
