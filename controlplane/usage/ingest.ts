import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { type Atto, parseDecimal } from "../../common/money.js";
import { billedCost, MAX_TOKEN_COUNT, priceOf } from "../../common/pricing.js";
import type { UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { Log } from "../context.js";
import { chargeKeys, chargeUsers } from "../db/billing.js";
import type { Db } from "../db/database.js";
import { insertNewUsageLogs, type NewUsageLog } from "../db/usage-logs.js";
import { addToRollups } from "../db/usage-rollups.js";
import { platformName } from "../stored-values.js";
import { billingDeltas } from "./billing-deltas.js";
import type { BillingRates, BillingRatesSource } from "./billing-rates.js";

// Applying usage (DESIGN §6): one transaction per group of batches. A log is inserted only if its
// request_id is new, and only new logs are billed and rolled up, so a batch delivered twice bills and
// counts once. The transaction takes no global lock: writers apply side by side, meeting only on the
// users and keys they share (locked in one order, db/billing.ts) — rollup buckets are striped per
// writer. Data planes learn the new quota used and balances from usage-versions.ts.

export interface BatchResult {
  applied: number;
  duplicates: number;
}

const ONE = parseDecimal("1") as Atto;
export const ROLLUP_STRIPES = 4;
// What a data plane reports is held to what the control plane's int8 sums (rollups, totals) and
// PostgreSQL's timestamps can take: a record that failed would fail its whole batch, resent forever.
const within = (value: bigint, max: bigint) => (value < 0n ? 0n : value > max ? max : value);
// Token counts stay bigint end to end.
const MAX_TOKENS = BigInt(MAX_TOKEN_COUNT);
// No request lasts a day.
const DAY_MS = 86_400_000;
const storableMs = (ms: bigint) => Number(within(ms, BigInt(DAY_MS)));
// A record stamped before 1970 or over a day ahead comes from a broken clock: it is dated on receipt.
function storableTime(stamp: Timestamp | undefined, now: Date): Date {
  if (!stamp) return now;
  const at = timestampDate(stamp);
  const ms = at.getTime();
  return ms >= 0 && ms <= now.getTime() + DAY_MS ? at : now;
}
// PostgreSQL text cannot hold NUL. A client's model name may carry one, and the record would fail its
// whole batch, resent forever ahead of every later record of its data plane: billing would stop.
const storableText = (text: string) => (text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text);

/**
 * Applies batches in one transaction (usage/ingest-queue.ts groups concurrent ones) and says, for each,
 * how many of its records were new. A request id in several batches belongs to the first. `stripe`
 * (0 to ROLLUP_STRIPES - 1) is the writer's stripe of the rollup buckets.
 */
export async function applyUsageBatches(
  db: Db,
  rates: BillingRatesSource,
  log: Log,
  batches: readonly (readonly UsageRecord[])[],
  stripe: number,
): Promise<BatchResult[]> {
  const owner = new Map<string, number>();
  const distinct: UsageRecord[] = [];
  const valid = batches.map(() => 0);
  let missingIds = 0;
  for (const [index, records] of batches.entries()) {
    for (const record of records) {
      if (record.requestId === "") {
        missingIds++;
        continue;
      }
      valid[index] = (valid[index] as number) + 1;
      if (!owner.has(record.requestId)) {
        owner.set(record.requestId, index);
        distinct.push(record);
      }
    }
  }
  if (missingIds > 0) log({ level: "warn", msg: "usage records without request_id dropped", count: missingIds });
  const fresh =
    distinct.length === 0 ? new Set<string>() : await apply(db, pricedRows(await rates(), log, distinct), stripe);
  const applied = batches.map(() => 0);
  for (const id of fresh) {
    const index = owner.get(id) as number;
    applied[index] = (applied[index] ?? 0) + 1;
  }
  return applied.map((count, index) => ({ applied: count, duplicates: (valid[index] as number) - count }));
}

/** One transaction: the new logs, their rollups and their charges; returns the request ids that were new. */
function apply(db: Db, rows: NewUsageLog[], stripe: number): Promise<Set<string>> {
  return db.transaction(async (tx) => {
    const fresh = await insertNewUsageLogs(tx, rows);
    const deltas = billingDeltas(rows.filter((r) => fresh.has(r.requestId)));
    // Sent in one write and run in this order: users before keys is the lock order (db/billing.ts).
    await Promise.all([
      addToRollups(tx, deltas.rollups, stripe),
      chargeUsers(tx, deltas.users),
      chargeKeys(tx, deltas.keys),
    ]);
    return fresh;
  });
}

function pricedRows({ prices, multipliers }: BillingRates, log: Log, records: readonly UsageRecord[]): NewUsageLog[] {
  const now = new Date();
  const unpriced = new Map<string, number>();
  const rows = records.map((r) => {
    const model = storableText(r.model);
    const inputTokens = within(r.inputTokens, MAX_TOKENS);
    const outputTokens = within(r.outputTokens, MAX_TOKENS);
    const cacheCreationTokens = within(r.cacheCreationTokens, MAX_TOKENS);
    const cacheReadTokens = within(r.cacheReadTokens, MAX_TOKENS);
    const price = priceOf(prices, model);
    if (!price) unpriced.set(model, (unpriced.get(model) ?? 0) + 1);
    // A group deleted since the request was served bills at list price.
    const multiplier = multipliers.get(r.groupId) ?? ONE;
    const { cost, actualCost } = price
      ? billedCost(price, { inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens }, multiplier)
      : { cost: 0n, actualCost: 0n };
    // Written out, not spread: this object is made for every ingested record.
    return {
      requestId: r.requestId,
      userId: r.userId,
      apiKeyId: r.apiKeyId,
      accountId: r.accountId,
      groupId: r.groupId,
      platform: platformName(r.platform) ?? "",
      model,
      inputTokens,
      outputTokens,
      cacheCreationTokens,
      cacheReadTokens,
      cost,
      actualCost,
      stream: r.stream,
      statusCode: r.statusCode,
      durationMs: storableMs(r.durationMs),
      firstTokenMs: r.firstTokenMs === undefined ? null : storableMs(r.firstTokenMs),
      ipAddress: storableText(r.ipAddress),
      userAgent: storableText(r.userAgent),
      estimated: r.estimated,
      createdAt: storableTime(r.createdAt, now),
    };
  });
  // Once per model and group of batches, not once per record: an unknown model arrives by the thousand.
  for (const [model, records] of unpriced)
    log({ level: "warn", msg: "no price for model: billed at 0", model, records });
  return rows;
}
