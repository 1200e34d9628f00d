import { create } from "@bufbuild/protobuf";
import { timestampFromDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal, parseDecimal } from "../../common/money.js";
import { billedCost, MAX_TOKEN_COUNT, resolvePrice } from "../../common/pricing.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import {
  type UsageAck,
  type UsageBatch,
  UsageBatchSchema,
  type UsageRecord,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import {
  bearer,
  must,
  planeClient,
  planeTransport,
  startTestControlPlane,
  TEST_NODE_TOKEN,
  type TestControlPlane,
  unique,
} from "../test-support.js";
import { DEFAULT_PRICES } from "./default-prices.js";

// ReportUsage on real PostgreSQL, over h2c: idempotent, exact under concurrency, acked only after commit.

type RecordInit = Partial<Omit<UsageRecord, "$typeName" | "$unknown">>;

describe("ReportUsage", () => {
  let cp: TestControlPlane;
  const logLines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    cp = await startTestControlPlane("postgres", { log: (line) => logLines.push(line) });
  });
  afterAll(() => cp?.close());

  async function fixture(balanceUsd = "100", rateMultiplier = "1") {
    const user = must((await cp.admin.users.createUser({ email: `${unique("r")}@e.com`, balanceUsd })).user);
    const group = must(
      (await cp.admin.groups.createGroup({ name: unique("g"), platform: Platform.ANTHROPIC, rateMultiplier })).group,
    );
    const key = must((await cp.admin.keys.createApiKey({ userId: user.id, groupId: group.id })).apiKey);
    const record = (init: RecordInit = {}): RecordInit => ({
      requestId: unique("req"),
      apiKeyId: key.id,
      userId: user.id,
      groupId: group.id,
      accountId: "acct",
      model: "claude-sonnet-4-5",
      platform: Platform.ANTHROPIC,
      inputTokens: 1200n,
      outputTokens: 345n,
      cacheCreationTokens: 50n,
      cacheReadTokens: 7000n,
      statusCode: 200,
      ...init,
    });
    return { user, group, key, record };
  }

  async function send(batches: UsageBatch[], client = cp.plane): Promise<UsageAck[]> {
    const acks: UsageAck[] = [];
    const stream = (async function* () {
      yield* batches;
    })();
    for await (const ack of client.reportUsage(stream)) acks.push(ack);
    return acks;
  }

  const batch = (batchId: bigint, records: RecordInit[]) => create(UsageBatchSchema, { batchId, records });

  it("bills a batch delivered twice once", async () => {
    const { key, user, record } = await fixture();
    const records = [record(), record({ outputTokens: 10n }), record({ model: "claude-opus-4-1" })];
    expect(await send([batch(1n, records)])).toMatchObject([{ batchId: 1n, applied: 3, duplicates: 0 }]);
    expect(await send([batch(2n, records)])).toMatchObject([{ batchId: 2n, applied: 0, duplicates: 3 }]);

    const stats = await cp.admin.usage.getUsageStats({ filter: { apiKeyId: key.id } });
    expect(stats.totals?.requests).toBe(3n);
    const billed = must(stats.totals?.actualCostUsd);
    expect((await cp.admin.keys.getApiKey({ id: key.id })).apiKey?.quotaUsedUsd).toBe(billed);
    expect((await cp.admin.users.getUser({ id: user.id })).user?.balanceUsd).toBe(
      formatDecimal((parseDecimal("100") as bigint) - (parseDecimal(billed) as bigint)),
    );
  });

  it("bills the same batch alike in every protocol and codec: binary ones reach the service encoded", async () => {
    const { key, record } = await fixture();
    const url = cp.running.planeUrl;
    const interceptors = [bearer(TEST_NODE_TOKEN)];
    const clients = [
      planeClient(createGrpcTransport({ baseUrl: url, interceptors })),
      planeClient(createConnectTransport({ baseUrl: url, httpVersion: "2", interceptors })),
      planeClient(createConnectTransport({ baseUrl: url, httpVersion: "2", useBinaryFormat: false, interceptors })),
      planeClient(createGrpcTransport({ baseUrl: url, useBinaryFormat: false, interceptors })),
    ];
    const costs: string[] = [];
    for (const client of clients) {
      const sent = record({ model: "claude-opus-4-1", firstTokenMs: 40n, userAgent: "é 中 🙂" });
      expect(await send([batch(1n, [sent])], client)).toMatchObject([{ batchId: 1n, applied: 1, duplicates: 0 }]);
      const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id }, pageSize: 500 });
      const log = must(logs.find((l) => l.requestId === sent.requestId));
      expect(log).toMatchObject({
        model: "claude-opus-4-1",
        firstTokenMs: 40n,
        userAgent: "é 中 🙂",
        inputTokens: 1200n,
      });
      costs.push(log.actualCostUsd);
    }
    expect(new Set(costs).size).toBe(1);
  });

  it("refuses a batch whose record is not valid protobuf, in the binary codecs as in JSON", async () => {
    const { record } = await fixture();
    const broken = create(UsageBatchSchema, { batchId: 1n, records: [record()] });
    // A record whose request_id holds invalid UTF-8, sent as an unknown field 2 of the batch.
    broken.records = [];
    broken.$unknown = [{ no: 2, wireType: 2, data: Uint8Array.from([4, 0x0a, 0x02, 0xc3, 0x28]) }];
    const error = await send([broken]).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
  });

  it("prices with the group multiplier applied once, and bills unknown models at 0 with a warning", async () => {
    const { key, record } = await fixture("10", "1.5");
    const known = record();
    const unknown = record({ model: "mystery-model-1" });
    await send([batch(1n, [known, unknown])]);
    const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id } });
    const price = must(resolvePrice(DEFAULT_PRICES, "claude-sonnet-4-5"));
    const expected = billedCost(
      price,
      { inputTokens: 1200, outputTokens: 345, cacheCreationTokens: 50, cacheReadTokens: 7000 },
      parseDecimal("1.5") as bigint,
    );
    expect(logs.find((l) => l.requestId === known.requestId)).toMatchObject({
      costUsd: formatDecimal(expected.cost),
      actualCostUsd: formatDecimal(expected.actualCost),
    });
    expect(logs.find((l) => l.requestId === unknown.requestId)).toMatchObject({ costUsd: "0", actualCostUsd: "0" });
    expect(logLines).toContainEqual(expect.objectContaining({ level: "warn", model: "mystery-model-1" }));
  });

  it("prices each batch with the prices and multiplier in force when it is applied", async () => {
    const { key, group, record } = await fixture("10", "2");
    const model = unique("priced-model");
    const price = (input: string) => ({
      model,
      inputPerMtok: input,
      outputPerMtok: "0",
      cacheWritePerMtok: "0",
      cacheReadPerMtok: "0",
    });
    const costOf = async (init: RecordInit) => {
      await send([batch(1n, [init])]);
      const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id, model }, pageSize: 500 });
      return logs.find((l) => l.requestId === init.requestId)?.actualCostUsd;
    };
    const tokens = { model, inputTokens: 1_000_000n, outputTokens: 0n, cacheCreationTokens: 0n, cacheReadTokens: 0n };
    await cp.admin.pricing.setModelPrice({ price: price("1") });
    expect(await costOf(record(tokens))).toBe("2");
    await cp.admin.pricing.setModelPrice({ price: price("3") });
    expect(await costOf(record(tokens))).toBe("6");
    await cp.admin.groups.updateGroup({ id: group.id, rateMultiplier: "0.5" });
    expect(await costOf(record(tokens))).toBe("1.5");
  });

  it("adds up exactly under 50 concurrent batches from several connections", async () => {
    const { key, user, record } = await fixture("1000");
    const clients = Array.from({ length: 5 }, () => planeClient(planeTransport(cp.running.planeUrl)));
    const batches = Array.from({ length: 50 }, (_, i) =>
      batch(
        BigInt(i),
        Array.from({ length: 4 }, (_, j) =>
          record({
            inputTokens: BigInt(100 + i * 7 + j),
            outputTokens: BigInt(13 * j + i),
            cacheReadTokens: BigInt(i * j),
          }),
        ),
      ),
    );
    const acks = (await Promise.all(batches.map((b, i) => send([b], clients[i % clients.length])))).flat();
    expect(acks.reduce((sum, a) => sum + a.applied, 0)).toBe(200);

    const price = must(resolvePrice(DEFAULT_PRICES, "claude-sonnet-4-5"));
    let expected = 0n;
    for (const b of batches) {
      for (const r of b.records) {
        expected += billedCost(
          price,
          {
            inputTokens: Number(r.inputTokens),
            outputTokens: Number(r.outputTokens),
            cacheCreationTokens: Number(r.cacheCreationTokens),
            cacheReadTokens: Number(r.cacheReadTokens),
          },
          parseDecimal("1") as bigint,
        ).actualCost;
      }
    }
    const stats = await cp.admin.usage.getUsageStats({ filter: { apiKeyId: key.id } });
    expect(stats.totals?.requests).toBe(200n);
    expect(stats.totals?.actualCostUsd).toBe(formatDecimal(expected));
    expect((await cp.admin.keys.getApiKey({ id: key.id })).apiKey?.quotaUsedUsd).toBe(formatDecimal(expected));
    expect((await cp.admin.users.getUser({ id: user.id })).user?.balanceUsd).toBe(
      formatDecimal((parseDecimal("1000") as bigint) - expected),
    );
  });

  it("acks each batch of a stream only once its records are committed", async () => {
    const { key, record } = await fixture();
    const batches = [batch(10n, [record(), record()]), batch(11n, [record()])];
    const stream = (async function* () {
      yield* batches;
    })();
    const seen: number[] = [];
    for await (const ack of cp.plane.reportUsage(stream)) {
      const ids = (batches.find((b) => b.batchId === ack.batchId)?.records ?? []).map((r) => r.requestId);
      const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id }, pageSize: 500 });
      for (const id of ids) expect(logs.map((l) => l.requestId)).toContain(id);
      seen.push(Number(ack.batchId));
    }
    expect(seen).toEqual([10, 11]);
  });

  it("ends the stream without an ack when a batch cannot be applied, and takes the resend", async () => {
    const { key, record } = await fixture();
    const good = record();
    // What a record carries can no longer fail a batch (bad counts, times and text are held to what
    // PostgreSQL stores); a failing database still can. A trigger stands in for one: this batch's
    // transaction fails and rolls back as a whole.
    const sql = postgres(must(cp.databaseUrl), { max: 1, onnotice: () => {} });
    await sql.unsafe(`
      CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.request_id LIKE 'poison-%' THEN RAISE EXCEPTION 'refused %', NEW.request_id; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON usage_logs FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    `);
    await sql.end();
    const poisoned = batch(1n, [good, record({ requestId: unique("poison") })]);
    const acks: UsageAck[] = [];
    const error = await send([poisoned]).then(
      (a) => {
        acks.push(...a);
        return undefined;
      },
      (e: unknown) => ConnectError.from(e),
    );
    expect(acks).toEqual([]);
    expect(error?.code).toBe(Code.Unavailable);
    expect((await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id } })).logs).toEqual([]);
    expect(await send([batch(2n, [good])])).toMatchObject([{ applied: 1, duplicates: 0 }]);
  });

  it("bills records whose logged strings carry a NUL, stored as U+FFFD, instead of failing their batch", async () => {
    const { key, record } = await fixture();
    const acks = await send([
      batch(1n, [
        record(),
        record({ model: "claude\u0000x" }),
        record({ userAgent: "agent\u0000x" }),
        record({ ipAddress: "10.0.0.1\u0000x" }),
      ]),
    ]);
    expect(acks).toMatchObject([{ applied: 4, duplicates: 0 }]);
    const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id } });
    expect(logs.map((l) => l.model).sort()).toEqual(
      ["claude-sonnet-4-5", "claude-sonnet-4-5", "claude-sonnet-4-5", "claude\uFFFDx"].sort(),
    );
    expect(logs.map((l) => l.userAgent)).toContain("agent\uFFFDx");
    expect(logs.map((l) => l.ipAddress)).toContain("10.0.0.1\uFFFDx");
  });

  it("stores each record of a batch with its own key, user, account, model and client, however they repeat", async () => {
    const a = await fixture();
    const b = await fixture();
    // Combinations recur out of order; the last two differ only in where a text splits between fields.
    const sent = [
      a.record({ accountId: "acct-1", ipAddress: "10.0.0.1", userAgent: "cli/1" }),
      b.record({ accountId: "acct-1", ipAddress: "10.0.0.1", userAgent: "cli/1" }),
      a.record({ accountId: "acct-2", model: "claude-opus-4-1", ipAddress: "10.0.0.1", userAgent: "cli/1" }),
      a.record({ accountId: "acct-1", ipAddress: "10.0.0.1", userAgent: "cli/1" }),
      b.record({ accountId: "acct-1", ipAddress: "10.0.0.2", userAgent: "cli/1" }),
      a.record({ accountId: "acct-2", model: "claude-opus-4-1", ipAddress: "10.0.0.1", userAgent: "cli/1" }),
      b.record({ accountId: "acct-1", ipAddress: "10.0.0.1", userAgent: "cli/1" }),
      a.record({ accountId: "acct-3", ipAddress: "1:2", userAgent: "3" }),
      a.record({ accountId: "acct-3", ipAddress: "1", userAgent: "2:3" }),
    ];
    expect(await send([batch(1n, sent)])).toMatchObject([{ applied: sent.length, duplicates: 0 }]);
    const logs = [
      ...(await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: a.key.id } })).logs,
      ...(await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: b.key.id } })).logs,
    ];
    const stored = (l: (typeof logs)[number]) => [l.requestId, l.apiKeyId, l.userId, l.groupId, l.accountId, l.model];
    const client = (l: { requestId?: string; ipAddress?: string; userAgent?: string }) => [
      l.requestId,
      l.ipAddress,
      l.userAgent,
    ];
    const sentAs = (r: RecordInit) => [r.requestId, r.apiKeyId, r.userId, r.groupId, r.accountId, r.model];
    const byId = (x: unknown[], y: unknown[]) => String(x[0]).localeCompare(String(y[0]));
    expect(logs.map(stored).sort(byId)).toEqual(sent.map(sentAs).sort(byId));
    expect(logs.map(client).sort(byId)).toEqual(sent.map(client).sort(byId));
  });

  it("bills a token count past any real request at the cap instead of failing its batch", async () => {
    const { key, record } = await fixture();
    // Two of these in one rollup bucket would overflow PostgreSQL's int8 sums.
    const absurd = {
      inputTokens: 9_000_000_000_000_000_000n,
      outputTokens: 0n,
      cacheCreationTokens: 0n,
      cacheReadTokens: 0n,
    };
    expect(await send([batch(1n, [record(absurd), record(absurd)])])).toMatchObject([{ applied: 2, duplicates: 0 }]);
    const stats = await cp.admin.usage.getUsageStats({ filter: { apiKeyId: key.id } });
    expect(stats.totals?.inputTokens).toBe(2n * BigInt(MAX_TOKEN_COUNT));
  });

  it("stores a log's time to the millisecond and its cost to the atto-dollar", async () => {
    const { key, record } = await fixture("10");
    const model = unique("atto-model");
    // $0.000003 per MTok: one input token costs 3e-12, a thousand and one 3.003e-9.
    await cp.admin.pricing.setModelPrice({
      price: { model, inputPerMtok: "0.000003", outputPerMtok: "0", cacheWritePerMtok: "0", cacheReadPerMtok: "0" },
    });
    const at = Date.now() - 3_600_000 + 987;
    const tokens = { model, outputTokens: 0n, cacheCreationTokens: 0n, cacheReadTokens: 0n };
    await send([
      batch(1n, [
        record({ ...tokens, inputTokens: 1001n, createdAt: timestampFromMs(at) }),
        record({ ...tokens, inputTokens: 1n, createdAt: timestampFromMs(at + 1) }),
      ]),
    ]);
    const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id, model } });
    expect(logs.map((l) => [Number(l.createdAt?.seconds) * 1000 + (l.createdAt?.nanos ?? 0) / 1e6, l.costUsd])).toEqual(
      [
        [at + 1, "0.000000000003"],
        [at, "0.000000003003"],
      ],
    );
  });

  it("stores durations and times from a broken data-plane clock within bounds instead of failing the batch", async () => {
    const { key, record } = await fixture();
    const before = Date.now();
    const broken = [
      record({ durationMs: 9_000_000_000_000_000_000n, firstTokenMs: -5n }),
      record({ durationMs: 9_000_000_000_000_000_000n, createdAt: timestampFromMs(9_000_000_000_000_000) }),
      record({ durationMs: -1n, createdAt: timestampFromDate(new Date("1900-01-01T00:00:00Z")) }),
    ];
    expect(await send([batch(1n, broken)])).toMatchObject([{ applied: 3, duplicates: 0 }]);
    const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id } });
    expect(logs.map((l) => l.durationMs).sort()).toEqual([0n, 86_400_000n, 86_400_000n]);
    expect(logs.map((l) => l.firstTokenMs)).toContain(0n);
    for (const log of logs) {
      const at = Number(log.createdAt?.seconds) * 1000;
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    }
  });

  it("stores every logged string as sent, whatever characters it carries", async () => {
    const { key, record } = await fixture();
    const strange = ['agent "quoted" \\ back\\slash', "{braces}, commas", "NULL", "", " spaced ", "é 中 🙂 'x'"];
    const acks = await send([
      batch(
        1n,
        strange.map((userAgent) => record({ userAgent, model: userAgent })),
      ),
    ]);
    expect(acks).toMatchObject([{ applied: strange.length, duplicates: 0 }]);
    const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id } });
    expect(logs.map((l) => l.userAgent).sort()).toEqual([...strange].sort());
    expect(logs.map((l) => l.model).sort()).toEqual([...strange].sort());
  });

  it("answers GetKeyUsage from the key's logs", async () => {
    const { key, user, record } = await fixture("20");
    const now = Date.now();
    const times = [now - 60_000, now - 120_000, now - 3 * 86_400_000];
    const durations = [100n, 300n, 200n];
    await send([
      batch(
        1n,
        times.map((t, i) => record({ createdAt: timestampFromDate(new Date(t)), durationMs: durations[i] })),
      ),
    ]);
    const startOfDay = new Date(now).setUTCHours(0, 0, 0, 0);
    const usage = await cp.plane.getKeyUsage({ apiKeyId: key.id });
    const perRecordTokens = 1200 + 345 + 50 + 7000;
    expect(usage.total).toMatchObject({ requests: 3n, totalTokens: BigInt(3 * perRecordTokens) });
    expect(usage.today?.requests).toBe(BigInt(times.filter((t) => t >= startOfDay).length));
    expect(usage.averageDurationMs).toBe(200n);
    expect(usage.rpm).toBeCloseTo(2 / 5);
    expect(usage.tpm).toBeCloseTo((2 * perRecordTokens) / 5);
    const apiKey = (await cp.admin.keys.getApiKey({ id: key.id })).apiKey;
    expect(usage.quotaUsedUsd).toBe(apiKey?.quotaUsedUsd);
    expect(usage.total?.actualCost).toBe(apiKey?.quotaUsedUsd);
    expect(usage.balanceUsd).toBe((await cp.admin.users.getUser({ id: user.id })).user?.balanceUsd);
    await expect(cp.plane.getKeyUsage({ apiKeyId: "missing" })).rejects.toMatchObject({ code: Code.NotFound });
  });
});
