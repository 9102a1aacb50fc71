import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { GatewayStack, type GatewayStackProps } from '../../lib/gateway-stack.js';

/** `aws:cdk:bundling-stacks: []` skips esbuild: these tests look at the template, not at the bundle. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export function synthesizeStack(
  props: GatewayStackProps = {},
  context: Record<string, unknown> = {},
): { app: App; stack: GatewayStack; template: Template } {
  const app = new App({ context: { ...NO_BUNDLING, ...context } });
  const stack = new GatewayStack(app, 'TestGateway', props);
  return { app, stack, template: Template.fromStack(stack) };
}

/** A plain stack to embed constructs in, bundling skipped. */
export function emptyStack(id = 'EmbeddingStack'): Stack {
  return new Stack(new App({ context: NO_BUNDLING }), id);
}

/** The template's logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return stack.getLogicalId(element);
}

/** A bit of config YAML naming one on-demand Bedrock model and one cross-region inference profile. */
export const BEDROCK_CONFIG = [
  'model_list:',
  '  - model_name: claude',
  '    litellm_params:',
  '      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0',
  '      aws_region_name: eu-west-1',
  '  - model_name: nova',
  '    litellm_params:',
  '      model: bedrock/us.amazon.nova-pro-v1:0',
  '      aws_region_name: us-east-1',
  '',
].join('\n');

/** A config the validator refuses: a misspelt provider. */
export const UNKNOWN_PROVIDER_CONFIG = [
  'model_list:',
  '  - model_name: claude',
  '    litellm_params:',
  '      model: antropic/claude',
  '',
].join('\n');

/** An existing provider-keys secret to import. */
export const IMPORTED_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gateway-keys-AbCdEf';

/** Writes config YAML to a fresh temporary directory; returns the file's path. */
export function writeTemporaryConfig(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gateway-config-')), 'gateway.yaml');
  writeFileSync(path, text);
  return path;
}

let defaultSynthesis: ReturnType<typeof synthesizeStack> | undefined;

/** One synthesis with no props and no context, shared by the tests that only read it (do not add to its stack). */
export function synthesizeDefaultStack(): ReturnType<typeof synthesizeStack> {
  defaultSynthesis ??= synthesizeStack();
  return defaultSynthesis;
}
