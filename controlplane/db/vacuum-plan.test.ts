import { describe, expect, it } from "vitest";
import { maintenancePlan, type TableActivity } from "./vacuum-plan.js";

const table = (activity: Partial<TableActivity>): TableActivity => ({
  schema: "public",
  table: "usage_logs",
  liveTuples: 0,
  deadTuples: 0,
  insertedSinceVacuum: 0,
  modifiedSinceAnalyze: 0,
  ...activity,
});

describe("maintenancePlan", () => {
  it.each<[string, Partial<TableActivity>, { vacuum: boolean; analyze: boolean } | undefined]>([
    ["an idle table: nothing", {}, undefined],
    ["a few changes on an empty table: nothing", { deadTuples: 50, modifiedSinceAnalyze: 50 }, undefined],
    [
      "51 dead rows on an empty table: both",
      { deadTuples: 51, modifiedSinceAnalyze: 51 },
      { vacuum: true, analyze: true },
    ],
    [
      "dead rows under a fifth of 10,000 live: analyze only",
      { liveTuples: 10_000, deadTuples: 2_050, modifiedSinceAnalyze: 2_050 },
      { vacuum: false, analyze: true },
    ],
    [
      "dead rows over a fifth of 10,000 live: vacuum",
      { liveTuples: 10_000, deadTuples: 2_051, modifiedSinceAnalyze: 0 },
      { vacuum: true, analyze: false },
    ],
    [
      "retention deleted 90,000 of 100,000 (live counts what is left)",
      { liveTuples: 10_000, deadTuples: 90_000, modifiedSinceAnalyze: 90_000 },
      { vacuum: true, analyze: true },
    ],
    [
      "append only: 1,000 inserts into an empty table is not yet enough",
      { liveTuples: 1_000, insertedSinceVacuum: 1_000, modifiedSinceAnalyze: 1_000 },
      { vacuum: false, analyze: true },
    ],
    [
      "append only: inserts past 1,000 and a fifth of the table: vacuum",
      { liveTuples: 50_000, insertedSinceVacuum: 11_001, modifiedSinceAnalyze: 0 },
      { vacuum: true, analyze: false },
    ],
    [
      "append only: inserts up to the insert threshold: not vacuumed",
      { liveTuples: 50_000, insertedSinceVacuum: 11_000, modifiedSinceAnalyze: 0 },
      undefined,
    ],
    [
      "hot rows updated in place (balances, quotas): analyze when a tenth changed",
      { liveTuples: 20, deadTuples: 10, modifiedSinceAnalyze: 53 },
      { vacuum: false, analyze: true },
    ],
    ["negative live estimate read as none", { liveTuples: -1, deadTuples: 51 }, { vacuum: true, analyze: false }],
  ])("%s", (_name, activity, expected) => {
    const plan = maintenancePlan([table(activity)]);
    expect(plan).toEqual(expected ? [{ schema: "public", table: "usage_logs", ...expected }] : []);
  });

  it("keeps the tables' order and names, skipping those that need nothing", () => {
    const plan = maintenancePlan([
      table({ table: "users", deadTuples: 100 }),
      table({ table: "groups" }),
      table({ schema: "drizzle", table: "__drizzle_migrations", modifiedSinceAnalyze: 60 }),
    ]);
    expect(plan).toEqual([
      { schema: "public", table: "users", vacuum: true, analyze: false },
      { schema: "drizzle", table: "__drizzle_migrations", vacuum: false, analyze: true },
    ]);
  });
});
