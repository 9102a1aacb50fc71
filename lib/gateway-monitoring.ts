import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { USAGE_DIMENSIONS, USAGE_METRICS } from '../functions/platform/emf-usage-metrics.js';

/** Every alarm and graph looks at 5-minute periods. */
const MONITORING_PERIOD = Duration.minutes(5);
/** The statistics every alarm and graph uses, over MONITORING_PERIOD. */
const SUM = { statistic: 'Sum', period: MONITORING_PERIOD } as const;
const MAXIMUM = { statistic: 'Maximum', period: MONITORING_PERIOD } as const;
/** The 5xx-rate alarm: per cent of function-URL requests, judged only from this many requests per period up. */
const GATEWAY_5XX_RATE_THRESHOLD_PERCENT = 5;
const GATEWAY_5XX_RATE_MIN_REQUESTS = 20;
/** The usage-queue backlog alarm: the oldest record has waited this long for the aggregator. */
const USAGE_QUEUE_MAX_AGE = Duration.minutes(15);

/**
 * Log lines (functions/platform/json-logger.ts: `{"level","event",...}`) counted into metrics by
 * metric filters on the gateway's log group, by the metric name they get.
 */
export const GATEWAY_LOG_EVENT_METRICS = {
  /** The counters table was unavailable (throttled, unreachable, 5xx): requests get 503 (fail closed) or go unlimited (fail open). */
  CounterStoreUnavailable: 'admission.store_unavailable',
  /** The counters table refused an admission write (missing table, access denied, validation): virtual-key requests get 500. */
  CounterStoreRejected: 'admission.store_rejected',
  /** A usage record reached neither SQS nor the usage table; only the log holds it (npm run usage:replay). */
  UsageRecordsUnsaved: 'usage.record_unsaved',
  /** A request's spend could not be settled in the counters table (its reservation expires later). */
  SettlementFailures: 'settlement.failed',
  /** The handler caught an error the core did not render: a bug, answered 500. */
  UnhandledErrors: 'gateway_unhandled_error',
} as const;

export interface GatewayMonitoringProps {
  /** Namespace of the gateway's EMF metrics and of the log metric filters' metrics. */
  readonly namespace: string;
  readonly gatewayFunction: IFunction;
  readonly gatewayLogGroup: ILogGroup;
  readonly aggregatorFunction: IFunction;
  readonly usageQueue: IQueue;
  readonly usageDeadLetterQueue: IQueue;
  /** Each alarm notifies it when it goes into ALARM and back to OK. @default no notification */
  readonly alarmTopic?: ITopic;
  /** @default true */
  readonly dashboard?: boolean;
}

/**
 * Alarms and a dashboard for one gateway deployment:
 * - alarms (in ALARM, then OK, to `alarmTopic` if given): gateway 5xx rate, gateway throttles,
 *   usage dead-letter queue not empty, aggregator errors, usage queue backlog, counter store
 *   unavailable, counter store rejected, usage records unsaved;
 * - a dashboard: requests, errors, 5xx rate, latency and time to first token (p50, p99),
 *   tokens, cost and requests by model, cost by tenant, usage queues, aggregator, concurrency
 *   and throttles, the counted log events, and the alarms' state.
 */
export class GatewayMonitoring extends Construct {
  /** By construct id: Gateway5xxRate, GatewayThrottles, UsageDeadLetterQueueNotEmpty, AggregatorErrors, UsageQueueBacklog, CounterStoreUnavailable, CounterStoreRejected, UsageRecordsUnsaved. */
  public readonly alarms: Record<string, Alarm>;
  public readonly dashboard?: Dashboard;
  /** The metrics counted from the gateway's log lines, by the names in GATEWAY_LOG_EVENT_METRICS. */
  public readonly logEventMetrics: Record<keyof typeof GATEWAY_LOG_EVENT_METRICS, Metric>;

  constructor(scope: Construct, id: string, props: GatewayMonitoringProps) {
    super(scope, id);
    const { namespace, gatewayFunction, aggregatorFunction, usageQueue, usageDeadLetterQueue } = props;

    const logEventMetrics = {} as Record<keyof typeof GATEWAY_LOG_EVENT_METRICS, Metric>;
    for (const [metricName, event] of Object.entries(GATEWAY_LOG_EVENT_METRICS) as Array<[keyof typeof GATEWAY_LOG_EVENT_METRICS, string]>) {
      const filter = new MetricFilter(this, `${metricName}Filter`, {
        logGroup: props.gatewayLogGroup,
        filterPattern: FilterPattern.stringValue('$.event', '=', event),
        metricNamespace: namespace,
        metricName,
        metricValue: '1',
      });
      logEventMetrics[metricName] = filter.metric(SUM);
    }
    this.logEventMetrics = logEventMetrics;

    const urlRequests = gatewayFunction.metric('UrlRequestCount', SUM);
    const url5xx = gatewayFunction.metric('Url5xxCount', SUM);
    const fiveHundredRate = new MathExpression({
      expression: `IF(FILL(requests, 0) >= ${GATEWAY_5XX_RATE_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: { requests: urlRequests, errors: url5xx },
      label: '5xx responses (% of requests)',
      period: MONITORING_PERIOD,
    });
    const throttles = gatewayFunction.metricThrottles(SUM);
    const deadLetters = usageDeadLetterQueue.metricApproximateNumberOfMessagesVisible(MAXIMUM);
    const aggregatorErrors = aggregatorFunction.metricErrors(SUM);
    const oldestUsageRecord = usageQueue.metricApproximateAgeOfOldestMessage(MAXIMUM);

    const alarm = (
      alarmId: string,
      metric: IMetric,
      description: string,
      options: { threshold: number; comparison?: ComparisonOperator; evaluationPeriods?: number; datapointsToAlarm?: number },
    ): Alarm => {
      const created = new Alarm(this, alarmId, {
        metric,
        alarmDescription: description,
        threshold: options.threshold,
        comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.datapointsToAlarm ?? 1,
        // Every metric here is sparse (no data = nothing happened).
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (props.alarmTopic) {
        created.addAlarmAction(new SnsAction(props.alarmTopic));
        created.addOkAction(new SnsAction(props.alarmTopic));
      }
      return created;
    };

    this.alarms = {
      Gateway5xxRate: alarm(
        'Gateway5xxRate',
        fiveHundredRate,
        `More than ${GATEWAY_5XX_RATE_THRESHOLD_PERCENT}% of gateway requests answered 5xx in 2 of 3 five-minute periods (periods with at least ` +
          `${GATEWAY_5XX_RATE_MIN_REQUESTS} requests). Upstream 502/504 count too: check request.completed lines by status and provider.`,
        { threshold: GATEWAY_5XX_RATE_THRESHOLD_PERCENT, comparison: ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 2 },
      ),
      GatewayThrottles: alarm(
        'GatewayThrottles',
        throttles,
        'Lambda throttled gateway requests (clients got 429 from the function URL): concurrency (account quota or reserved concurrency) is exhausted.',
        { threshold: 1 },
      ),
      UsageDeadLetterQueueNotEmpty: alarm(
        'UsageDeadLetterQueueNotEmpty',
        deadLetters,
        'Usage records failed 5 deliveries to the aggregator and wait in the dead-letter queue: inspect them, fix the cause, then redrive them to the usage queue.',
        { threshold: 0, comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
      ),
      AggregatorErrors: alarm(
        'AggregatorErrors',
        aggregatorErrors,
        'The usage aggregator failed whole invocations in 2 of 3 five-minute periods (its batches are redelivered): see its log group.',
        { threshold: 1, evaluationPeriods: 3, datapointsToAlarm: 2 },
      ),
      UsageQueueBacklog: alarm(
        'UsageQueueBacklog',
        oldestUsageRecord,
        `A usage record has waited ${USAGE_QUEUE_MAX_AGE.toMinutes()} minutes or more for the aggregator: usage and cost reports are behind.`,
        { threshold: USAGE_QUEUE_MAX_AGE.toSeconds() },
      ),
      CounterStoreUnavailable: alarm(
        'CounterStoreUnavailable',
        logEventMetrics.CounterStoreUnavailable,
        'Admission could not reach the counters table (admission.store_unavailable): virtual-key requests get 503, or go unlimited with limits_fail_open.',
        { threshold: 1 },
      ),
      CounterStoreRejected: alarm(
        'CounterStoreRejected',
        logEventMetrics.CounterStoreRejected,
        'The counters table refused an admission write (admission.store_rejected, with the error name): virtual-key requests get 500. ' +
          'Check that the table exists and the gateway role may write it.',
        { threshold: 1 },
      ),
      UsageRecordsUnsaved: alarm(
        'UsageRecordsUnsaved',
        logEventMetrics.UsageRecordsUnsaved,
        'Usage records reached neither SQS nor the usage table (usage.record_unsaved): re-ingest them from the log lines with npm run usage:replay.',
        { threshold: 1 },
      ),
    };

    if (props.dashboard ?? true) {
      this.dashboard = new Dashboard(this, 'Dashboard', {
        defaultInterval: Duration.hours(3),
        widgets: this.widgets(props, { urlRequests, url5xx, fiveHundredRate, throttles, deadLetters, aggregatorErrors, oldestUsageRecord }),
      });
    }
  }

  /** The dashboard's rows; `metrics` are the ones the alarms watch too. */
  private widgets(
    props: GatewayMonitoringProps,
    metrics: Record<'urlRequests' | 'url5xx' | 'fiveHundredRate' | 'throttles' | 'deadLetters' | 'aggregatorErrors' | 'oldestUsageRecord', IMetric>,
  ): IWidget[][] {
    const { namespace, gatewayFunction, aggregatorFunction } = props;
    const usage = (metricName: string, statistic: string, label: string) =>
      new Metric({ namespace, metricName, statistic, period: MONITORING_PERIOD, label });
    // One line per model (or tenant) that has data, each labelled with its dimension value.
    const byDimension = (dimension: string, metricName: string, statistic: string) =>
      new MathExpression({
        expression: `SEARCH('{"${namespace}",${dimension}} MetricName="${metricName}"', '${statistic}', ${MONITORING_PERIOD.toSeconds()})`,
        usingMetrics: {},
        label: `\${PROP('Dim.${dimension}')}`,
        period: MONITORING_PERIOD,
      });
    const graph = (title: string, left: IMetric[], right: IMetric[] = [], width = 8) =>
      new GraphWidget({ title, left, right, width, height: 6 });

    return [
      [
        graph('Requests', [usage(USAGE_METRICS.requests, 'Sum', 'admitted (usage records)'), metrics.urlRequests]),
        graph('Errors', [
          usage(USAGE_METRICS.errors4xx, 'Sum', '4xx (usage records)'),
          usage(USAGE_METRICS.errors5xx, 'Sum', '5xx (usage records)'),
          metrics.url5xx,
          gatewayFunction.metricErrors(SUM),
        ]),
        graph('5xx rate (%)', [metrics.fiveHundredRate]),
      ],
      [
        graph('Latency (ms)', [usage(USAGE_METRICS.latency, 'p50', 'p50'), usage(USAGE_METRICS.latency, 'p99', 'p99')]),
        graph('Time to first token, streams (ms)', [
          usage(USAGE_METRICS.timeToFirstToken, 'p50', 'p50'),
          usage(USAGE_METRICS.timeToFirstToken, 'p99', 'p99'),
        ]),
        graph('Tokens', [usage(USAGE_METRICS.promptTokens, 'Sum', 'prompt'), usage(USAGE_METRICS.completionTokens, 'Sum', 'completion')]),
      ],
      [
        graph('Cost by model (USD)', [byDimension(USAGE_DIMENSIONS.model, USAGE_METRICS.cost, 'Sum')]),
        graph('Requests by model', [byDimension(USAGE_DIMENSIONS.model, USAGE_METRICS.requests, 'Sum')]),
        graph('Cost by tenant (USD)', [byDimension(USAGE_DIMENSIONS.tenant, USAGE_METRICS.cost, 'Sum')]),
      ],
      [
        graph('Usage queues', [props.usageQueue.metricApproximateNumberOfMessagesVisible(MAXIMUM), metrics.deadLetters], [
          metrics.oldestUsageRecord,
        ]),
        graph('Aggregator', [aggregatorFunction.metricInvocations(SUM), metrics.aggregatorErrors]),
        graph('Gateway concurrency and throttles', [
          gatewayFunction.metric('ConcurrentExecutions', MAXIMUM),
        ], [metrics.throttles]),
      ],
      [
        graph('Counted log events', Object.values(this.logEventMetrics), [], 12),
        new AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 12, height: 6 }),
      ],
    ];
  }
}
