import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { ENCODED_FIELDS, encodeUsageRecord } from "./usage-record-bytes.js";

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const smallOrHuge = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 1_000_000n }), int64);
const int32 = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 600 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
);
const text = fc.oneof(fc.constant(""), fc.string(), fc.string({ unit: "binary", maxLength: 300 }));

const recordInit = fc.record({
  requestId: text,
  apiKeyId: text,
  userId: text,
  accountId: text,
  groupId: text,
  model: text,
  platform: int32,
  inputTokens: smallOrHuge,
  outputTokens: smallOrHuge,
  cacheCreationTokens: smallOrHuge,
  cacheReadTokens: smallOrHuge,
  stream: fc.boolean(),
  statusCode: int32,
  durationMs: smallOrHuge,
  firstTokenMs: fc.option(smallOrHuge, { nil: undefined }),
  ipAddress: text,
  userAgent: text,
  createdAt: fc.option(
    fc.record({ seconds: smallOrHuge, nanos: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999_999_999 })) }),
    { nil: undefined },
  ),
  estimated: fc.boolean(),
});

describe("encodeUsageRecord", () => {
  it("writes the bytes protobuf-es's toBinary writes, for any record", () => {
    fc.assert(
      fc.property(recordInit, ({ createdAt, ...init }) => {
        const record = create(UsageRecordSchema, {
          ...init,
          createdAt: createdAt && { $typeName: "google.protobuf.Timestamp", ...createdAt },
        });
        const bytes = encodeUsageRecord(record);
        expect(Buffer.from(bytes).equals(Buffer.from(toBinary(UsageRecordSchema, record)))).toBe(true);
        expect(fromBinary(UsageRecordSchema, bytes)).toEqual(record);
      }),
      { numRuns: 500 },
    );
  });

  it("writes a typical record, an empty one and a zero first-token time", () => {
    const typical = create(UsageRecordSchema, {
      requestId: "req_01JX0ABCDEFGHJKMNPQRSTVWXY",
      model: "claude-sonnet-4-5",
      platform: 1,
      inputTokens: 1234n,
      firstTokenMs: 0n,
      userAgent: "claude-cli/2.0.1 (external, cli) ✓",
      createdAt: timestampFromMs(1_764_000_000_123),
    });
    for (const record of [typical, create(UsageRecordSchema)]) {
      expect(Buffer.from(encodeUsageRecord(record)).equals(Buffer.from(toBinary(UsageRecordSchema, record)))).toBe(
        true,
      );
    }
  });

  it("knows every field of the message (a new field must be added to the encoder)", () => {
    expect(UsageRecordSchema.fields.map((field) => field.number)).toEqual(ENCODED_FIELDS);
  });
});
