import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { STAGES, type LlmGatewayProps, type Stage } from './gateway-construct.js';

/**
 * The CDK context keys the stack reads (`-c key=value` on the command line, or `context` in
 * cdk.json). Every one is optional.
 */
export const CONTEXT_KEYS = {
  /** Path of the gateway config YAML (relative to the working directory). Default: the embedded demo config. */
  config: 'config',
  /** `dev` or `prod` (default): what happens to tables and logs when the stack is deleted; also the default stack name. */
  stage: 'stage',
  /** The stack's name. Default: `LlmGateway` for prod, `LlmGateway-dev` for dev. Read by bin/app.ts. */
  stackName: 'stackName',
  /** Gateway function memory in MB (128–10240). Default 1024. */
  memoryMb: 'memoryMb',
  /** Gateway function timeout in seconds (1–900), the longest a request or stream may last. Default 900. */
  timeoutSeconds: 'timeoutSeconds',
  /**
   * Concurrent executions reserved for (and capping) the gateway function, or `none`. Default 400, with 5 for the
   * admin function and 10 for the aggregator; `none` reserves nothing for any of them (accounts with a small quota).
   */
  reservedConcurrency: 'reservedConcurrency',
  /** `true`: CloudFront and AWS WAF in front of the gateway URL (the stack must be in us-east-1). Default false. */
  edgeProtection: 'edgeProtection',
  /** With edgeProtection: requests one IP may make per 5 minutes before WAF answers 429 (10–2,000,000,000). Default 2000. */
  wafRateLimitPerIp: 'wafRateLimitPerIp',
  /** With edgeProtection: CloudFront's origin read timeout in seconds (1–180; above 60 needs a quota increase). Default 60. */
  edgeReadTimeoutSeconds: 'edgeReadTimeoutSeconds',
  /** Comma-separated origins allowed to call the gateway URL from a browser (CORS). Default: no CORS. */
  corsOrigins: 'corsOrigins',
  /** Days to keep each function's logs (a CloudWatch Logs retention value). Default 30. */
  logRetentionDays: 'logRetentionDays',
  /** Address subscribed (after it confirms) to a new SNS topic that every alarm notifies. Default: no topic. */
  alarmEmail: 'alarmEmail',
  /** Complete ARN of an existing provider-keys secret. Default: a new, empty secret. */
  providerKeysSecretArn: 'providerKeysSecretArn',
} as const;

/** What the context says, as typed values; absent keys stay absent. */
export interface GatewayContext {
  readonly configPath?: string;
  readonly stage?: Stage;
  readonly stackName?: string;
  readonly gateway: Omit<LlmGatewayProps, 'configYaml' | 'providerKeysSecretArn' | 'alarmTopic'>;
  readonly alarmEmail?: string;
  readonly providerKeysSecretArn?: string;
}

/** One or more context values are wrong; the message lists each with its key. */
export class GatewayContextError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid CDK context (-c key=value) (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'GatewayContextError';
    this.problems = problems;
  }
}

const RETENTION_DAYS = Object.values(RetentionDays).filter((value): value is number => typeof value === 'number' && value !== RetentionDays.INFINITE);
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads and checks every context key at once; throws GatewayContextError listing all problems. */
export function readGatewayContext(scope: Construct): GatewayContext {
  const problems: string[] = [];
  const read = (key: string): unknown => {
    const value: unknown = scope.node.tryGetContext(key);
    return value === '' ? undefined : value;
  };
  const text = (key: string): string | undefined => {
    const value = read(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.trim();
    problems.push(`${key}: must be text, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const wholeNumber = (key: string, min: number, max: number, unit: string): number | undefined => {
    const value = read(key);
    if (value === undefined) return undefined;
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(number) || number < min || number > max) {
      problems.push(`${key}: must be a whole number of ${unit} from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return number;
  };

  const stageText = text(CONTEXT_KEYS.stage);
  let stage: Stage | undefined;
  if (stageText !== undefined) {
    if ((STAGES as readonly string[]).includes(stageText)) stage = stageText as Stage;
    else problems.push(`${CONTEXT_KEYS.stage}: must be one of ${STAGES.join(', ')}, got ${JSON.stringify(stageText)}`);
  }

  const memoryMb = wholeNumber(CONTEXT_KEYS.memoryMb, 128, 10_240, 'MB');
  const timeoutSeconds = wholeNumber(CONTEXT_KEYS.timeoutSeconds, 1, 900, 'seconds');
  const reservedValue = read(CONTEXT_KEYS.reservedConcurrency);
  const reservedConcurrency: number | 'none' | undefined = typeof reservedValue === 'string' && reservedValue.trim() === 'none'
    ? 'none'
    : wholeNumber(CONTEXT_KEYS.reservedConcurrency, 1, 100_000, 'executions');

  const edgeProtectionValue = read(CONTEXT_KEYS.edgeProtection);
  let edgeProtection: boolean | undefined;
  if (edgeProtectionValue === true || edgeProtectionValue === 'true') edgeProtection = true;
  else if (edgeProtectionValue === false || edgeProtectionValue === 'false') edgeProtection = false;
  else if (edgeProtectionValue !== undefined) {
    problems.push(`${CONTEXT_KEYS.edgeProtection}: must be true or false, got ${JSON.stringify(edgeProtectionValue)}`);
  }
  const wafRateLimitPerIp = wholeNumber(CONTEXT_KEYS.wafRateLimitPerIp, 10, 2_000_000_000, 'requests per 5 minutes');
  const edgeReadTimeoutSeconds = wholeNumber(CONTEXT_KEYS.edgeReadTimeoutSeconds, 1, 180, 'seconds');
  if ((wafRateLimitPerIp !== undefined || edgeReadTimeoutSeconds !== undefined) && edgeProtection !== true) {
    problems.push(`${CONTEXT_KEYS.wafRateLimitPerIp} and ${CONTEXT_KEYS.edgeReadTimeoutSeconds} apply only with ${CONTEXT_KEYS.edgeProtection}=true`);
  }

  const logRetentionValue = wholeNumber(CONTEXT_KEYS.logRetentionDays, 1, 3653, 'days');
  let logRetention: RetentionDays | undefined;
  if (logRetentionValue !== undefined) {
    if (RETENTION_DAYS.includes(logRetentionValue)) logRetention = logRetentionValue as RetentionDays;
    else problems.push(`${CONTEXT_KEYS.logRetentionDays}: CloudWatch Logs keeps logs for one of ${RETENTION_DAYS.join(', ')} days, got ${logRetentionValue}`);
  }

  const corsValue = read(CONTEXT_KEYS.corsOrigins);
  let corsOrigins: string[] | undefined;
  if (typeof corsValue === 'string') {
    corsOrigins = corsValue.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  } else if (Array.isArray(corsValue) && corsValue.every((origin) => typeof origin === 'string')) {
    corsOrigins = corsValue.map((origin: string) => origin.trim());
  } else if (corsValue !== undefined) {
    problems.push(`${CONTEXT_KEYS.corsOrigins}: must be comma-separated origins (or a list in cdk.json), got ${JSON.stringify(corsValue)}`);
  }

  const alarmEmail = text(CONTEXT_KEYS.alarmEmail);
  if (alarmEmail !== undefined && !EMAIL_PATTERN.test(alarmEmail)) {
    problems.push(`${CONTEXT_KEYS.alarmEmail}: must be an email address, got ${JSON.stringify(alarmEmail)}`);
  }

  const stackName = text(CONTEXT_KEYS.stackName);
  const configPath = text(CONTEXT_KEYS.config);
  const providerKeysSecretArn = text(CONTEXT_KEYS.providerKeysSecretArn);

  if (problems.length > 0) throw new GatewayContextError(problems);
  return {
    ...(configPath === undefined ? {} : { configPath }),
    ...(stage === undefined ? {} : { stage }),
    ...(stackName === undefined ? {} : { stackName }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(providerKeysSecretArn === undefined ? {} : { providerKeysSecretArn }),
    gateway: {
      ...(stage === undefined ? {} : { stage }),
      ...(memoryMb === undefined ? {} : { memorySize: memoryMb }),
      ...(timeoutSeconds === undefined ? {} : { timeout: Duration.seconds(timeoutSeconds) }),
      ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
      ...(corsOrigins === undefined ? {} : { cors: { allowedOrigins: corsOrigins } }),
      ...(logRetention === undefined ? {} : { logRetention }),
      ...(edgeProtection === undefined
        ? {}
        : {
            edgeProtection: edgeProtection && {
              ...(wafRateLimitPerIp === undefined ? {} : { rateLimitPerIp: wafRateLimitPerIp }),
              ...(edgeReadTimeoutSeconds === undefined ? {} : { readTimeout: Duration.seconds(edgeReadTimeoutSeconds) }),
            },
          }),
    },
  };
}

/** The stack name bin/app.ts uses: context `stackName`, else per stage. */
export function defaultStackName(stage: Stage | undefined): string {
  return stage === 'dev' ? 'LlmGateway-dev' : 'LlmGateway';
}
