#!/usr/bin/env node
// CDK app entry: `npx cdk deploy -c config=./gateway.yaml -c stage=prod`. Context keys (all optional;
// `-c key=value`, or "context" in cdk.json), checked together before anything is built:
//   config=./gateway.yaml          gateway config (default: the embedded demo config); validated like local start-up
//   stage=dev|prod                 prod (default): tables retained + deletion protection, logs retained;
//                                  dev: tables and log groups deleted with the stack
//   stackName=Name                 default LlmGateway (prod) / LlmGateway-dev (dev)
//   memoryMb=1024                  gateway memory, 128–10240 MB
//   timeoutSeconds=900             longest request or stream, 1–900 s
//   reservedConcurrency=400        concurrency reserved for (and capping) the gateway (default 400; admin 5 and
//                                  aggregator 10 too); `none` reserves nothing (accounts with a small quota)
//   edgeProtection=true            CloudFront + AWS WAF in front of the gateway URL; the stack must then be in
//                                  us-east-1 (AWS_REGION=us-east-1), and GatewayUrl is the CloudFront URL
//   wafRateLimitPerIp=2000         with edgeProtection: requests per IP per 5 minutes before WAF answers 429
//   edgeReadTimeoutSeconds=60      with edgeProtection: CloudFront's origin read timeout (above 60 needs a quota increase)
//   corsOrigins=https://a.example,https://b.example   browser origins allowed (default: no CORS)
//   logRetentionDays=30            days of logs per function (a CloudWatch Logs retention value)
//   alarmEmail=ops@example.com     an SNS topic for every alarm, with this address subscribed
//   providerKeysSecretArn=arn:...  an existing provider-keys secret (default: a new, empty one)
// The AwsSolutions (cdk-nag) checks run at every synth: an unacknowledged finding fails it.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../functions/core/config/parse-config.js';
import { LlmGatewayPropsError } from '../lib/gateway-construct.js';
import { GatewayEdgeProtectionError } from '../lib/gateway-edge-protection.js';
import { ConfigFileError, GatewayStack } from '../lib/gateway-stack.js';
import { GatewayContextError, defaultStackName, readGatewayContext } from '../lib/stack-context.js';

const app = new App();
try {
  const context = readGatewayContext(app);
  new GatewayStack(app, context.stackName ?? defaultStackName(context.stage), {
    description: 'Serverless OpenAI-compatible LLM gateway (Lambda function URL, response streaming)',
    // WAF for CloudFront must be created in us-east-1, which the construct checks against the stack's
    // region; other stacks stay environment-agnostic, as before.
    ...(context.gateway.edgeProtection ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } } : {}),
  });
} catch (error) {
  // A wrong config or option: say what is wrong, as `npm start` does, without a stack trace.
  if (error instanceof ConfigError) {
    process.stderr.write(`${String(app.node.tryGetContext('config') || 'embedded config')}: ${error.message}\n`);
    process.exit(1);
  }
  if (
    error instanceof GatewayContextError || error instanceof LlmGatewayPropsError
    || error instanceof GatewayEdgeProtectionError || error instanceof ConfigFileError
  ) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
