import { describe, expect, it } from "vitest";
import { type BilledLog, type BillingDeltas, billingDeltas, type RollupDelta } from "./billing-deltas.js";
import type { Grain, Period } from "./rollup-grains.js";

const log = (init: Partial<BilledLog> & { at: string }): BilledLog => ({
  userId: "u1",
  apiKeyId: "k1",
  accountId: "a1",
  groupId: "g1",
  model: "m1",
  inputTokens: 10n,
  outputTokens: 20n,
  cacheCreationTokens: 3n,
  cacheReadTokens: 4n,
  cost: 100n,
  actualCost: 150n,
  durationMs: 1000,
  createdAt: new Date(init.at),
  ...init,
});

const rollups = (deltas: BillingDeltas, grain: Grain, period: Period) =>
  deltas.rollups.find((r) => r.grain === grain && r.period === period)?.deltas ?? [];

/** Bucket start (ISO), key, model and requests of the key grain's deltas, to compare shapes in one line. */
const shape = (deltas: RollupDelta[]) =>
  deltas.map((d) => [d.bucketStart.toISOString(), d.dimensions.api_key_id, d.dimensions.model, Number(d.requests)]);

describe("billingDeltas", () => {
  it.each([
    {
      name: "two logs in one hour make one bucket of each width",
      logs: [log({ at: "2026-03-01T10:05:00Z" }), log({ at: "2026-03-01T10:59:59.999Z" })],
      hourly: [["2026-03-01T10:00:00.000Z", "k1", "m1", 2]],
      daily: [["2026-03-01T00:00:00.000Z", "k1", "m1", 2]],
    },
    {
      name: "the hour boundary belongs to the next hour; the day is shared",
      logs: [log({ at: "2026-03-01T10:59:59.999Z" }), log({ at: "2026-03-01T11:00:00Z" })],
      hourly: [
        ["2026-03-01T10:00:00.000Z", "k1", "m1", 1],
        ["2026-03-01T11:00:00.000Z", "k1", "m1", 1],
      ],
      daily: [["2026-03-01T00:00:00.000Z", "k1", "m1", 2]],
    },
    {
      name: "midnight UTC starts a new day",
      logs: [log({ at: "2026-03-01T23:30:00Z" }), log({ at: "2026-03-02T00:00:00Z" })],
      hourly: [
        ["2026-03-01T23:00:00.000Z", "k1", "m1", 1],
        ["2026-03-02T00:00:00.000Z", "k1", "m1", 1],
      ],
      daily: [
        ["2026-03-01T00:00:00.000Z", "k1", "m1", 1],
        ["2026-03-02T00:00:00.000Z", "k1", "m1", 1],
      ],
    },
    {
      name: "each of the key grain's dimensions splits a bucket",
      logs: [
        log({ at: "2026-03-01T10:00:00Z" }),
        log({ at: "2026-03-01T10:00:00Z", apiKeyId: "k2" }),
        log({ at: "2026-03-01T10:00:00Z", model: "m2" }),
        log({ at: "2026-03-01T10:00:00Z", groupId: "g2" }),
        log({ at: "2026-03-01T10:00:00Z", userId: "u2" }),
      ],
      hourly: Array.from({ length: 5 }, (_, i) => [
        "2026-03-01T10:00:00.000Z",
        i === 1 ? "k2" : "k1",
        i === 2 ? "m2" : "m1",
        1,
      ]),
      daily: Array.from({ length: 5 }, (_, i) => [
        "2026-03-01T00:00:00.000Z",
        i === 1 ? "k2" : "k1",
        i === 2 ? "m2" : "m1",
        1,
      ]),
    },
  ])("$name", ({ logs, hourly, daily }) => {
    const deltas = billingDeltas(logs);
    expect(shape(rollups(deltas, "key", "hourly"))).toEqual(hourly);
    expect(shape(rollups(deltas, "key", "daily"))).toEqual(daily);
  });

  it("sums tokens, money and durations exactly, beyond 2^53", () => {
    const big = 2n ** 53n;
    const deltas = billingDeltas([
      log({ at: "2026-03-01T10:00:00Z", inputTokens: big, cost: 10n ** 30n, durationMs: 7 }),
      log({ at: "2026-03-01T10:10:00Z", inputTokens: 1n, cost: 1n, durationMs: 8 }),
    ]);
    expect(rollups(deltas, "key", "hourly")[0]).toMatchObject({
      requests: 2n,
      inputTokens: big + 1n,
      outputTokens: 40n,
      cacheCreationTokens: 6n,
      cacheReadTokens: 8n,
      cost: 10n ** 30n + 1n,
      actualCost: 300n,
      durationMs: 15n,
    });
  });

  it("charges each key and user once with the batch's sum, and keeps the key's latest use", () => {
    const deltas = billingDeltas([
      log({ at: "2026-03-01T10:00:00Z", actualCost: 5n }),
      log({ at: "2026-03-01T12:00:00Z", actualCost: 7n, apiKeyId: "k2" }),
      log({ at: "2026-03-01T11:00:00Z", actualCost: 11n }),
      log({ at: "2026-03-01T09:00:00Z", actualCost: 13n, userId: "u2", apiKeyId: "k3" }),
    ]);
    expect(deltas.keys).toEqual([
      { id: "k1", actualCost: 16n, lastUsedAt: new Date("2026-03-01T11:00:00Z") },
      { id: "k2", actualCost: 7n, lastUsedAt: new Date("2026-03-01T12:00:00Z") },
      { id: "k3", actualCost: 13n, lastUsedAt: new Date("2026-03-01T09:00:00Z") },
    ]);
    expect(deltas.users).toEqual([
      { id: "u1", actualCost: 23n },
      { id: "u2", actualCost: 13n },
    ]);
  });

  it("keeps each grain's dimensions only, merging what it does not keep", () => {
    const deltas = billingDeltas([
      log({ at: "2026-03-01T10:00:00Z", accountId: "a1", apiKeyId: "k1" }),
      log({ at: "2026-03-01T10:20:00Z", accountId: "a1", apiKeyId: "k2", userId: "u2", groupId: "g2" }),
      log({ at: "2026-03-01T10:40:00Z", accountId: "a2", apiKeyId: "k1" }),
      log({ at: "2026-03-01T10:50:00Z", accountId: "a2", apiKeyId: "k1", model: "m2" }),
    ]);
    const view = (grain: Grain) =>
      rollups(deltas, grain, "hourly").map((d) => [d.dimensions, Number(d.requests)] as const);
    expect(view("key")).toEqual([
      [{ api_key_id: "k1", model: "m1", group_id: "g1", user_id: "u1" }, 2],
      [{ api_key_id: "k2", model: "m1", group_id: "g2", user_id: "u2" }, 1],
      [{ api_key_id: "k1", model: "m2", group_id: "g1", user_id: "u1" }, 1],
    ]);
    expect(view("account")).toEqual([
      [{ account_id: "a1", model: "m1" }, 2],
      [{ account_id: "a2", model: "m1" }, 1],
      [{ account_id: "a2", model: "m2" }, 1],
    ]);
    expect(view("model")).toEqual([
      [{ model: "m1" }, 3],
      [{ model: "m2" }, 1],
    ]);
    expect(deltas.rollups.map((r) => `${r.grain} ${r.period}`)).toEqual([
      "key hourly",
      "key daily",
      "account hourly",
      "account daily",
      "model hourly",
      "model daily",
    ]);
  });

  it("makes nothing of no logs", () => {
    const deltas = billingDeltas([]);
    expect(deltas.rollups.every((r) => r.deltas.length === 0)).toBe(true);
    expect(deltas).toMatchObject({ keys: [], users: [] });
  });
});
