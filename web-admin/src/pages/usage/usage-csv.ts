import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { UsageLog } from "../../../../gen/tollgate/admin/v1/usage_pb.js";

// The columns of the CSV export: ids and names both, exact decimal costs, ISO times (UTC).

export const USAGE_CSV_HEADER = [
  "created_at",
  "request_id",
  "user_id",
  "user",
  "api_key_id",
  "api_key_name",
  "account_id",
  "account",
  "group_id",
  "platform",
  "model",
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_read_tokens",
  "cost_usd",
  "actual_cost_usd",
  "stream",
  "status_code",
  "duration_ms",
  "first_token_ms",
  "estimated",
  "ip_address",
  "user_agent",
] as const;

export interface UsageNames {
  user(id: string): string;
  account(id: string): string;
}

export function usageCsvRow(log: UsageLog, names: UsageNames): string[] {
  return [
    log.createdAt ? timestampDate(log.createdAt).toISOString() : "",
    log.requestId,
    log.userId,
    names.user(log.userId),
    log.apiKeyId,
    log.apiKeyName,
    log.accountId,
    names.account(log.accountId),
    log.groupId,
    log.platform,
    log.model,
    String(log.inputTokens),
    String(log.outputTokens),
    String(log.cacheCreationTokens),
    String(log.cacheReadTokens),
    log.costUsd,
    log.actualCostUsd,
    String(log.stream),
    String(log.statusCode),
    String(log.durationMs),
    log.firstTokenMs === undefined ? "" : String(log.firstTokenMs),
    String(log.estimated),
    log.ipAddress,
    log.userAgent,
  ];
}
