import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_RESERVED_CONCURRENCY,
  AGGREGATOR_RESERVED_CONCURRENCY,
  DEFAULT_RESERVED_CONCURRENCY,
} from '../../lib/gateway-construct.js';
import type { GatewayStack } from '../../lib/gateway-stack.js';
import { logicalId, synthesizeDefaultStack, synthesizeStack } from './stack-test-helpers.js';

/** ReservedConcurrentExecutions of the gateway, admin and aggregator functions. */
function reservations({ stack, template }: ReturnType<typeof synthesizeStack>): Record<'gateway' | 'admin' | 'aggregator', unknown> {
  const functions = template.findResources('AWS::Lambda::Function');
  const of = (construct: GatewayStack['gateway']['function']) => functions[logicalId(stack, construct)]?.Properties.ReservedConcurrentExecutions;
  return { gateway: of(stack.gateway.function), admin: of(stack.gateway.adminFunction), aggregator: of(stack.gateway.aggregatorFunction) };
}

describe('reserved concurrency', () => {
  it('reserves 400 for the gateway, 5 for the admin API and 10 for the aggregator when nothing is given', () => {
    const reserved = reservations(synthesizeDefaultStack());

    expect(reserved).toEqual({ gateway: 400, admin: 5, aggregator: 10 });
    expect([DEFAULT_RESERVED_CONCURRENCY, ADMIN_RESERVED_CONCURRENCY, AGGREGATOR_RESERVED_CONCURRENCY]).toEqual([400, 5, 10]);
  });

  it('leaves at least 100 unreserved in an account with the usual quota of 1,000 when nothing is given', () => {
    const reserved = reservations(synthesizeDefaultStack());

    const total = Number(reserved.gateway) + Number(reserved.admin) + Number(reserved.aggregator);
    expect(1000 - total).toBeGreaterThanOrEqual(100);
  });

  it('caps the aggregator queue poller at the aggregator reservation', () => {
    const { template } = synthesizeDefaultStack();

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: AGGREGATOR_RESERVED_CONCURRENCY } });
  });

  it('reserves the given number for the gateway when reservedConcurrency is given on the command line', () => {
    const reserved = reservations(synthesizeStack({}, { reservedConcurrency: '250' }));

    expect(reserved).toEqual({ gateway: 250, admin: 5, aggregator: 10 });
  });

  it('lets the reservedConcurrency prop win over the context', () => {
    const reserved = reservations(synthesizeStack({ gateway: { reservedConcurrency: 40 } }, { reservedConcurrency: '250' }));

    expect(reserved.gateway).toBe(40);
  });

  it('reserves nothing for any function when reservedConcurrency is none', () => {
    const { template } = synthesizeStack({}, { reservedConcurrency: 'none' });

    template.allResourcesProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
  });

  it('still caps the aggregator queue poller when reservedConcurrency is none', () => {
    const { template } = synthesizeStack({ gateway: { reservedConcurrency: 'none' } });

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: AGGREGATOR_RESERVED_CONCURRENCY } });
  });
});
