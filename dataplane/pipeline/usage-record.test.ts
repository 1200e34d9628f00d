import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { type CompletedRequest, usageRecord } from "./usage-record.js";

const done: CompletedRequest = {
  requestId: "req-1",
  apiKeyId: "key-1",
  userId: "user-1",
  accountId: "acct-1",
  groupId: "group-1",
  model: "claude-sonnet-4-5",
  platform: Platform.ANTHROPIC,
  usage: { inputTokens: 1200, outputTokens: 300, cacheCreationTokens: 40, cacheReadTokens: 20_000 },
  requestBytes: 4001,
  stream: true,
  statusCode: 200,
  startedAt: 1000.4,
  endedAt: 3400.6,
  firstTokenAt: 1250.2,
  receivedAtMs: 1_795_869_796_701,
  clientIp: "203.0.113.7",
  userAgent: "claude-cli/2.1.197 (external, sdk-cli)",
};

describe("usageRecord", () => {
  it.each<[string, Partial<CompletedRequest>, Record<string, unknown>]>([
    [
      "usage as reported, durations rounded from the request's start",
      {},
      {
        inputTokens: 1200n,
        outputTokens: 300n,
        cacheCreationTokens: 40n,
        cacheReadTokens: 20_000n,
        durationMs: 2400n,
        firstTokenMs: 250n,
        estimated: false,
      },
    ],
    [
      "no usage reported: input estimated from the body (4 bytes a token, rounded up) and flagged",
      { usage: undefined },
      { inputTokens: 1001n, outputTokens: 0n, cacheCreationTokens: 0n, cacheReadTokens: 0n, estimated: true },
    ],
    ["an empty body still estimates one token", { usage: undefined, requestBytes: 0 }, { inputTokens: 1n }],
    ["no first token (not streamed, or none arrived)", { firstTokenAt: undefined }, { firstTokenMs: undefined }],
  ])("%s", (_name, change, expected) => {
    expect(usageRecord({ ...done, ...change })).toMatchObject(expected);
  });

  it("is the message create() makes from the same fields, and encodes to the same bytes", () => {
    const record = usageRecord(done);
    const made = create(UsageRecordSchema, { ...record, createdAt: timestampFromMs(done.receivedAtMs) });
    expect(record).toEqual(made);
    expect(toBinary(UsageRecordSchema, record)).toEqual(toBinary(UsageRecordSchema, made));
    expect(record.createdAt).toEqual(timestampFromMs(done.receivedAtMs));
  });
});
