/**
 * Deployment cooldowns shared by every gateway instance (every Lambda execution
 * environment): a deployment that failed `allowedFails` times within one minute is
 * skipped by all of them until its cooldown ends. DynamoDB on Lambda and locally
 * (items with a TTL in the counters table); in memory in tests without DynamoDB.
 */
export interface CooldownStore {
  /** Every deployment cooling down now: deployment id → epoch ms when its cooldown ends. Throws when the store is unreachable. */
  readCooldowns(nowMs: number): Promise<ReadonlyMap<string, number>>;
  /**
   * Counts one failure of `deploymentId` in the minute `Math.floor(nowMs / 60_000)`; when that
   * minute's count reaches `allowedFails`, starts (or extends) its cooldown to `nowMs + cooldownMs`.
   * Returns when the cooldown ends, if one is in force after this call. Throws when unreachable.
   */
  recordFailure(input: { deploymentId: string; nowMs: number; allowedFails: number; cooldownMs: number }): Promise<{ coolingDownUntilMs?: number }>;
}
