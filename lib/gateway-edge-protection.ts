import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginRequestPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IFunction, IFunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from '../functions/gateway/origin-verification.js';

/** Requests one IP may make in 5 minutes before WAF answers 429 (about 6.7 a second, sustained). */
export const DEFAULT_WAF_RATE_LIMIT_PER_IP = 2000;
/** WAF's bounds for a rate-based rule's limit. */
export const WAF_RATE_LIMIT_MIN = 10;
export const WAF_RATE_LIMIT_MAX = 2_000_000_000;
/**
 * How long CloudFront waits for the first byte, and then between two bytes, from the function URL.
 * 60 s is what every account may set without a quota increase. Streams stay within it through the
 * gateway's SSE keep-alive comments (general_settings.stream_keep_alive_seconds, 15 s by default);
 * a non-streaming request whose upstream takes longer gets CloudFront's 504.
 */
export const DEFAULT_EDGE_READ_TIMEOUT = Duration.seconds(60);
/** CloudFront's largest origin response timeout (above 60 s needs a quota increase). */
export const EDGE_READ_TIMEOUT_MAX = Duration.seconds(180);
/** WAF (scope CLOUDFRONT) exists only in us-east-1. */
export const EDGE_PROTECTION_REGION = 'us-east-1';

/**
 * Managed rules that read the request body, set to count instead of block: the body of an LLM
 * request is user text (code, HTML, file paths, URLs, log excerpts) and usually larger than the
 * 8 KB SizeRestrictions_BODY allows, so these rules would refuse ordinary prompts.
 */
const BODY_RULES_COUNTED: Record<string, readonly string[]> = {
  AWSManagedRulesCommonRuleSet: [
    'SizeRestrictions_BODY',
    'CrossSiteScripting_BODY',
    'GenericLFI_BODY',
    'GenericRFI_BODY',
    'EC2MetaDataSSRF_BODY',
  ],
  AWSManagedRulesKnownBadInputsRuleSet: ['Log4JRCE_BODY', 'JavaDeserializationRCE_BODY'],
  AWSManagedRulesAmazonIpReputationList: [],
};

/** What WAF answers when the rate rule blocks: OpenAI's error shape, so SDKs back off as on any 429. */
const RATE_LIMITED_BODY = JSON.stringify({
  error: {
    message: 'Too many requests from this IP address; retry after a few minutes.',
    type: 'rate_limit_error',
    param: null,
    code: 'ip_rate_limited',
  },
});

export interface GatewayEdgeProtectionProps {
  /** The gateway's function URL, the distribution's only origin. */
  readonly functionUrl: IFunctionUrl;
  /** The gateway function: it gets ORIGIN_VERIFY_SECRET_ARN and may read that secret. */
  readonly gatewayFunction: IFunction & { addEnvironment(key: string, value: string): unknown };
  /** Requests per IP per 5 minutes. @default DEFAULT_WAF_RATE_LIMIT_PER_IP (2,000) */
  readonly rateLimitPerIp?: number;
  /** @default DEFAULT_EDGE_READ_TIMEOUT (60 seconds) */
  readonly readTimeout?: Duration;
}

/**
 * CloudFront with AWS WAF in front of the gateway's function URL: a rate-based rule per IP, then
 * the AWS managed IP reputation, common and known-bad-inputs rule groups (body rules counted).
 * Caching is off and every viewer header but Host goes to the origin, so streaming and both APIs
 * work unchanged.
 *
 * The function URL stays public (OAC would need clients to sign payloads), so CloudFront adds a
 * header whose value is a generated Secrets Manager secret, resolved by CloudFormation with a
 * dynamic reference (never in the template or an output), and the gateway refuses every request
 * without it (functions/gateway/origin-verification.ts). The value is visible to whoever may read
 * the distribution's config; it is not rotated (a new value needs a stack update and new containers).
 *
 * WAF for CloudFront exists only in us-east-1, so the stack must be deployed there (checked at synth).
 */
export class GatewayEdgeProtection extends Construct {
  public readonly distribution: Distribution;
  public readonly webAcl: CfnWebACL;
  /** The value CloudFront sends in `x-gateway-origin-verify`. */
  public readonly originVerifySecret: Secret;
  /** The gateway's base URL through CloudFront, `https://<id>.cloudfront.net/`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: GatewayEdgeProtectionProps) {
    super(scope, id);
    const problems = edgeProtectionProblems(Stack.of(this).region, props);
    if (problems.length > 0) throw new GatewayEdgeProtectionError(problems);

    this.originVerifySecret = new Secret(this, 'OriginVerifySecret', {
      description: 'LLM gateway: the value CloudFront sends in x-gateway-origin-verify; the gateway refuses requests without it',
      // Letters and digits only: the value travels as an HTTP header.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    this.originVerifySecret.grantRead(props.gatewayFunction);
    props.gatewayFunction.addEnvironment('ORIGIN_VERIFY_SECRET_ARN', this.originVerifySecret.secretArn);

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${Stack.of(this).stackName}-gateway-waf`),
      customResponseBodies: { 'rate-limited': { contentType: 'APPLICATION_JSON', content: RATE_LIMITED_BODY } },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit: props.rateLimitPerIp ?? DEFAULT_WAF_RATE_LIMIT_PER_IP,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rate-limited' } } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        ...Object.entries(BODY_RULES_COUNTED).map(([name, counted], index) => ({
          name,
          priority: index + 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name,
              ...(counted.length === 0 ? {} : { ruleActionOverrides: counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }),
            },
          },
          visibilityConfig: visibility(name),
        })),
      ],
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'LLM gateway: AWS WAF in front of the function URL',
      defaultBehavior: {
        origin: new FunctionUrlOrigin(props.functionUrl, {
          readTimeout: props.readTimeout ?? DEFAULT_EDGE_READ_TIMEOUT,
          customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originVerifySecret.secretValue.unsafeUnwrap() },
        }),
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // A redirect would turn a POST into a GET: plain HTTP is refused instead.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        // Event streams go out as the gateway writes them.
        compress: false,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      webAclId: this.webAcl.attrArn,
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;

    acknowledgeEdgeFindings(this);
  }
}

/** The edge-protection settings that are wrong, each with its prop name. */
export function edgeProtectionProblems(region: string, props: Pick<GatewayEdgeProtectionProps, 'rateLimitPerIp' | 'readTimeout'>): string[] {
  const problems: string[] = [];
  if (Token.isUnresolved(region)) {
    problems.push(
      `edgeProtection: WAF for CloudFront exists only in ${EDGE_PROTECTION_REGION}; give the stack env.region ${EDGE_PROTECTION_REGION} ` +
        `(with bin/app.ts: deploy with AWS_REGION=${EDGE_PROTECTION_REGION})`,
    );
  } else if (region !== EDGE_PROTECTION_REGION) {
    problems.push(`edgeProtection: WAF for CloudFront exists only in ${EDGE_PROTECTION_REGION}; the stack is in ${region}`);
  }
  const { rateLimitPerIp, readTimeout } = props;
  if (rateLimitPerIp !== undefined && !Token.isUnresolved(rateLimitPerIp)
    && (!Number.isInteger(rateLimitPerIp) || rateLimitPerIp < WAF_RATE_LIMIT_MIN || rateLimitPerIp > WAF_RATE_LIMIT_MAX)) {
    problems.push(`edgeProtection.rateLimitPerIp: must be a whole number of requests per 5 minutes from ${WAF_RATE_LIMIT_MIN} to ${WAF_RATE_LIMIT_MAX}, got ${rateLimitPerIp}`);
  }
  if (readTimeout !== undefined && !readTimeout.isUnresolved()
    && (readTimeout.toMilliseconds() < 1000 || readTimeout.toMilliseconds() > EDGE_READ_TIMEOUT_MAX.toMilliseconds()
      || !Number.isInteger(readTimeout.toMilliseconds() / 1000))) {
    problems.push(`edgeProtection.readTimeout: must be whole seconds from 1 to ${EDGE_READ_TIMEOUT_MAX.toSeconds()}, got ${readTimeout.toHumanString()}`);
  }
  return problems;
}

/** Edge protection cannot be built as asked; the message lists each problem. */
export class GatewayEdgeProtectionError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid edge protection (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'GatewayEdgeProtectionError';
    this.problems = problems;
  }
}

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/** The AwsSolutions findings this design causes, each with its reason (see gateway-acknowledgements.ts). */
function acknowledgeEdgeFindings(edge: GatewayEdgeProtection): void {
  Validations.of(edge.originVerifySecret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'CloudFront sends this value as an origin header set by CloudFormation at deploy time; a rotation would leave the ' +
      'distribution sending the old value until the next stack update, refusing every request meanwhile.',
  });
  const distributionFindings: Array<[string, string]> = [
    ['AwsSolutions-CFR1', 'An API for programmatic clients anywhere: no country is refused; WAF rate-limits and filters instead.'],
    [
      'AwsSolutions-CFR3',
      'Each request is already logged once by the gateway (request.completed, bounded path, no secrets) and sampled by WAF; ' +
        'CloudFront access logs would add an S3 bucket and a second copy of every request.',
    ],
    [
      'AwsSolutions-CFR4',
      'The distribution uses its cloudfront.net domain and certificate, whose viewer TLS policy CloudFront sets; a custom ' +
        'domain with its own certificate and TLSv1.2_2021 can be put in front by the operator.',
    ],
  ];
  for (const [id, reason] of distributionFindings) Validations.of(edge.distribution).acknowledge({ id, reason });
}
