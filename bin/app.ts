#!/usr/bin/env node
// CDK app entry. Options: `-c config=./my.yaml` (default: the embedded demo config),
// `-c providerKeysSecretArn=arn:...` (default: a new, empty secret).
import { App } from 'aws-cdk-lib';
import { GatewayStack } from '../lib/gateway-stack.js';

const app = new App();
new GatewayStack(app, 'LlmGateway', {
  description: 'Serverless OpenAI-compatible LLM gateway (Lambda function URL, response streaming)',
});
