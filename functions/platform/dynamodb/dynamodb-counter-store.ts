import {
  ConditionalCheckFailedException,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type Update,
} from '@aws-sdk/client-dynamodb';
import {
  CounterStoreRejectedError,
  CounterStoreUnavailableError,
  type AdmitInput,
  type AdmitResult,
  type CounterStore,
  type ScopeAdmission,
  type ScopeCounts,
  type ScopeSettlement,
  type SettleInput,
} from '../../core/admission/counter-store.js';
import { ServiceUnavailableError } from '../../core/errors.js';
import { isConflictOnly, isContention, isStoreUnavailable, rejectingCancellationCode } from './dynamodb-error-kind.js';

/** Too many admissions at once on one key's or tenant's items: never a reason to skip limits. */
const contendedError = () =>
  new ServiceUnavailableError('Too many requests of this key or tenant are being admitted at once; retry shortly.', 'limits_contended');

/**
 * Counters in DynamoDB: ONE item per scope (`pk = SCOPE#key:…`, `SCOPE#tenant:…`,
 * `SCOPE#enduser:…`) whose attributes are named by window and period:
 *
 *   rpm_<minute>        requests admitted in that minute
 *   tpm_<minute>        tokens settled in that minute
 *   committed_<period>  spent + outstanding reservations, micro-USD (what the budget condition reads)
 *   spent_<period>      settled cost, micro-USD
 *   in_flight           admitted requests holding a parallel slot (max_parallel_requests)
 *   res_<requestId>     an outstanding reservation { micros, period, expires_ms, slot? }; `slot`
 *                       when it holds one of in_flight, given back with the reservation
 *   gone_<requestId>    a reservation released after it expired, awaiting a late settlement
 *
 * One item per scope means a key's RPM, TPM and budget are checked and counted by a
 * single conditional UpdateItem (no transaction, so no transaction conflicts on a hot
 * key), which also returns the new counts for the x-ratelimit headers. A request that
 * touches several scopes (key + tenant + end user) uses one TransactWriteItems.
 * DynamoDB conditions cannot add, so the budget check is `committed <= limit - reservation`.
 *
 * A parallel slot lives and dies with the request's `res_` marker: settlement removes the
 * marker and gives the slot back in the same UpdateItem; a marker whose invocation died is
 * released after its expiry (slot included) by the next admission it stands in the way of.
 *
 * Failures: a condition or cancellation is a refusal; throttling, network errors, timeouts and
 * 5xx are CounterStoreUnavailableError; anything else DynamoDB answers (ValidationException,
 * ResourceNotFound, AccessDenied…) is CounterStoreRejectedError, which never fails open.
 */
export function createDynamoDbCounterStore(options: { client: DynamoDBClient; tableName: string; transactionAttempts?: number }): CounterStore {
  const { client, tableName } = options;
  const transactionAttempts = options.transactionAttempts ?? 12;
  /** Attributes of past windows seen on an item, removed by this instance's next write to it. */
  const staleAttributes = new Map<string, string[]>();

  // A condition or a cancellation is the caller's to read; anything else is unavailability or a rejection.
  const send = async <T = unknown>(command: UpdateItemCommand | TransactWriteItemsCommand | GetItemCommand): Promise<T> => {
    try {
      return (await client.send(command as UpdateItemCommand)) as T;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException) throw error;
      if (isContention(error)) throw contendedError();
      throw isStoreUnavailable(error) ? new CounterStoreUnavailableError(error) : new CounterStoreRejectedError(errorName(error), error);
    }
  };

  async function admit(input: AdmitInput): Promise<AdmitResult> {
    for (let releasedExpired = false; ; releasedExpired = true) {
      const outcome = input.scopes.length === 1 ? await admitOne(input, input.scopes[0]!) : await admitMany(input);
      if (outcome.admitted || releasedExpired) return outcome.result;
      // A budget or parallel refusal may be caused by reservations whose invocations died: release them once and retry.
      const released = outcome.refusedItem ? await releaseExpiredReservations(outcome.refusedScope!, outcome.refusedItem, input.nowMs) : false;
      if (!released) return outcome.result;
    }
  }

  type Outcome = { admitted: boolean; result: AdmitResult; refusedScope?: string; refusedItem?: Item };

  async function admitOne(input: AdmitInput, scope: ScopeAdmission): Promise<Outcome> {
    const update = admissionUpdate(input, scope);
    try {
      const response = await send<{ Attributes?: Item }>(
        new UpdateItemCommand({ ...update, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      const item = response.Attributes ?? {};
      rememberStale(scope.scope, item, input);
      return { admitted: true, result: { admitted: true, counts: { [scope.scope]: countsOf(item, input, scope) } } };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = (error.Item as Item | undefined) ?? (await readItem(scope.scope));
      return refusedBy(scope, item, input);
    }
  }

  async function admitMany(input: AdmitInput): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        await send(
          new TransactWriteItemsCommand({
            TransactItems: input.scopes.map((scope) => ({
              Update: { ...admissionUpdate(input, scope), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
            })),
          }),
        );
        return { admitted: true, result: { admitted: true, counts: {} } };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        // e.g. ValidationError: the request itself is wrong, and retrying cannot change that.
        const rejected = rejectingCancellationCode(reasons);
        if (rejected !== undefined) throw new CounterStoreRejectedError(rejected, error);
        const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          const scope = input.scopes[failed]!;
          const item = (reasons[failed]!.Item as Item | undefined) ?? (await readItem(scope.scope));
          return refusedBy(scope, item, input);
        }
        // Another transaction held one of the items, or DynamoDB throttled it: nothing was applied, so trying again is safe.
        if (attempt >= transactionAttempts) throw isConflictOnly(reasons) ? contendedError() : new CounterStoreUnavailableError(error);
        await pause(attempt);
      }
    }
  }

  function admissionUpdate(input: AdmitInput, scope: ScopeAdmission): Update {
    const expression = new ExpressionBuilder();
    const set: string[] = [];
    const add: string[] = [];
    const conditions: string[] = [];

    const rpm = expression.name(`rpm_${input.minute}`);
    add.push(`${rpm} ${expression.value({ N: '1' })}`);
    if (scope.rpmLimit !== undefined) conditions.push(`(attribute_not_exists(${rpm}) OR ${rpm} < ${expression.value({ N: String(scope.rpmLimit) })})`);
    if (scope.tpmLimit !== undefined) {
      const tpm = expression.name(`tpm_${input.minute}`);
      conditions.push(`(attribute_not_exists(${tpm}) OR ${tpm} < ${expression.value({ N: String(scope.tpmLimit) })})`);
    }
    if (scope.budget) {
      const committed = expression.name(`committed_${scope.budget.period}`);
      const headroom = scope.budget.limitMicros - scope.budget.reserveMicros;
      add.push(`${committed} ${expression.value({ N: String(scope.budget.reserveMicros) })}`);
      // With no headroom even an untouched budget must refuse: a missing attribute fails a comparison.
      conditions.push(headroom >= 0 ? `(attribute_not_exists(${committed}) OR ${committed} <= ${expression.value({ N: String(headroom) })})` : `${committed} <= ${expression.value({ N: String(headroom) })}`);
    }
    const holdsSlot = scope.parallelLimit !== undefined;
    if (holdsSlot) {
      const inFlight = expression.name(IN_FLIGHT);
      add.push(`${inFlight} ${expression.value({ N: '1' })}`);
      conditions.push(`(attribute_not_exists(${inFlight}) OR ${inFlight} < ${expression.value({ N: String(scope.parallelLimit) })})`);
    }
    // A slot without a marker could never be given back: a parallel limit always leaves one.
    if (scope.settles || holdsSlot) {
      set.push(
        `${expression.name(`res_${input.requestId}`)} = ${expression.value({
          M: {
            micros: { N: String(scope.budget?.reserveMicros ?? 0) },
            period: { S: scope.budget?.period ?? '' },
            expires_ms: { N: String(input.reservationExpiresAtMs) },
            ...(holdsSlot ? { slot: { BOOL: true } } : {}),
          },
        })}`,
      );
    }
    const lifetime = scope.budget?.period === 'lifetime';
    if (!lifetime) set.push(`${expression.name('expires_at')} = ${expression.value({ N: String(Math.floor(input.nowMs / 1000) + ITEM_TTL_SECONDS) })}`);
    const remove = (staleAttributes.get(scope.scope) ?? []).map((name) => expression.name(name));
    if (lifetime) remove.push(expression.name('expires_at'));
    staleAttributes.delete(scope.scope);

    return {
      TableName: tableName,
      Key: keyOf(scope.scope),
      UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', `ADD ${add.join(', ')}`, remove.length ? `REMOVE ${remove.join(', ')}` : '']
        .filter(Boolean)
        .join(' '),
      ConditionExpression: conditions.length ? conditions.join(' AND ') : undefined,
      ...expression.attributes(),
    };
  }

  function refusedBy(scope: ScopeAdmission, item: Item | undefined, input: AdmitInput): Outcome {
    const numberAt = (name: string) => Number(item?.[name]?.N ?? 0);
    let result: AdmitResult;
    if (scope.rpmLimit !== undefined && numberAt(`rpm_${input.minute}`) >= scope.rpmLimit) {
      result = { admitted: false, scope: scope.scope, limit: 'rpm' };
    } else if (scope.tpmLimit !== undefined && numberAt(`tpm_${input.minute}`) >= scope.tpmLimit) {
      result = { admitted: false, scope: scope.scope, limit: 'tpm' };
    } else if (scope.parallelLimit !== undefined && numberAt(IN_FLIGHT) >= scope.parallelLimit) {
      result = { admitted: false, scope: scope.scope, limit: 'parallel' };
    } else {
      const committed = scope.budget ? numberAt(`committed_${scope.budget.period}`) : 0;
      const remainingMicros = scope.budget ? Math.max(0, scope.budget.limitMicros - committed) : undefined;
      result = { admitted: false, scope: scope.scope, limit: 'budget', remainingMicros };
    }
    // Only budget and parallel refusals can be caused by dead invocations' markers (RPM/TPM windows pass by themselves).
    const reclaimable = result.limit === 'budget' || result.limit === 'parallel';
    return { admitted: false, result, refusedScope: reclaimable ? scope.scope : undefined, refusedItem: reclaimable ? item : undefined };
  }

  /** Releases reservations (and their parallel slots) past their expiry (their invocations died) from one scope item; true when any was released. */
  async function releaseExpiredReservations(scope: string, item: Item, nowMs: number): Promise<boolean> {
    const expired = Object.entries(item)
      .filter(([name, value]) => name.startsWith('res_') && Number(value.M?.['expires_ms']?.N ?? Number.MAX_SAFE_INTEGER) <= nowMs)
      .slice(0, MAX_RELEASES_PER_WRITE);
    if (expired.length === 0) return false;
    const expression = new ExpressionBuilder();
    const perPeriod = new Map<string, number>();
    const set: string[] = [];
    const conditions: string[] = [];
    const remove: string[] = [];
    let slots = 0;
    for (const [name, value] of expired) {
      const period = value.M?.['period']?.S ?? '';
      const micros = Number(value.M?.['micros']?.N ?? 0);
      if (period !== '') perPeriod.set(period, (perPeriod.get(period) ?? 0) + micros);
      if (value.M?.['slot']?.BOOL === true) slots++;
      const reservation = expression.name(name);
      conditions.push(`attribute_exists(${reservation})`);
      remove.push(reservation);
      set.push(`${expression.name(`gone_${name.slice('res_'.length)}`)} = ${expression.value({ M: { period: { S: period }, gone_at_ms: { N: String(nowMs) } } })}`);
    }
    const add = [...perPeriod].map(([period, micros]) => `${expression.name(`committed_${period}`)} ${expression.value({ N: String(-micros) })}`);
    if (slots > 0) add.push(`${expression.name(IN_FLIGHT)} ${expression.value({ N: String(-slots) })}`);
    try {
      await send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(scope),
          UpdateExpression: [`SET ${set.join(', ')}`, add.length ? `ADD ${add.join(', ')}` : '', `REMOVE ${remove.join(', ')}`].filter(Boolean).join(' '),
          ConditionExpression: conditions.join(' AND '),
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      // Another instance released (or the request settled) first: the retry reads the fresh state either way.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return true;
  }

  async function settle(input: SettleInput): Promise<void> {
    if (input.scopes.length === 0) return;
    if (input.scopes.length > 1) {
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          await send(new TransactWriteItemsCommand({ TransactItems: input.scopes.map((scope) => ({ Update: settlementUpdate(input, scope, 'reserved') })) }));
          return;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          if (!isConflictOnly(error.CancellationReasons ?? [])) break; // some scope already settled or expired: settle each on its own
          await pause(attempt);
        }
      }
    }
    for (const scope of input.scopes) await settleOne(input, scope);
  }

  async function settleOne(input: SettleInput, scope: ScopeSettlement): Promise<void> {
    try {
      await send(new UpdateItemCommand({ ...settlementUpdate(input, scope, 'reserved'), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = (error.Item as Item | undefined) ?? (await readItem(scope.scope));
      if (!item?.[`gone_${input.requestId}`]) return; // already settled: a retry must not count twice
    }
    try {
      // The reservation expired and was released before this settlement came: record the actual cost now.
      await send(new UpdateItemCommand(settlementUpdate(input, scope, 'released')));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  function settlementUpdate(input: SettleInput, scope: ScopeSettlement, state: 'reserved' | 'released'): Update {
    const expression = new ExpressionBuilder();
    const add: string[] = [];
    if (scope.tokens !== undefined && scope.tokens > 0) add.push(`${expression.name(`tpm_${input.minute}`)} ${expression.value({ N: String(scope.tokens) })}`);
    if (scope.budget) {
      const { period, reservedMicros, actualMicros } = scope.budget;
      const committedDelta = state === 'reserved' ? actualMicros - reservedMicros : actualMicros;
      add.push(`${expression.name(`committed_${period}`)} ${expression.value({ N: String(committedDelta) })}`);
      add.push(`${expression.name(`spent_${period}`)} ${expression.value({ N: String(actualMicros) })}`);
    }
    // A released (expired) reservation gave its slot back already.
    if (scope.releasesSlot && state === 'reserved') add.push(`${expression.name(IN_FLIGHT)} ${expression.value({ N: '-1' })}`);
    const marker = expression.name(`${state === 'reserved' ? 'res' : 'gone'}_${input.requestId}`);
    return {
      TableName: tableName,
      Key: keyOf(scope.scope),
      UpdateExpression: [add.length ? `ADD ${add.join(', ')}` : '', `REMOVE ${marker}`].filter(Boolean).join(' '),
      ConditionExpression: `attribute_exists(${marker})`,
      ...expression.attributes(),
    };
  }

  async function readItem(scope: string): Promise<Item | undefined> {
    const response = await send<{ Item?: Item }>(new GetItemCommand({ TableName: tableName, Key: keyOf(scope), ConsistentRead: true }));
    return response.Item;
  }

  function rememberStale(scope: string, item: Item, input: AdmitInput): void {
    const currentPeriods = new Set(input.scopes.flatMap((each) => (each.budget ? [each.budget.period] : [])));
    const pendingPeriods = new Set(Object.entries(item).filter(([name]) => name.startsWith('res_')).map(([, value]) => value.M?.['period']?.S ?? ''));
    const stale = Object.entries(item)
      .filter(([name, value]) => {
        const window = /^(?:rpm|tpm)_(\d+)$/.exec(name);
        if (window) return Number(window[1]) < input.minute - 1;
        const period = /^(?:committed|spent)_(.+)$/.exec(name);
        if (period) return !currentPeriods.has(period[1]!) && !pendingPeriods.has(period[1]!);
        if (name.startsWith('gone_')) return Number(value.M?.['gone_at_ms']?.N ?? 0) < input.nowMs - GONE_MARKER_KEEP_MS;
        return false;
      })
      .map(([name]) => name)
      .slice(0, MAX_STALE_REMOVALS);
    if (stale.length > 0) {
      if (staleAttributes.size >= MAX_TRACKED_SCOPES) staleAttributes.clear();
      staleAttributes.set(scope, stale);
    }
  }

  return { admit, settle };
}

type Item = Record<string, AttributeValue>;

/** Idle scope items disappear after this (budget periods are at most a month; lifetime budgets never expire). */
const ITEM_TTL_SECONDS = 40 * 86_400;
const GONE_MARKER_KEEP_MS = 86_400_000;
const MAX_RELEASES_PER_WRITE = 50;
const MAX_STALE_REMOVALS = 25;
const MAX_TRACKED_SCOPES = 10_000;
const IN_FLIGHT = 'in_flight';

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function keyOf(scope: string): Record<string, AttributeValue> {
  return { pk: { S: `SCOPE#${scope}` } };
}

function countsOf(item: Item, input: AdmitInput, scope: ScopeAdmission): ScopeCounts {
  return {
    requestsThisMinute: Number(item[`rpm_${input.minute}`]?.N ?? 0),
    tokensThisMinute: Number(item[`tpm_${input.minute}`]?.N ?? 0),
    committedMicros: scope.budget ? Number(item[`committed_${scope.budget.period}`]?.N ?? 0) : undefined,
  };
}

/** Back-off with jitter between transaction attempts that met a conflict. */
function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** Placeholders for attribute names (`#a0`) and values (`:v0`): names here carry `:` and `-`, which expressions cannot. */
class ExpressionBuilder {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, AttributeValue> = {};
  private readonly placeholders = new Map<string, string>();

  name(attribute: string): string {
    let placeholder = this.placeholders.get(attribute);
    if (!placeholder) {
      placeholder = `#a${this.placeholders.size}`;
      this.placeholders.set(attribute, placeholder);
      this.names[placeholder] = attribute;
    }
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  attributes(): { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> } {
    return Object.keys(this.values).length > 0
      ? { ExpressionAttributeNames: this.names, ExpressionAttributeValues: this.values }
      : { ExpressionAttributeNames: this.names };
  }
}
