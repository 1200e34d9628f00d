import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type Atto, parseDecimal } from "../../common/money.js";
import type { UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { Log } from "../context.js";
import { chargeKeys, chargeUsers } from "../db/billing.js";
import type { Db } from "../db/database.js";
import { apiKeyNames, insertNewUsageLogs, type NewUsageLog, rateMultipliers } from "../db/usage-logs.js";
import { addToRollups } from "../db/usage-rollups.js";
import { platformName } from "../stored-values.js";
import { billingDeltas } from "./billing-deltas.js";
import { effectivePrices } from "./price-table.js";
import { billedCost, resolvePrice } from "./pricing.js";

// Applying usage (DESIGN §6): one transaction per batch. A log is inserted only if its request_id is new,
// and only new logs are billed and rolled up, so a batch delivered twice bills and counts once. The
// transaction takes no global lock: batches from many data planes apply side by side, meeting only on
// the rollup buckets, users and keys they share (locked in one order, db/billing.ts). Data planes learn
// the new quota used and balances from usage-versions.ts.

export interface BatchResult {
  applied: number;
  duplicates: number;
}

const ONE = parseDecimal("1") as Atto;
const ROLLUP_STRIPES = 8;
// Token counts stay bigint end to end: exact however large.
const atLeastZero = (tokens: bigint) => (tokens < 0n ? 0n : tokens);

export async function applyUsageBatch(db: Db, log: Log, records: readonly UsageRecord[]): Promise<BatchResult> {
  const valid = records.filter((r) => r.requestId !== "");
  if (valid.length < records.length) {
    log({ level: "warn", msg: "usage records without request_id dropped", count: records.length - valid.length });
  }
  const distinct = [...new Map(valid.map((r) => [r.requestId, r])).values()];
  if (distinct.length === 0) return { applied: 0, duplicates: 0 };
  const rows = await pricedRows(db, log, distinct);
  const applied = await db.transaction(async (tx) => {
    const fresh = await insertNewUsageLogs(tx, rows);
    const deltas = billingDeltas(rows.filter((r) => fresh.has(r.requestId)));
    const stripe = Math.floor(Math.random() * ROLLUP_STRIPES);
    for (const { grain, period, deltas: buckets } of deltas.rollups) {
      await addToRollups(tx, grain, period, buckets, stripe);
    }
    await chargeUsers(tx, deltas.users);
    await chargeKeys(tx, deltas.keys);
    return fresh.size;
  });
  return { applied, duplicates: valid.length - applied };
}

async function pricedRows(db: Db, log: Log, records: readonly UsageRecord[]): Promise<NewUsageLog[]> {
  const [prices, multipliers, names] = await Promise.all([
    effectivePrices(db),
    rateMultipliers(db, [...new Set(records.map((r) => r.groupId))]),
    apiKeyNames(db, [...new Set(records.map((r) => r.apiKeyId))]),
  ]);
  const now = new Date();
  return records.map((r) => {
    const tokens = {
      inputTokens: atLeastZero(r.inputTokens),
      outputTokens: atLeastZero(r.outputTokens),
      cacheCreationTokens: atLeastZero(r.cacheCreationTokens),
      cacheReadTokens: atLeastZero(r.cacheReadTokens),
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
      cost,
      actualCost,
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
