import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { budgetPeriod, minuteWindow } from '../../core/admission/periods.js';
import type { AdminCounterReader } from '../../core/admin/admin-counter-reader.js';
import type { Clock } from '../../core/ports.js';
import type { Tenant, VirtualKey } from '../../core/tenancy/tenancy-types.js';

/**
 * What a key has used, read from its scope item in the counters table (see
 * dynamodb-counter-store.ts for the attribute layout): this minute's requests and
 * tokens, and the current budget period's spend and outstanding reservations.
 */
export function createDynamoDbAdminCounterReader(options: { client: DynamoDBClient; tableName: string; clock: Clock }): AdminCounterReader {
  return {
    async readKeyUsage(key: VirtualKey, _tenant: Tenant) {
      const now = options.clock.now();
      const response = await options.client.send(
        new GetItemCommand({ TableName: options.tableName, Key: { pk: { S: `SCOPE#key:${key.id}` } }, ConsistentRead: true }),
      );
      const item: Record<string, AttributeValue> = response.Item ?? {};
      const number = (name: string) => Number(item[name]?.N ?? 0);
      const minute = minuteWindow(now).index;
      const period = budgetPeriod(key.budget_duration, now);
      const spentMicros = number(`spent_${period.key}`);
      const committedMicros = number(`committed_${period.key}`);
      return {
        requests_this_minute: number(`rpm_${minute}`),
        tokens_this_minute: number(`tpm_${minute}`),
        budget_period: period.key,
        spend_usd: spentMicros / 1e6,
        reserved_usd: Math.max(0, committedMicros - spentMicros) / 1e6,
        ...(key.max_budget === undefined ? {} : { remaining_budget_usd: Math.max(0, key.max_budget - committedMicros / 1e6) }),
      };
    },
  };
}
