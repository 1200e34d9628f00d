import { bigint, boolean, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, money } from "./columns.js";

// One row per proxied request. No foreign keys: logs outlive the users, keys and accounts they name.
export const usageLogs = pgTable(
  "usage_logs",
  {
    requestId: text("request_id").primaryKey(),
    userId: text("user_id").notNull(),
    apiKeyId: text("api_key_id").notNull(),
    apiKeyName: text("api_key_name").notNull().default(""),
    accountId: text("account_id").notNull(),
    groupId: text("group_id").notNull(),
    platform: text("platform").notNull().default(""),
    model: text("model").notNull(),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull(),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull(),
    cacheCreationTokens: bigint("cache_creation_tokens", { mode: "number" }).notNull(),
    cacheReadTokens: bigint("cache_read_tokens", { mode: "number" }).notNull(),
    cost: money("cost").notNull(),
    actualCost: money("actual_cost").notNull(),
    stream: boolean("stream").notNull(),
    statusCode: integer("status_code").notNull(),
    durationMs: bigint("duration_ms", { mode: "number" }).notNull(),
    firstTokenMs: bigint("first_token_ms", { mode: "number" }),
    ipAddress: text("ip_address").notNull().default(""),
    userAgent: text("user_agent").notNull().default(""),
    estimated: boolean("estimated").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    // ListUsageLogs pages newest first by (created_at, request_id) under any one filter: each index ends
    // in that order (DESC NULLS LAST, as the query sorts), so a page is one index range scan.
    index("usage_logs_created_idx").on(t.createdAt.desc(), t.requestId.desc()),
    index("usage_logs_user_idx").on(t.userId, t.createdAt.desc(), t.requestId.desc()),
    index("usage_logs_key_idx").on(t.apiKeyId, t.createdAt.desc(), t.requestId.desc()),
    index("usage_logs_account_idx").on(t.accountId, t.createdAt.desc(), t.requestId.desc()),
    index("usage_logs_group_idx").on(t.groupId, t.createdAt.desc(), t.requestId.desc()),
    index("usage_logs_model_idx").on(t.model, t.createdAt.desc(), t.requestId.desc()),
  ],
);
