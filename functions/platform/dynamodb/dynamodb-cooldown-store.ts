import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CounterStoreRejectedError } from '../../core/admission/counter-store.js';
import type { CooldownStore } from '../../core/routing/cooldown-store.js';
import { CooldownStoreUnavailableError } from '../../core/routing/cooldowns.js';
import { isStoreUnavailable } from './dynamodb-error-kind.js';
import { COUNTERS_TABLE_TTL_ATTRIBUTE } from './table-definitions.js';

/**
 * Deployment cooldowns in the counters table, shared by every gateway instance. Two kinds of item:
 *
 *   pk = COOLDOWNS                               one item for the whole gateway
 *     until_<encoded deployment id>  N  epoch ms when that deployment's cooldown ends
 *     expires_at                     N  epoch s: the latest write's cooldown end + 1 day (TTL)
 *
 *   pk = COOLDOWN_FAILS#<encoded id>#<minute>    one item per deployment per UTC minute with failures
 *     fails                          N  failures counted in that minute
 *     expires_at                     N  epoch s: 5 minutes after that minute ends (TTL)
 *
 * Reading every cooldown is one eventually consistent GetItem. Recording a failure is one
 * UpdateItem (ADD, returning the new count); only a count at or above `allowedFails` costs a
 * second one, which sets `until_<id>` unless a later end is already there (a longer cooldown
 * is never shortened). Expired `until_` attributes are ignored and vanish with the item.
 * Only GetItem and UpdateItem are used: the gateway's grants on the counters table.
 *
 * Throttling, network errors, timeouts and 5xx are CooldownStoreUnavailableError; anything else
 * DynamoDB answers (ValidationException, ResourceNotFound, AccessDenied…) is CounterStoreRejectedError
 * (the cooldowns live in the counters table), so a log tells a misconfiguration from an outage.
 *
 * Ids are percent-encoded (letters, digits, `_ . - [ ]` kept), so attribute names and keys
 * stay readable and unambiguous; expressions refer to them through ExpressionAttributeNames.
 */
export function createDynamoDbCooldownStore(options: { client: DynamoDBClient; tableName: string }): CooldownStore {
  const { client, tableName } = options;

  async function send<T>(command: GetItemCommand | UpdateItemCommand): Promise<T> {
    try {
      return (await client.send(command as UpdateItemCommand)) as T;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
      if (isStoreUnavailable(error)) throw new CooldownStoreUnavailableError(error);
      throw new CounterStoreRejectedError(error instanceof Error ? error.name : typeof error, error);
    }
  }

  async function readCooldowns(nowMs: number): Promise<ReadonlyMap<string, number>> {
    const response = await send<{ Item?: Item }>(new GetItemCommand({ TableName: tableName, Key: COOLDOWNS_KEY }));
    const cooldowns = new Map<string, number>();
    for (const [name, value] of Object.entries(response.Item ?? {})) {
      if (!name.startsWith(UNTIL_PREFIX) || value.N === undefined) continue;
      const until = Number(value.N);
      const deploymentId = decodeId(name.slice(UNTIL_PREFIX.length));
      if (deploymentId !== undefined && Number.isFinite(until) && until > nowMs) cooldowns.set(deploymentId, until);
    }
    return cooldowns;
  }

  async function recordFailure(input: { deploymentId: string; nowMs: number; allowedFails: number; cooldownMs: number }): Promise<{ coolingDownUntilMs?: number }> {
    const { deploymentId, nowMs, allowedFails, cooldownMs } = input;
    if (allowedFails <= 0 || cooldownMs <= 0) return {};
    const minute = Math.floor(nowMs / MINUTE_MS);
    const counted = await send<{ Attributes?: Item }>(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: `${FAILS_PREFIX}${failsKeyId(deploymentId)}#${minute}` } },
        UpdateExpression: 'ADD #fails :one SET #expires = :expires',
        ExpressionAttributeNames: { '#fails': 'fails', '#expires': COUNTERS_TABLE_TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':expires': { N: String(((minute + 1) * MINUTE_MS) / 1000 + FAILS_TTL_AFTER_MINUTE_SECONDS) },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = Number(counted.Attributes?.['fails']?.N ?? 0);
    if (count < allowedFails) return {};

    const until = nowMs + cooldownMs;
    const names = { '#until': `${UNTIL_PREFIX}${encodeId(deploymentId)}`, '#expires': COUNTERS_TABLE_TTL_ATTRIBUTE };
    try {
      await send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: COOLDOWNS_KEY,
          UpdateExpression: 'SET #until = :until, #expires = :expires',
          // Equal ends pass (concurrent callers in one millisecond); only a later end already stored refuses.
          ConditionExpression: 'attribute_not_exists(#until) OR #until <= :until',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':until': { N: String(until) },
            ':expires': { N: String(Math.ceil(until / 1000) + COOLDOWNS_TTL_AFTER_END_SECONDS) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { coolingDownUntilMs: until };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A longer cooldown is in force: report its end (from the refused write, or one read where the emulator omits it).
      const item =
        (error.Item as Item | undefined) ??
        (
          await send<{ Item?: Item }>(
            new GetItemCommand({ TableName: tableName, Key: COOLDOWNS_KEY, ProjectionExpression: '#until', ExpressionAttributeNames: { '#until': names['#until'] } }),
          )
        ).Item;
      const stored = Number(item?.[names['#until']]?.N);
      return { coolingDownUntilMs: Number.isFinite(stored) && stored > until ? stored : until };
    }
  }

  return { readCooldowns, recordFailure };
}

type Item = Record<string, AttributeValue>;

const MINUTE_MS = 60_000;
const COOLDOWNS_KEY: Item = { pk: { S: 'COOLDOWNS' } };
const UNTIL_PREFIX = 'until_';
const FAILS_PREFIX = 'COOLDOWN_FAILS#';
/** A minute's failure count is never read after that minute; a few minutes' grace covers clock skew between instances. */
const FAILS_TTL_AFTER_MINUTE_SECONDS = 5 * 60;
/**
 * The cooldowns item expires a day after the end of the latest cooldown written to it. A later,
 * shorter cooldown of another deployment can move that earlier: cooldowns longer than a day may
 * then end early (after at least a day).
 */
const COOLDOWNS_TTL_AFTER_END_SECONDS = 86_400;
/** Failure-count keys stay far below DynamoDB's 2048-byte partition key limit: longer ids are hashed there. */
const MAX_ENCODED_ID_IN_KEY = 1_024;

const KEPT = /^[A-Za-z0-9_.\-[\]]$/;
const encoder = new TextEncoder();

/** Percent-encodes every UTF-8 byte of characters outside `A-Z a-z 0-9 _ . - [ ]` (lone surrogates become U+FFFD). */
function encodeId(deploymentId: string): string {
  let encoded = '';
  for (const character of deploymentId) {
    if (KEPT.test(character)) {
      encoded += character;
      continue;
    }
    for (const byte of encoder.encode(character)) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** The id `encodeId` encoded, or undefined for an attribute name it cannot have written. */
function decodeId(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

function failsKeyId(deploymentId: string): string {
  const encoded = encodeId(deploymentId);
  return encoded.length <= MAX_ENCODED_ID_IN_KEY ? encoded : `sha256:${createHash('sha256').update(encoded).digest('hex')}`;
}
