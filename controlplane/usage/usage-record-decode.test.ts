import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type UsageRecord, UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { DECODED_FIELDS, decodeUsageRecord } from "./usage-record-decode.js";

// The hand decoder against protobuf-es's fromBinary, on the same bytes: what the control plane bills
// from must not depend on which of the two read a record.

function expectSame(bytes: Uint8Array) {
  // The decoder drops unknown fields; fromBinary keeps them in $unknown.
  const { $unknown: _, ...expected } = fromBinary(UsageRecordSchema, bytes);
  expect(decodeUsageRecord(bytes)).toEqual(expected);
}

let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
const STRINGS = ["", "req-1", "claude-sonnet-4-5", "é 中 🙂", "\uFEFFbom first", "x".repeat(300), '"quoted" \\'];
const INT64S = [0n, 1n, 127n, 128n, 2n ** 53n + 1n, 2n ** 63n - 1n, -1n, -(2n ** 63n), 9_000_000_000_000_000_000n];
const INT32S = [0, 1, 200, 529, -1, 2 ** 31 - 1, -(2 ** 31)];

function randomRecord(): UsageRecord {
  return create(UsageRecordSchema, {
    requestId: pick(STRINGS),
    apiKeyId: pick(STRINGS),
    userId: pick(STRINGS),
    accountId: pick(STRINGS),
    groupId: pick(STRINGS),
    model: pick(STRINGS),
    platform: pick(INT32S),
    inputTokens: pick(INT64S),
    outputTokens: pick(INT64S),
    cacheCreationTokens: pick(INT64S),
    cacheReadTokens: pick(INT64S),
    stream: random() < 0.5,
    statusCode: pick(INT32S),
    durationMs: pick(INT64S),
    firstTokenMs: random() < 0.5 ? undefined : pick(INT64S),
    ipAddress: pick(STRINGS),
    userAgent: pick(STRINGS),
    createdAt: random() < 0.2 ? undefined : { seconds: pick(INT64S), nanos: pick([0, 1, 999_999_999]) },
    estimated: random() < 0.5,
  });
}

describe("decodeUsageRecord", () => {
  it("reads every field of the message", () => {
    expect(UsageRecordSchema.fields.map((f) => f.number).sort((a, b) => a - b)).toEqual(DECODED_FIELDS);
  });

  it("gives what fromBinary gives, on random records", () => {
    for (let i = 0; i < 500; i++) expectSame(toBinary(UsageRecordSchema, randomRecord()));
  });

  it("lets the last occurrence of a field win and merges a timestamp given twice, as fromBinary does", () => {
    for (let i = 0; i < 100; i++) {
      const first = toBinary(UsageRecordSchema, randomRecord());
      const second = toBinary(UsageRecordSchema, randomRecord());
      expectSame(Buffer.concat([first, second]));
    }
  });

  it("skips fields it does not know, of every wire type", () => {
    const record = toBinary(UsageRecordSchema, randomRecord());
    const unknown = Buffer.from([
      ...[0xb8, 0x06, 0x96, 0x01], // field 103, varint
      ...[0xb9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8], // field 103, fixed64
      ...[0xba, 0x06, 3, 0x61, 0x62, 0x63], // field 103, length-delimited
      ...[0xbd, 0x06, 1, 2, 3, 4], // field 103, fixed32
    ]);
    expectSame(Buffer.concat([unknown, record, unknown]));
  });

  it("refuses what fromBinary refuses: invalid UTF-8, a cut record, a wrong wire type", () => {
    const invalidUtf8 = Buffer.from([0x0a, 0x02, 0xc3, 0x28]);
    const cut = toBinary(UsageRecordSchema, create(UsageRecordSchema, { requestId: "abc", inputTokens: 5n })).subarray(
      0,
      4,
    );
    const wrongWireType = Buffer.from([0x08, 0x01]); // request_id (a string) as a varint
    for (const bytes of [invalidUtf8, cut, wrongWireType]) {
      expect(() => fromBinary(UsageRecordSchema, bytes)).toThrow();
      expect(() => decodeUsageRecord(bytes)).toThrow();
    }
  });
});
