import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal, parseDecimal } from "../../common/money.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { type UsageFilter, UsageGroupBy, type UsageTotals } from "../../gen/tollgate/admin/v1/usage_pb.js";
import { type UsageAck, UsageBatchSchema, type UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { type Database, openDatabase, queryRows } from "../db/database.js";
import { must, startTestControlPlane, type TestControlPlane, unique } from "../test-support.js";

// GetUsageStats and GetKeyUsage read rollups (and raw logs for unaligned edges); whatever the filter,
// grouping and range, they must equal a straight sum over usage_logs. Usage arrives through ReportUsage,
// concurrently and with resends, on real PostgreSQL.

type RecordInit = MessageInitShape<typeof UsageRecordSchema>;

/** mulberry32: a small seeded generator, so a failure replays the same data. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GROUPINGS: [string, UsageGroupBy, string | undefined][] = [
  ["totals", UsageGroupBy.UNSPECIFIED, undefined],
  ["model", UsageGroupBy.MODEL, "model"],
  ["account", UsageGroupBy.ACCOUNT, "account_id"],
  ["key", UsageGroupBy.API_KEY, "api_key_id"],
  ["user", UsageGroupBy.USER, "user_id"],
  ["day", UsageGroupBy.DAY, `to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`],
  [
    "hour",
    UsageGroupBy.HOUR,
    `to_char(date_trunc('hour', created_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  ],
];

type Row = Record<string, string>;

/** The straight answer: one aggregate over usage_logs. */
async function fromLogs(database: Database, filter: UsageFilter, key: string | undefined) {
  const conditions: SQL[] = [sql`true`];
  if (filter.userId) conditions.push(sql`user_id = ${filter.userId}`);
  if (filter.apiKeyId) conditions.push(sql`api_key_id = ${filter.apiKeyId}`);
  if (filter.accountId) conditions.push(sql`account_id = ${filter.accountId}`);
  if (filter.groupId) conditions.push(sql`group_id = ${filter.groupId}`);
  if (filter.model) conditions.push(sql`model = ${filter.model}`);
  const at = (t: NonNullable<UsageFilter["startTime"]>) =>
    new Date(Number(t.seconds) * 1000 + t.nanos / 1e6).toISOString();
  if (filter.startTime) conditions.push(sql`created_at >= ${at(filter.startTime)}::timestamptz`);
  if (filter.endTime) conditions.push(sql`created_at < ${at(filter.endTime)}::timestamptz`);
  const measures = sql`count(*)::text as requests, coalesce(sum(input_tokens), 0)::text as input,
    coalesce(sum(output_tokens), 0)::text as output, coalesce(sum(cache_creation_tokens), 0)::text as cw,
    coalesce(sum(cache_read_tokens), 0)::text as cr, coalesce(sum(cost), 0)::text as cost,
    coalesce(sum(actual_cost), 0)::text as actual, coalesce(round(avg(duration_ms)), 0)::text as avg`;
  const where = sql.join(conditions, sql` and `);
  const [totals] = await queryRows<Row>(database.db, sql`select ${measures} from usage_logs where ${where}`);
  const buckets = key
    ? await queryRows<Row>(
        database.db,
        sql`select ${sql.raw(key)} as key, ${measures} from usage_logs where ${where} group by 1 order by 1`,
      )
    : [];
  return { totals, buckets };
}

const decimal = (text: string) => formatDecimal(parseDecimal(text) ?? -1n);

function shown(t: UsageTotals | undefined) {
  return {
    requests: String(t?.requests ?? 0n),
    input: String(t?.inputTokens ?? 0n),
    output: String(t?.outputTokens ?? 0n),
    cw: String(t?.cacheCreationTokens ?? 0n),
    cr: String(t?.cacheReadTokens ?? 0n),
    cost: t?.costUsd ?? "",
    actual: t?.actualCostUsd ?? "",
    avg: String(t?.averageDurationMs ?? 0n),
  };
}

function expected(row: Row | undefined) {
  return {
    requests: row?.requests,
    input: row?.input,
    output: row?.output,
    cw: row?.cw,
    cr: row?.cr,
    cost: decimal(row?.cost ?? "0"),
    actual: decimal(row?.actual ?? "0"),
    avg: row?.avg,
  };
}

describe("usage rollups", () => {
  let cp: TestControlPlane;
  let database: Database;
  beforeAll(async () => {
    cp = await startTestControlPlane("postgres");
    database = await openDatabase({ databaseUrl: cp.databaseUrl, pgliteDir: "" });
  });
  afterAll(async () => {
    await database?.close();
    await cp?.close();
  });

  async function send(batches: RecordInit[][]): Promise<UsageAck[]> {
    const stream = (async function* () {
      for (const [i, records] of batches.entries()) yield create(UsageBatchSchema, { batchId: BigInt(i), records });
    })();
    const acks: UsageAck[] = [];
    for await (const ack of cp.plane.reportUsage(stream)) acks.push(ack);
    return acks;
  }

  // Three days of usage by 3 users, 5 keys, 3 accounts, 2 groups and 3 models, at millisecond times.
  const next = random(20260301);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const start = Date.UTC(2026, 2, 1, 21, 17, 3, 250);
  const span = 3 * 86_400_000;
  let keys: { id: string; userId: string }[] = [];
  let groups: string[] = [];
  const accounts = [unique("acct"), unique("acct"), unique("acct")];
  const models = ["claude-sonnet-4-5", "claude-haiku-4-5", "model-without-price"];
  const record = (): RecordInit => {
    const key = pick(keys);
    return {
      requestId: unique("r"),
      apiKeyId: key.id,
      userId: key.userId,
      accountId: pick(accounts),
      groupId: pick(groups),
      model: pick(models),
      platform: Platform.ANTHROPIC,
      inputTokens: BigInt(Math.floor(next() * 50_000)),
      outputTokens: BigInt(Math.floor(next() * 8_000)),
      cacheCreationTokens: BigInt(Math.floor(next() * 3_000)),
      cacheReadTokens: BigInt(Math.floor(next() * 90_000)),
      durationMs: BigInt(Math.floor(next() * 20_000)),
      statusCode: 200,
      createdAt: timestampFromDate(new Date(start + Math.floor(next() * span))),
    };
  };

  it("bills and counts every record once, however it is batched and resent", async () => {
    groups = [];
    for (const multiplier of ["1", "1.25"]) {
      const group = (
        await cp.admin.groups.createGroup({
          name: unique("g"),
          platform: Platform.ANTHROPIC,
          rateMultiplier: multiplier,
        })
      ).group;
      groups.push(must(group).id);
    }
    const users = [];
    for (let i = 0; i < 3; i++) {
      users.push(
        must((await cp.admin.users.createUser({ email: `${unique("roll")}@e.com`, balanceUsd: "1000" })).user),
      );
    }
    keys = [];
    for (let i = 0; i < 5; i++) {
      const user = users[i % users.length];
      const key = await cp.admin.keys.createApiKey({ userId: must(user).id, groupId: groups[0] });
      keys.push({ id: must(key.apiKey).id, userId: must(user).id });
    }

    const batches = Array.from({ length: 12 }, (_, i) => Array.from({ length: 20 + i * 7 }, record));
    // A batch holding one request twice, and one overlapping records already sent.
    const twice = record();
    batches.push([twice, record(), twice]);
    batches.push([...(batches[3] ?? []).slice(0, 5), record()]);
    const acks = (await Promise.all([0, 1, 2].map((lane) => send(batches.filter((_, i) => i % 3 === lane))))).flat();
    const total = new Set(batches.flat().map((r) => r.requestId)).size;
    expect(acks.reduce((sum, a) => sum + a.applied, 0)).toBe(total);

    const before = await cp.admin.usage.getUsageStats({ groupBy: UsageGroupBy.HOUR });
    const resent = await send([batches[5] ?? [], batches[9] ?? []]);
    expect(resent.map((a) => [a.applied, a.duplicates])).toEqual([
      [0, batches[5]?.length],
      [0, batches[9]?.length],
    ]);
    expect(await cp.admin.usage.getUsageStats({ groupBy: UsageGroupBy.HOUR })).toEqual(before);
    expect(before.totals?.requests).toBe(BigInt(total));

    for (const key of keys) {
      const [spent] = await queryRows<{ cost: string }>(
        database.db,
        sql`select coalesce(sum(actual_cost), 0)::text as cost from usage_logs where api_key_id = ${key.id}`,
      );
      expect((await cp.admin.keys.getApiKey({ id: key.id })).apiKey?.quotaUsedUsd).toBe(decimal(spent?.cost ?? ""));
    }
    for (const user of users) {
      const [spent] = await queryRows<{ left: string }>(
        database.db,
        sql`select (1000 - coalesce(sum(actual_cost), 0))::text as left from usage_logs where user_id = ${user.id}`,
      );
      expect((await cp.admin.users.getUser({ id: user.id })).user?.balanceUsd).toBe(decimal(spent?.left ?? ""));
    }
  });

  it("answers GetUsageStats exactly for every filter, grouping and range", async () => {
    const ts = (ms: number) => timestampFromDate(new Date(ms));
    const day = Date.UTC(2026, 2, 2);
    const ranges: [string, Partial<UsageFilter>][] = [
      ["everything", {}],
      ["whole days", { startTime: ts(day), endTime: ts(day + 86_400_000) }],
      ["whole hours across midnight", { startTime: ts(day - 5 * 3600_000), endTime: ts(day + 7 * 3600_000) }],
      ["minutes across days", { startTime: ts(day - 5 * 3600_000 - 1234), endTime: ts(day + 30 * 3600_000 + 98_765) }],
      ["inside one hour", { startTime: ts(day + 600_001), endTime: ts(day + 1_800_000) }],
      ["open end", { startTime: ts(day + 13 * 60_000) }],
      ["open start", { endTime: ts(day + 25 * 3600_000 + 1) }],
    ];
    const key = must(keys[1]);
    const filters: [string, Partial<UsageFilter>][] = [
      ["no filter", {}],
      ["key", { apiKeyId: key.id }],
      ["user", { userId: key.userId }],
      ["account and model", { accountId: accounts[0], model: models[0] }],
      ["group and key", { groupId: groups[1], apiKeyId: key.id }],
    ];
    let compared = 0;
    for (const [, range] of ranges) {
      for (const [, dimensions] of filters) {
        const filter = { ...dimensions, ...range } as UsageFilter;
        for (const [name, groupBy, column] of GROUPINGS) {
          const stats = await cp.admin.usage.getUsageStats({ filter, groupBy });
          const straight = await fromLogs(database, filter, column);
          const where = `${name} ${JSON.stringify(filter, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`;
          expect(shown(stats.totals), where).toEqual(expected(straight.totals));
          expect(
            stats.buckets.map((b) => ({ key: b.key, ...shown(b.totals) })),
            where,
          ).toEqual(straight.buckets.map((b) => ({ key: b.key, ...expected(b) })));
          compared += straight.buckets.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("answers GetKeyUsage exactly: today, all time and the last five minutes", async () => {
    const key = must(keys[0]);
    const now = Date.now();
    const recent = [now - 60_000, now - 150_000, now - 20 * 60_000, now - 3 * 86_400_000].map((at) => ({
      ...record(),
      apiKeyId: key.id,
      userId: key.userId,
      createdAt: timestampFromDate(new Date(at)),
    }));
    await send([recent]);
    const usage = await cp.plane.getKeyUsage({ apiKeyId: key.id });
    const startOfDay = new Date(new Date(now).setUTCHours(0, 0, 0, 0));
    const total = await fromLogs(database, { apiKeyId: key.id } as UsageFilter, undefined);
    const today = await fromLogs(
      database,
      { apiKeyId: key.id, startTime: timestampFromDate(startOfDay) } as UsageFilter,
      undefined,
    );
    const period = (row: Row | undefined) => ({
      requests: BigInt(row?.requests ?? -1),
      totalTokens: BigInt(row?.input ?? 0) + BigInt(row?.output ?? 0) + BigInt(row?.cw ?? 0) + BigInt(row?.cr ?? 0),
      cost: decimal(row?.cost ?? ""),
      actualCost: decimal(row?.actual ?? ""),
    });
    expect(usage.total).toMatchObject(period(total.totals));
    expect(usage.today).toMatchObject(period(today.totals));
    expect(usage.averageDurationMs).toBe(BigInt(total.totals?.avg ?? -1));
    const lastFive = recent.slice(0, 2);
    const tokens = lastFive.reduce(
      (sum, r) =>
        sum +
        Number(r.inputTokens) +
        Number(r.outputTokens) +
        Number(r.cacheCreationTokens) +
        Number(r.cacheReadTokens),
      0,
    );
    expect(usage.rpm).toBeCloseTo(2 / 5);
    expect(usage.tpm).toBeCloseTo(tokens / 5);
  });
});
