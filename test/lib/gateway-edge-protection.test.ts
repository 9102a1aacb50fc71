import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../functions/core/config/default-config.js';
import { LlmGatewayPropsError } from '../../lib/gateway-construct.js';
import { GatewayEdgeProtection, GatewayEdgeProtectionError } from '../../lib/gateway-edge-protection.js';
import { GatewayContextError } from '../../lib/stack-context.js';
import { logicalId, synthesizeDefaultStack, synthesizeStack } from './stack-test-helpers.js';

const US_EAST_1 = { env: { account: '123456789012', region: 'us-east-1' } };

/** A synthesis with edge protection on (context edgeProtection=true) in us-east-1. */
function withEdgeProtection(context: Record<string, unknown> = {}) {
  return synthesizeStack(US_EAST_1, { edgeProtection: 'true', ...context });
}

function webAclRules(template: Template): Array<Record<string, any>> {
  const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL'));
  return acl?.Properties.Rules as Array<Record<string, any>>;
}

describe('edge protection (CloudFront + WAF)', () => {
  it('adds no distribution, web ACL or origin secret when edgeProtection is off', () => {
    const { template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: Match.objectLike({ Variables: Match.objectLike({ ORIGIN_VERIFY_SECRET_ARN: Match.absent() }) }),
    });
  });

  it('outputs the function URL as GatewayUrl when edgeProtection is off', () => {
    const { stack, template } = synthesizeDefaultStack();

    template.hasOutput('GatewayUrl', { Value: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.functionUrl), 'FunctionUrl'] } });
  });

  it('puts a CloudFront distribution with a CLOUDFRONT-scope web ACL in front of the function URL when edgeProtection is true', () => {
    const { stack, template } = withEdgeProtection();

    const aclId = logicalId(stack, stack.gateway.edgeProtection!.webAcl);
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: { 'Fn::GetAtt': [aclId, 'Arn'] },
        Origins: [Match.objectLike({
          DomainName: Match.objectLike({ 'Fn::Select': [2, Match.anyValue()] }),
          CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only', OriginReadTimeout: 60 }),
        })],
      }),
    });
  });

  it('forwards every method and viewer header but Host, caches nothing and compresses nothing, so streams and both APIs pass', () => {
    const { template } = withEdgeProtection();

    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
          OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
          ViewerProtocolPolicy: 'https-only',
          Compress: false,
        }),
      }),
    });
  });

  it('sends the origin-verify header with a dynamic reference to a generated secret, never its value, when edgeProtection is true', () => {
    const { stack, template } = withEdgeProtection();

    const secretId = logicalId(stack, stack.gateway.edgeProtection!.originVerifySecret);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ ExcludePunctuation: true, PasswordLength: 64 }) });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [Match.objectLike({
          OriginCustomHeaders: [{
            HeaderName: 'x-gateway-origin-verify',
            HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] },
          }],
        })],
      }),
    });
  });

  it('gives the gateway function the origin secret ARN and read access to it, and nothing more, when edgeProtection is true', () => {
    const { stack, template } = withEdgeProtection();

    const secretId = logicalId(stack, stack.gateway.edgeProtection!.originVerifySecret);
    const functions = template.findResources('AWS::Lambda::Function');
    expect(functions[logicalId(stack, stack.gateway.function)]?.Properties.Environment.Variables.ORIGIN_VERIFY_SECRET_ARN).toEqual({ Ref: secretId });
    expect(functions[logicalId(stack, stack.gateway.adminFunction)]?.Properties.Environment.Variables.ORIGIN_VERIFY_SECRET_ARN).toBeUndefined();
    const outputs = JSON.stringify(template.findOutputs('*'));
    expect(outputs).not.toContain(secretId);
  });

  it('blocks an IP over 2,000 requests in 5 minutes with a 429 in the OpenAI error shape by default', () => {
    const { template } = withEdgeProtection();

    const [rateRule] = webAclRules(template);
    expect(rateRule).toMatchObject({
      Priority: 0,
      Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
      Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rate-limited' } } },
    });
    const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL'));
    expect(JSON.parse(acl?.Properties.CustomResponseBodies['rate-limited'].Content)).toMatchObject({ error: { type: 'rate_limit_error' } });
  });

  it('uses wafRateLimitPerIp as the per-IP limit when it is given', () => {
    const { template } = withEdgeProtection({ wafRateLimitPerIp: '500' });

    expect(webAclRules(template)[0]?.Statement.RateBasedStatement.Limit).toBe(500);
  });

  it('applies the common, known-bad-inputs and IP reputation rule groups with their body rules counted, not blocking', () => {
    const { template } = withEdgeProtection();

    const groups = Object.fromEntries(webAclRules(template).slice(1).map((rule) => [
      rule.Statement.ManagedRuleGroupStatement.Name,
      (rule.Statement.ManagedRuleGroupStatement.RuleActionOverrides ?? []).map((override: any) => [override.Name, Object.keys(override.ActionToUse)[0]]),
    ]));
    expect(Object.keys(groups)).toEqual(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList']);
    expect(groups.AWSManagedRulesCommonRuleSet).toEqual(expect.arrayContaining([['SizeRestrictions_BODY', 'Count'], ['CrossSiteScripting_BODY', 'Count']]));
    expect(groups.AWSManagedRulesKnownBadInputsRuleSet).toEqual(expect.arrayContaining([['Log4JRCE_BODY', 'Count']]));
  });

  it('outputs the CloudFront URL as GatewayUrl when edgeProtection is true', () => {
    const { stack, template } = withEdgeProtection();

    const distributionId = logicalId(stack, stack.gateway.edgeProtection!.distribution);
    template.hasOutput('GatewayUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] } });
  });

  it('uses edgeReadTimeoutSeconds as the origin read timeout when it is given', () => {
    const { template } = withEdgeProtection({ edgeReadTimeoutSeconds: '120' });

    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Origins: [Match.objectLike({ CustomOriginConfig: Match.objectLike({ OriginReadTimeout: 120 }) })] }),
    });
  });

  it('refuses to synthesize when the stack is in another region than us-east-1', () => {
    const synthesize = () => synthesizeStack({ env: { account: '123456789012', region: 'eu-west-1' } }, { edgeProtection: 'true' });

    expect(synthesize).toThrow(LlmGatewayPropsError);
    expect(synthesize).toThrow(/edgeProtection: WAF for CloudFront exists only in us-east-1; the stack is in eu-west-1/);
  });

  it('refuses to synthesize when the stack has no region', () => {
    const synthesize = () => synthesizeStack({}, { edgeProtection: 'true' });

    expect(synthesize).toThrow(/give the stack env\.region us-east-1/);
  });

  it('refuses to synthesize when the stream keep-alive interval is not shorter than the read timeout', () => {
    const configYaml = `${DEFAULT_CONFIG_YAML}  stream_keep_alive_seconds: 60\n`;

    const synthesize = () => synthesizeStack({ ...US_EAST_1, configYaml }, { edgeProtection: 'true' });

    expect(synthesize).toThrow(/stream_keep_alive_seconds \(60\) must be shorter than CloudFront's read timeout \(60 s\)/);
  });

  it('refuses WAF settings given without edgeProtection', () => {
    const synthesize = () => synthesizeStack(US_EAST_1, { wafRateLimitPerIp: '500' });

    expect(synthesize).toThrow(GatewayContextError);
  });

  it('lists a rate limit and a read timeout CloudFront and WAF do not accept when the construct is used directly', () => {
    const { stack } = synthesizeStack(US_EAST_1);
    let thrown: unknown;

    try {
      new GatewayEdgeProtection(stack, 'Edge', {
        functionUrl: stack.gateway.functionUrl,
        gatewayFunction: stack.gateway.function,
        rateLimitPerIp: 5,
        readTimeout: Duration.seconds(200),
      });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(GatewayEdgeProtectionError);
    expect((thrown as GatewayEdgeProtectionError).problems).toEqual([
      expect.stringMatching(/^edgeProtection\.rateLimitPerIp: must be a whole number of requests per 5 minutes from 10/),
      expect.stringMatching(/^edgeProtection\.readTimeout: must be whole seconds from 1 to 180/),
    ]);
  });
});
