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
    // ListUsageLogs pages newest first by (created_at, request_id) under any one filter: a page is one
    // range scan of the filter's index, in created_at order (DESC NULLS LAST, as the query sorts), and
    // rows of the same millisecond are put in request_id order by an incremental sort of those alone.
    // The per-filter indexes leave request_id out: every record's insert updates all six, and without
    // it ingestion into PostgreSQL on four streams ran 8-15% more records a second (npm run bench --
    // --only usage-ingest, six alternating runs each way, 2026-12-01).
    index("usage_logs_created_idx").on(t.createdAt.desc(), t.requestId.desc()),
    index("usage_logs_user_idx").on(t.userId, t.createdAt.desc()),
    index("usage_logs_key_idx").on(t.apiKeyId, t.createdAt.desc()),
    index("usage_logs_account_idx").on(t.accountId, t.createdAt.desc()),
    index("usage_logs_group_idx").on(t.groupId, t.createdAt.desc()),
    index("usage_logs_model_idx").on(t.model, t.createdAt.desc()),
  ],
);
