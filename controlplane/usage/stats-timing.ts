import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import {
  type GetUsageStatsRequestSchema,
  UsageGroupBy,
  type UsageService,
} from "../../gen/tollgate/admin/v1/usage_pb.js";
import { DAY_MS, floorTo, HOUR_MS } from "./utc-buckets.js";

// GetUsageStats timings for benchmarks: the web admin's dashboard queries, plus the heavier ones an
// admin can ask for, timed through a real client so the figure includes the RPC.

export interface StatsQuery {
  name: string;
  request: MessageInitShape<typeof GetUsageStatsRequestSchema>;
}

export interface StatsTiming {
  name: string;
  buckets: number;
  /** Milliseconds over the runs. */
  medianMs: number;
  maxMs: number;
}

/** The queries to time, relative to `now`; `apiKeyId` names a key that has usage. */
export function usageStatsQueries(now: Date, apiKeyId: string): StatsQuery[] {
  const ts = (at: Date) => timestampFromDate(at);
  const today = floorTo(now, DAY_MS);
  const week = new Date(today.getTime() - 6 * DAY_MS);
  const month = new Date(today.getTime() - 29 * DAY_MS);
  // A local midnight east of UTC by 5:30, as a browser in India sends it: minutes at the edge.
  const unaligned = new Date(week.getTime() - 5.5 * HOUR_MS);
  return [
    { name: "dashboard: today by model", request: { filter: { startTime: ts(today) }, groupBy: UsageGroupBy.MODEL } },
    { name: "dashboard: 7 days by model", request: { filter: { startTime: ts(week) }, groupBy: UsageGroupBy.MODEL } },
    {
      name: "dashboard: 7 days by account",
      request: { filter: { startTime: ts(week) }, groupBy: UsageGroupBy.ACCOUNT },
    },
    { name: "dashboard: 7 days by day", request: { filter: { startTime: ts(week) }, groupBy: UsageGroupBy.DAY } },
    {
      name: "7 days from a +05:30 midnight by day",
      request: { filter: { startTime: ts(unaligned) }, groupBy: UsageGroupBy.DAY },
    },
    { name: "all time totals", request: {} },
    { name: "all time by key", request: { groupBy: UsageGroupBy.API_KEY } },
    { name: "one key, all time by day", request: { filter: { apiKeyId }, groupBy: UsageGroupBy.DAY } },
    { name: "30 days by hour", request: { filter: { startTime: ts(month) }, groupBy: UsageGroupBy.HOUR } },
  ];
}

export async function timeUsageStats(
  client: Client<typeof UsageService>,
  queries: readonly StatsQuery[],
  runs = 5,
): Promise<StatsTiming[]> {
  const timings: StatsTiming[] = [];
  for (const query of queries) {
    const samples: number[] = [];
    let buckets = 0;
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const response = await client.getUsageStats(query.request);
      samples.push(performance.now() - started);
      buckets = response.buckets.length;
    }
    samples.sort((a, b) => a - b);
    timings.push({
      name: query.name,
      buckets,
      medianMs: samples[Math.floor(samples.length / 2)] ?? 0,
      maxMs: samples[samples.length - 1] ?? 0,
    });
  }
  return timings;
}
