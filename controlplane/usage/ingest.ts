import { timestampDate } from "@bufbuild/protobuf/wkt";
import { eq, sql } from "drizzle-orm";
import { type Atto, formatDecimal, parseDecimal } from "../../common/money.js";
import type { UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigWriter } from "../config/config-writer.js";
import type { Log } from "../context.js";
import type { Tx } from "../db/database.js";
import { apiKeys, users } from "../db/schema/index.js";
import { apiKeyNames, insertNewUsageLogs, type NewUsageLog, rateMultipliers } from "../db/usage-logs.js";
import { platformName } from "../stored-values.js";
import { effectivePrices } from "./price-table.js";
import { billedCost, resolvePrice } from "./pricing.js";

// Applying usage (DESIGN §6): one transaction per batch. A log is inserted only if its request_id is new,
// and only new logs are billed, so a batch delivered twice bills once. Billing bumps the config version of
// the keys and users it touches, so data planes learn the new quota used and balance.

export interface BatchResult {
  applied: number;
  duplicates: number;
}

const ONE = parseDecimal("1") as Atto;

export async function applyUsageBatch(
  change: ConfigWriter,
  log: Log,
  records: readonly UsageRecord[],
): Promise<BatchResult> {
  const valid = records.filter((r) => r.requestId !== "");
  if (valid.length < records.length) {
    log({ level: "warn", msg: "usage records without request_id dropped", count: records.length - valid.length });
  }
  if (valid.length === 0) return { applied: 0, duplicates: 0 };
  return change(async (tx, version) => {
    const rows = await usageRows(tx, log, valid);
    const inserted = await insertNewUsageLogs(tx, rows);
    await bill(tx, inserted, version);
    return { applied: inserted.length, duplicates: valid.length - inserted.length };
  });
}

async function usageRows(tx: Tx, log: Log, records: readonly UsageRecord[]): Promise<NewUsageLog[]> {
  const prices = await effectivePrices(tx);
  const multipliers = await rateMultipliers(tx, [...new Set(records.map((r) => r.groupId))]);
  const names = await apiKeyNames(tx, [...new Set(records.map((r) => r.apiKeyId))]);
  const now = new Date();
  return records.map((r) => {
    const tokens = {
      inputTokens: Math.max(0, Number(r.inputTokens)),
      outputTokens: Math.max(0, Number(r.outputTokens)),
      cacheCreationTokens: Math.max(0, Number(r.cacheCreationTokens)),
      cacheReadTokens: Math.max(0, Number(r.cacheReadTokens)),
    };
    const price = resolvePrice(prices, r.model);
    if (!price) log({ level: "warn", msg: "no price for model: billed at 0", model: r.model, requestId: r.requestId });
    // A group deleted since the request was served bills at list price.
    const multiplier = parseDecimal(multipliers.get(r.groupId) ?? "1") ?? ONE;
    const { cost, actualCost } = price ? billedCost(price, tokens, multiplier) : { cost: 0n, actualCost: 0n };
    return {
      requestId: r.requestId,
      userId: r.userId,
      apiKeyId: r.apiKeyId,
      apiKeyName: names.get(r.apiKeyId) ?? "",
      accountId: r.accountId,
      groupId: r.groupId,
      platform: platformName(r.platform) ?? "",
      model: r.model,
      ...tokens,
      cost: formatDecimal(cost),
      actualCost: formatDecimal(actualCost),
      stream: r.stream,
      statusCode: r.statusCode,
      durationMs: Number(r.durationMs),
      firstTokenMs: r.firstTokenMs === undefined ? null : Number(r.firstTokenMs),
      ipAddress: r.ipAddress,
      userAgent: r.userAgent,
      estimated: r.estimated,
      createdAt: r.createdAt ? timestampDate(r.createdAt) : now,
    };
  });
}

interface Billed {
  apiKeyId: string;
  userId: string;
  actualCost: string;
  createdAt: Date;
}

/** Adds the new logs' cost to each key's quota_used and takes it from each user's balance, in SQL numeric. */
async function bill(tx: Tx, inserted: readonly Billed[], version: number): Promise<void> {
  const perKey = new Map<string, { cost: Atto; lastUsed: Date }>();
  const perUser = new Map<string, Atto>();
  for (const row of inserted) {
    const cost = parseDecimal(row.actualCost) ?? 0n;
    const key = perKey.get(row.apiKeyId);
    perKey.set(row.apiKeyId, {
      cost: (key?.cost ?? 0n) + cost,
      lastUsed: key && key.lastUsed > row.createdAt ? key.lastUsed : row.createdAt,
    });
    perUser.set(row.userId, (perUser.get(row.userId) ?? 0n) + cost);
  }
  for (const [id, { cost, lastUsed }] of perKey) {
    await tx
      .update(apiKeys)
      .set({
        quotaUsed: sql`${apiKeys.quotaUsed} + ${formatDecimal(cost)}::numeric`,
        lastUsedAt: sql`greatest(${apiKeys.lastUsedAt}, ${lastUsed.toISOString()}::timestamptz)`,
        version,
      })
      .where(eq(apiKeys.id, id));
  }
  for (const [id, cost] of perUser) {
    await tx
      .update(users)
      .set({ balance: sql`${users.balance} - ${formatDecimal(cost)}::numeric`, version })
      .where(eq(users.id, id));
  }
}
