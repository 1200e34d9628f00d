import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { UsageLogSchema } from "../../../../gen/tollgate/admin/v1/usage_pb.js";
import { toLocalInput } from "../../lib/dates.js";
import { USAGE_CSV_HEADER, usageCsvRow } from "./usage-csv.js";
import { EMPTY_USAGE_FILTER, usageFilterOf } from "./usage-filter.js";

describe("usageCsvRow", () => {
  const names = { user: (id: string) => `user:${id}`, account: (id: string) => `acct:${id}` };
  it("has one cell per header column, exact numbers and an empty first-token time when absent", () => {
    const log = create(UsageLogSchema, {
      requestId: "r1",
      userId: "u1",
      apiKeyId: "k1",
      apiKeyName: "laptop",
      accountId: "a1",
      groupId: "g1",
      platform: "anthropic",
      model: "claude-sonnet-4-5",
      inputTokens: 9007199254740993n,
      outputTokens: 20n,
      costUsd: "0.000123456789",
      actualCostUsd: "0.000246913578",
      stream: true,
      statusCode: 200,
      durationMs: 1500n,
      ipAddress: "203.0.113.7",
      userAgent: "claude-cli/2.0.0",
      createdAt: timestampFromDate(new Date("2026-05-01T10:00:00.000Z")),
    });
    const row = usageCsvRow(log, names);
    expect(row).toHaveLength(USAGE_CSV_HEADER.length);
    const byColumn = Object.fromEntries(USAGE_CSV_HEADER.map((h, i) => [h, row[i]]));
    expect(byColumn).toMatchObject({
      created_at: "2026-05-01T10:00:00.000Z",
      user: "user:u1",
      account: "acct:a1",
      input_tokens: "9007199254740993",
      actual_cost_usd: "0.000246913578",
      stream: "true",
      first_token_ms: "",
      ip_address: "203.0.113.7",
    });
    expect(
      usageCsvRow(create(UsageLogSchema, { ...log, firstTokenMs: 310n }), names)[
        USAGE_CSV_HEADER.indexOf("first_token_ms")
      ],
    ).toBe("310");
  });
});

describe("usageFilterOf", () => {
  it("leaves open ends unset and trims the model", () => {
    expect(usageFilterOf({ ...EMPTY_USAGE_FILTER, model: " gpt-5 " })).toEqual({
      userId: "",
      apiKeyId: "",
      accountId: "",
      model: "gpt-5",
      startTime: undefined,
      endTime: undefined,
    });
  });

  it("reads the range in local time", () => {
    const start = new Date(2026, 4, 1, 0, 0);
    const filter = usageFilterOf({ ...EMPTY_USAGE_FILTER, start: toLocalInput(start), end: "bad" });
    expect(Number(filter.startTime?.seconds)).toBe(start.getTime() / 1000);
    expect(filter.endTime).toBeUndefined();
  });
});
