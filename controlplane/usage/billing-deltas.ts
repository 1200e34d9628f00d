import type { Atto } from "../../common/money.js";
import { type Dimension, GRAIN_DIMENSIONS, GRAINS, type Grain, PERIODS, type Period } from "./rollup-grains.js";
import { DAY_MS, floorTo, HOUR_MS } from "./utc-buckets.js";

// What one batch of newly inserted usage logs adds (DESIGN §6): to each rollup bucket of every grain
// and period, to each key's quota_used and to each user's spend. Summed here so each row is written
// once per batch.

export interface BilledLog {
  userId: string;
  apiKeyId: string;
  accountId: string;
  groupId: string;
  model: string;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheCreationTokens: bigint;
  cacheReadTokens: bigint;
  cost: Atto;
  actualCost: Atto;
  durationMs: number;
  createdAt: Date;
}

export interface RollupDelta {
  bucketStart: Date;
  /** The grain's dimensions. */
  dimensions: Partial<Record<Dimension, string>>;
  requests: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheCreationTokens: bigint;
  cacheReadTokens: bigint;
  cost: Atto;
  actualCost: Atto;
  durationMs: bigint;
}

export interface RollupDeltas {
  grain: Grain;
  period: Period;
  deltas: RollupDelta[];
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
  /** In GRAINS then PERIODS order, the order they are written in. */
  rollups: RollupDeltas[];
  keys: KeyCharge[];
  users: UserCharge[];
}

const WIDTHS: Record<Period, number> = { hourly: HOUR_MS, daily: DAY_MS };

const dimensionValue: Record<Dimension, (log: BilledLog) => string> = {
  model: (log) => log.model,
  account_id: (log) => log.accountId,
  api_key_id: (log) => log.apiKeyId,
  group_id: (log) => log.groupId,
  user_id: (log) => log.userId,
};

function addTo(buckets: Map<string, RollupDelta>, log: BilledLog, grain: Grain, period: Period): void {
  const dimensions = GRAIN_DIMENSIONS[grain];
  const bucketStart = floorTo(log.createdAt, WIDTHS[period]);
  // NUL never occurs in ids or model names (PostgreSQL text cannot hold it), so the key is unambiguous.
  const id = `${bucketStart.getTime()}\u0000${dimensions.map((d) => dimensionValue[d](log)).join("\u0000")}`;
  const bucket = buckets.get(id);
  if (!bucket) {
    buckets.set(id, {
      bucketStart,
      dimensions: Object.fromEntries(dimensions.map((d) => [d, dimensionValue[d](log)])),
      requests: 1n,
      inputTokens: log.inputTokens,
      outputTokens: log.outputTokens,
      cacheCreationTokens: log.cacheCreationTokens,
      cacheReadTokens: log.cacheReadTokens,
      cost: log.cost,
      actualCost: log.actualCost,
      durationMs: BigInt(log.durationMs),
    });
    return;
  }
  bucket.requests += 1n;
  bucket.inputTokens += log.inputTokens;
  bucket.outputTokens += log.outputTokens;
  bucket.cacheCreationTokens += log.cacheCreationTokens;
  bucket.cacheReadTokens += log.cacheReadTokens;
  bucket.cost += log.cost;
  bucket.actualCost += log.actualCost;
  bucket.durationMs += BigInt(log.durationMs);
}

export function billingDeltas(logs: readonly BilledLog[]): BillingDeltas {
  const keys = new Map<string, KeyCharge>();
  const users = new Map<string, UserCharge>();
  for (const log of logs) {
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
  const rollups = GRAINS.flatMap((grain) =>
    PERIODS.map((period) => ({ grain, period, buckets: new Map<string, RollupDelta>() })),
  );
  for (const log of logs) {
    for (const rollup of rollups) addTo(rollup.buckets, log, rollup.grain, rollup.period);
  }
  return {
    rollups: rollups.map(({ grain, period, buckets }) => ({ grain, period, deltas: [...buckets.values()] })),
    keys: [...keys.values()],
    users: [...users.values()],
  };
}
