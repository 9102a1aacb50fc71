import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../functions/core/config/default-config.js';
import { USAGE_METRICS } from '../../functions/platform/emf-usage-metrics.js';
import { LlmGateway } from '../../lib/index.js';
import { emptyStack, logicalId, synthesizeDefaultStack, synthesizeStack } from './stack-test-helpers.js';

type Properties = Record<string, unknown>;

/** An alarm's properties in the default synthesis, found by its name in GatewayMonitoring. */
function alarmProperties(name: string): Properties {
  const { stack, template } = synthesizeDefaultStack();
  const alarm = stack.gateway.alarms[name];
  if (!alarm) throw new Error(`no alarm ${name}`);
  return template.findResources('AWS::CloudWatch::Alarm')[logicalId(stack, alarm)]?.Properties as Properties;
}

describe('GatewayMonitoring alarms', () => {
  it('creates the eight alarms', () => {
    const { stack, template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    expect(Object.keys(stack.gateway.alarms).sort()).toEqual([
      'AggregatorErrors',
      'CounterStoreRejected',
      'CounterStoreUnavailable',
      'Gateway5xxRate',
      'GatewayThrottles',
      'UsageDeadLetterQueueNotEmpty',
      'UsageQueueBacklog',
      'UsageRecordsUnsaved',
    ]);
  });

  it('alarms on more than 5% of function-URL requests answering 5xx, counted only from 20 requests a period', () => {
    const { stack } = synthesizeDefaultStack();

    const properties = alarmProperties('Gateway5xxRate');
    const functionRef = { Ref: logicalId(stack, stack.gateway.function) };
    expect(properties).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    expect(properties['Metrics']).toEqual(expect.arrayContaining([
      expect.objectContaining({ Expression: 'IF(FILL(requests, 0) >= 20, 100 * FILL(errors, 0) / requests, 0)' }),
      expect.objectContaining({
        Id: 'requests',
        MetricStat: expect.objectContaining({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'UrlRequestCount', Dimensions: [{ Name: 'FunctionName', Value: functionRef }] } }),
      }),
      expect.objectContaining({
        Id: 'errors',
        MetricStat: expect.objectContaining({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Url5xxCount', Dimensions: [{ Name: 'FunctionName', Value: functionRef }] } }),
      }),
    ]));
  });

  it('alarms on any throttle of the gateway function', () => {
    const { stack } = synthesizeDefaultStack();

    expect(alarmProperties('GatewayThrottles')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, stack.gateway.function) } }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  });

  it('alarms as soon as one message is visible in the usage dead-letter queue', () => {
    const { stack } = synthesizeDefaultStack();

    expect(alarmProperties('UsageDeadLetterQueueNotEmpty')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.usageDeadLetterQueue), 'QueueName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('alarms on aggregator errors in 2 of 3 periods', () => {
    const { stack } = synthesizeDefaultStack();

    expect(alarmProperties('AggregatorErrors')).toMatchObject({
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, stack.gateway.aggregatorFunction) } }],
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
  });

  it('alarms when the oldest usage record has waited 15 minutes', () => {
    const { stack } = synthesizeDefaultStack();

    expect(alarmProperties('UsageQueueBacklog')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, stack.gateway.usageQueue), 'QueueName'] } }],
      Threshold: 900,
    });
  });

  it.each([
    { alarm: 'CounterStoreUnavailable', event: 'admission.store_unavailable' },
    { alarm: 'CounterStoreRejected', event: 'admission.store_rejected' },
    { alarm: 'UsageRecordsUnsaved', event: 'usage.record_unsaved' },
  ])('alarms on one $event log line, counted by a metric filter on the gateway log group', ({ alarm, event }) => {
    const { stack, template } = synthesizeDefaultStack();

    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(stack, stack.gateway.logGroup) },
      FilterPattern: `{ $.event = "${event}" }`,
      MetricTransformations: [{ MetricNamespace: 'LlmGateway/TestGateway', MetricName: alarm, MetricValue: '1' }],
    });
    expect(alarmProperties(alarm)).toMatchObject({
      Namespace: 'LlmGateway/TestGateway',
      MetricName: alarm,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('counts settlement failures and unhandled errors from the log too', () => {
    const { template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::Logs::MetricFilter', 5);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.event = "settlement.failed" }' });
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.event = "gateway_unhandled_error" }' });
  });

  it('treats missing data as not breaching for every alarm', () => {
    const { template } = synthesizeDefaultStack();

    template.allResourcesProperties('AWS::CloudWatch::Alarm', { TreatMissingData: 'notBreaching' });
  });

  it('sends no notification when no topic is given', () => {
    const { template } = synthesizeDefaultStack();

    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent(), OKActions: Match.absent() });
  });

  it('notifies the alarm topic of every alarm and of its return to OK when one is given', () => {
    const stack = emptyStack();
    const topic = new Topic(stack, 'Pager');
    new LlmGateway(stack, 'Gateway', { configYaml: DEFAULT_CONFIG_YAML, alarmTopic: topic });

    const topicRef = { Ref: logicalId(stack, topic) };
    Template.fromStack(stack).allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicRef], OKActions: [topicRef] });
  });
});

describe('GatewayMonitoring metrics namespace', () => {
  it('passes the namespace to the gateway function as METRICS_NAMESPACE', () => {
    const { stack, template } = synthesizeDefaultStack();

    const gateway = template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.gateway.function)];
    expect(gateway?.Properties.Environment.Variables.METRICS_NAMESPACE).toBe('LlmGateway/TestGateway');
  });

  it('uses the namespace it is given', () => {
    const { stack } = synthesizeStack({ gateway: { metricsNamespace: 'Platform/LlmGateway' } });

    expect(stack.gateway.metricsNamespace).toBe('Platform/LlmGateway');
  });

  it('refuses a namespace in AWS/', () => {
    const construct = () => synthesizeStack({ gateway: { metricsNamespace: 'AWS/Lambda' } });

    expect(construct).toThrow(/metricsNamespace: must be .* not starting with AWS\//);
  });
});

describe('GatewayMonitoring dashboard', () => {
  it('creates one dashboard and outputs its URL', () => {
    const { template } = synthesizeDefaultStack();

    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasOutput('DashboardUrl', {});
  });

  it('graphs requests, errors, latency, time to first token, tokens, cost by model, queues, aggregator, concurrency and alarms', () => {
    const { template } = synthesizeDefaultStack();

    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody);
    for (const title of [
      'Requests', 'Errors', '5xx rate (%)', 'Latency (ms)', 'Time to first token, streams (ms)', 'Tokens', 'Cost by model (USD)',
      'Requests by model', 'Cost by tenant (USD)', 'Usage queues', 'Aggregator', 'Gateway concurrency and throttles', 'Counted log events', 'Alarms',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
    for (const metric of [USAGE_METRICS.requests, USAGE_METRICS.latency, USAGE_METRICS.timeToFirstToken, USAGE_METRICS.promptTokens, 'ConcurrentExecutions', 'Throttles']) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('p99');
    expect(body).toContain('MetricName=\\\\\\"CostUsd\\\\\\"');
  });

  it('creates no dashboard when dashboard is false', () => {
    const { stack, template } = synthesizeStack({ gateway: { dashboard: false } });

    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(stack.gateway.dashboard).toBeUndefined();
  });
});
