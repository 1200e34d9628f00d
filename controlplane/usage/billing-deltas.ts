import type { Atto } from "../../common/money.js";
import { DAY_MS, floorTo, HOUR_MS } from "./utc-buckets.js";

// What one batch of newly inserted usage logs adds (DESIGN §6): to each hourly and daily rollup bucket,
// to each key's quota_used and to each user's spend. Summed here so each row is written once per batch.

export interface BilledLog {
  userId: string;
  apiKeyId: string;
  accountId: string;
  groupId: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  cost: Atto;
  actualCost: Atto;
  durationMs: number;
  createdAt: Date;
}

export interface RollupDelta {
  bucketStart: Date;
  userId: string;
  apiKeyId: string;
  accountId: string;
  groupId: string;
  model: string;
  requests: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheCreationTokens: bigint;
  cacheReadTokens: bigint;
  cost: Atto;
  actualCost: Atto;
  durationMs: bigint;
}

export interface KeyCharge {
  id: string;
  actualCost: Atto;
  lastUsedAt: Date;
}

export interface UserCharge {
  id: string;
  actualCost: Atto;
}

export interface BillingDeltas {
  hourly: RollupDelta[];
  daily: RollupDelta[];
  keys: KeyCharge[];
  users: UserCharge[];
}

function addTo(buckets: Map<string, RollupDelta>, log: BilledLog, widthMs: number): void {
  const start = floorTo(log.createdAt, widthMs);
  const id = JSON.stringify([start.getTime(), log.userId, log.apiKeyId, log.accountId, log.groupId, log.model]);
  const bucket = buckets.get(id);
  if (!bucket) {
    buckets.set(id, {
      bucketStart: start,
      userId: log.userId,
      apiKeyId: log.apiKeyId,
      accountId: log.accountId,
      groupId: log.groupId,
      model: log.model,
      requests: 1n,
      inputTokens: BigInt(log.inputTokens),
      outputTokens: BigInt(log.outputTokens),
      cacheCreationTokens: BigInt(log.cacheCreationTokens),
      cacheReadTokens: BigInt(log.cacheReadTokens),
      cost: log.cost,
      actualCost: log.actualCost,
      durationMs: BigInt(log.durationMs),
    });
    return;
  }
  bucket.requests += 1n;
  bucket.inputTokens += BigInt(log.inputTokens);
  bucket.outputTokens += BigInt(log.outputTokens);
  bucket.cacheCreationTokens += BigInt(log.cacheCreationTokens);
  bucket.cacheReadTokens += BigInt(log.cacheReadTokens);
  bucket.cost += log.cost;
  bucket.actualCost += log.actualCost;
  bucket.durationMs += BigInt(log.durationMs);
}

export function billingDeltas(logs: readonly BilledLog[]): BillingDeltas {
  const hourly = new Map<string, RollupDelta>();
  const daily = new Map<string, RollupDelta>();
  const keys = new Map<string, KeyCharge>();
  const users = new Map<string, UserCharge>();
  for (const log of logs) {
    addTo(hourly, log, HOUR_MS);
    addTo(daily, log, DAY_MS);
    const key = keys.get(log.apiKeyId);
    if (!key) keys.set(log.apiKeyId, { id: log.apiKeyId, actualCost: log.actualCost, lastUsedAt: log.createdAt });
    else {
      key.actualCost += log.actualCost;
      if (log.createdAt > key.lastUsedAt) key.lastUsedAt = log.createdAt;
    }
    const user = users.get(log.userId);
    if (!user) users.set(log.userId, { id: log.userId, actualCost: log.actualCost });
    else user.actualCost += log.actualCost;
  }
  return {
    hourly: [...hourly.values()],
    daily: [...daily.values()],
    keys: [...keys.values()],
    users: [...users.values()],
  };
}
