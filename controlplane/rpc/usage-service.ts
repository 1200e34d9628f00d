import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type UsageFilter,
  UsageGroupBy,
  type UsageLog,
  UsageLogSchema,
  type UsageService,
  type UsageTotals as UsageTotalsMessage,
  UsageTotalsSchema,
} from "../../gen/tollgate/admin/v1/usage_pb.js";
import type { ServiceContext } from "../context.js";
import { listUsageLogs, type UsageLogFilter, type UsageLogRow } from "../db/usage-logs.js";
import { decimalText } from "../stored-values.js";
import { type UsageGrouping, type UsageTotals, usageStats } from "../usage/usage-stats.js";
import { invalidArgument } from "./errors.js";
import { decodePageToken, pageSize, toPage } from "./paging.js";

function filterOf(filter: UsageFilter | undefined): UsageLogFilter {
  const startTime = filter?.startTime ? timestampDate(filter.startTime) : undefined;
  const endTime = filter?.endTime ? timestampDate(filter.endTime) : undefined;
  if (startTime && endTime && endTime <= startTime)
    throw invalidArgument("filter.end_time", "must be after start_time");
  return {
    userId: filter?.userId ?? "",
    apiKeyId: filter?.apiKeyId ?? "",
    accountId: filter?.accountId ?? "",
    groupId: filter?.groupId ?? "",
    model: filter?.model ?? "",
    startTime,
    endTime,
  };
}

function logMessage(row: UsageLogRow): UsageLog {
  return create(UsageLogSchema, {
    requestId: row.requestId,
    userId: row.userId,
    apiKeyId: row.apiKeyId,
    accountId: row.accountId,
    groupId: row.groupId,
    model: row.model,
    inputTokens: BigInt(row.inputTokens),
    outputTokens: BigInt(row.outputTokens),
    cacheCreationTokens: BigInt(row.cacheCreationTokens),
    cacheReadTokens: BigInt(row.cacheReadTokens),
    costUsd: decimalText(row.cost),
    actualCostUsd: decimalText(row.actualCost),
    stream: row.stream,
    statusCode: row.statusCode,
    durationMs: BigInt(row.durationMs),
    firstTokenMs: row.firstTokenMs === null ? undefined : BigInt(row.firstTokenMs),
    ipAddress: row.ipAddress,
    userAgent: row.userAgent,
    createdAt: timestampFromDate(row.createdAt),
    estimated: row.estimated,
    platform: row.platform,
    apiKeyName: row.apiKeyName,
  });
}

export function totalsMessage(t: UsageTotals): UsageTotalsMessage {
  return create(UsageTotalsSchema, {
    requests: t.requests,
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    cacheCreationTokens: t.cacheCreationTokens,
    cacheReadTokens: t.cacheReadTokens,
    totalTokens: t.totalTokens,
    costUsd: decimalText(t.cost),
    actualCostUsd: decimalText(t.actualCost),
    averageDurationMs: t.averageDurationMs,
  });
}

const GROUPINGS: Partial<Record<UsageGroupBy, UsageGrouping>> = {
  [UsageGroupBy.MODEL]: "model",
  [UsageGroupBy.ACCOUNT]: "account",
  [UsageGroupBy.API_KEY]: "api_key",
  [UsageGroupBy.USER]: "user",
  [UsageGroupBy.DAY]: "day",
  [UsageGroupBy.HOUR]: "hour",
};

export function usageService(ctx: ServiceContext): ServiceImpl<typeof UsageService> {
  return {
    async listUsageLogs(req) {
      const limit = pageSize(req.pageSize);
      const cursor = decodePageToken(req.pageToken, 2);
      if (cursor && Number.isNaN(Date.parse(cursor[0] as string))) throw invalidArgument("page_token", "malformed");
      const before = cursor ? { createdAt: cursor[0] as string, requestId: cursor[1] as string } : undefined;
      const rows = await listUsageLogs(ctx.db, filterOf(req.filter), limit + 1, before);
      const page = toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.requestId]);
      return { logs: page.items.map(logMessage), nextPageToken: page.nextPageToken };
    },

    async getUsageStats(req) {
      const filter = filterOf(req.filter);
      const grouping = GROUPINGS[req.groupBy];
      if (req.groupBy !== UsageGroupBy.UNSPECIFIED && !grouping) throw invalidArgument("group_by", "unknown grouping");
      const { totals, buckets } = await usageStats(ctx.db, filter, grouping);
      return {
        totals: totalsMessage(totals),
        buckets: buckets.map((b) => ({
          key: b.key,
          startTime: b.start ? timestampFromDate(b.start) : undefined,
          totals: totalsMessage(b.totals),
        })),
      };
    },
  };
}
