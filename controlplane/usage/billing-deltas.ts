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

type Totals = Omit<RollupDelta, "bucketStart" | "dimensions">;

/** A batch's logs summed per hour and every dimension at once: the grains are sums of these. */
interface Fine extends Totals {
  hourStart: number;
  log: BilledLog;
}

function addTotals(into: Totals, from: Totals): void {
  into.requests += from.requests;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cacheCreationTokens += from.cacheCreationTokens;
  into.cacheReadTokens += from.cacheReadTokens;
  into.cost += from.cost;
  into.actualCost += from.actualCost;
  into.durationMs += from.durationMs;
}

function fineGroups(logs: readonly BilledLog[]): Fine[] {
  const groups = new Map<string, Fine>();
  for (const log of logs) {
    const hourStart = floorTo(log.createdAt, HOUR_MS).getTime();
    // NUL never occurs in ids or model names (PostgreSQL text cannot hold it), so the key is unambiguous.
    const id = `${hourStart}\u0000${log.apiKeyId}\u0000${log.accountId}\u0000${log.groupId}\u0000${log.userId}\u0000${log.model}`;
    const totals: Totals = {
      requests: 1n,
      inputTokens: log.inputTokens,
      outputTokens: log.outputTokens,
      cacheCreationTokens: log.cacheCreationTokens,
      cacheReadTokens: log.cacheReadTokens,
      cost: log.cost,
      actualCost: log.actualCost,
      durationMs: BigInt(log.durationMs),
    };
    const group = groups.get(id);
    if (group) addTotals(group, totals);
    else groups.set(id, { ...totals, hourStart, log });
  }
  return [...groups.values()];
}

function rollupOf(groups: readonly Fine[], grain: Grain, period: Period): RollupDelta[] {
  const dimensions = GRAIN_DIMENSIONS[grain];
  const buckets = new Map<string, RollupDelta>();
  for (const group of groups) {
    const bucketStart = floorTo(new Date(group.hourStart), WIDTHS[period]);
    const values = dimensions.map((d) => dimensionValue[d](group.log));
    const id = `${bucketStart.getTime()}\u0000${values.join("\u0000")}`;
    const bucket = buckets.get(id);
    if (bucket) addTotals(bucket, group);
    else {
      buckets.set(id, {
        bucketStart,
        dimensions: Object.fromEntries(dimensions.map((d, i) => [d, values[i]])),
        requests: group.requests,
        inputTokens: group.inputTokens,
        outputTokens: group.outputTokens,
        cacheCreationTokens: group.cacheCreationTokens,
        cacheReadTokens: group.cacheReadTokens,
        cost: group.cost,
        actualCost: group.actualCost,
        durationMs: group.durationMs,
      });
    }
  }
  return [...buckets.values()];
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
  const groups = fineGroups(logs);
  return {
    rollups: GRAINS.flatMap((grain) =>
      PERIODS.map((period) => ({ grain, period, deltas: rollupOf(groups, grain, period) })),
    ),
    keys: [...keys.values()],
    users: [...users.values()],
  };
}
