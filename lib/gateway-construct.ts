import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, SecretValue, Token } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, FunctionUrlAuthType, InvokeMode, Runtime, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { validateConfigText } from '../functions/core/config/validate-config.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Lambda's own limits, checked at synth time rather than at deploy time. */
const MEMORY_MIN_MB = 128;
const MEMORY_MAX_MB = 10_240;
const TIMEOUT_MAX = Duration.minutes(15);

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
 * The gateway as one Lambda function behind a streaming function URL. The URL has
 * no IAM auth: the gateway authenticates callers with its master and virtual keys.
 * The function may write its own log group and read the provider-keys secret, nothing more.
 */
export class LlmGateway extends Construct {
  public readonly function: NodejsFunction;
  public readonly functionUrl: FunctionUrl;
  public readonly providerKeysSecret: ISecret;
  public readonly logGroup: LogGroup;

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

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: logs are written to this log group only.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(projectRoot, 'functions/gateway/handler.ts'),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? TIMEOUT_MAX,
      role,
      logGroup: this.logGroup,
      environment: {
        PROVIDER_KEYS_SECRET_ARN: this.providerKeysSecret.secretArn,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // ESM bundles have no `require`; esbuild's shim for bundled CommonJS needs one.
        banner: "import { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);",
        define: { __GATEWAY_CONFIG_YAML__: JSON.stringify(props.configYaml) },
      },
    });

    this.logGroup.grantWrite(role);
    this.providerKeysSecret.grantRead(this.function);

    this.functionUrl = this.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });
  }
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
