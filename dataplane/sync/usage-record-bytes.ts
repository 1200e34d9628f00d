import type { UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";

// The protobuf encoding of a UsageRecord, written by hand. Every request encodes one record, and
// protobuf-es's reflective toBinary (or its BinaryWriter) took ~6 µs for it on the bench machine, a
// noticeable part of what the data plane adds per request; this takes well under one. The bytes are
// those toBinary writes (fields in number order, proto3 defaults left out); usage-record-bytes.test.ts
// compares the two on random records and fails when the message gains a field not written here.

/** The field numbers written below (the test checks them against the schema). */
export const ENCODED_FIELDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

const VARINT = 0;
const LENGTH_DELIMITED = 2;
/** Tag, length prefix or varint value, at most ten bytes each; nineteen fields and the timestamp's two. */
const FIXED_BOUND = 21 * 20;

let scratch = Buffer.allocUnsafe(4096);

export function encodeUsageRecord(record: UsageRecord): Buffer {
  const strings =
    record.requestId.length +
    record.apiKeyId.length +
    record.userId.length +
    record.accountId.length +
    record.groupId.length +
    record.model.length +
    record.ipAddress.length +
    record.userAgent.length;
  // A UTF-16 code unit takes at most three bytes in UTF-8.
  const bound = FIXED_BOUND + strings * 3;
  if (scratch.length < bound) scratch = Buffer.allocUnsafe(bound);
  const out = scratch;
  let pos = 0;
  pos = stringField(out, pos, 1, record.requestId);
  pos = stringField(out, pos, 2, record.apiKeyId);
  pos = stringField(out, pos, 3, record.userId);
  pos = stringField(out, pos, 4, record.accountId);
  pos = stringField(out, pos, 5, record.groupId);
  pos = stringField(out, pos, 6, record.model);
  pos = intField(out, pos, 7, record.platform);
  pos = intField(out, pos, 8, record.inputTokens);
  pos = intField(out, pos, 9, record.outputTokens);
  pos = intField(out, pos, 10, record.cacheCreationTokens);
  pos = intField(out, pos, 11, record.cacheReadTokens);
  pos = intField(out, pos, 12, record.stream ? 1 : 0);
  pos = intField(out, pos, 13, record.statusCode);
  pos = intField(out, pos, 14, record.durationMs);
  if (record.firstTokenMs !== undefined) {
    // Explicit presence: written even when zero.
    pos = writeVarint(out, pos, (15 << 3) | VARINT);
    pos = writeVarint(out, pos, record.firstTokenMs);
  }
  pos = stringField(out, pos, 16, record.ipAddress);
  pos = stringField(out, pos, 17, record.userAgent);
  const createdAt = record.createdAt;
  if (createdAt) {
    pos = writeVarint(out, pos, (18 << 3) | LENGTH_DELIMITED);
    // The timestamp's own fields are one byte of tag and at most ten of value each: encode them after
    // a one-byte length, which always suffices.
    const start = pos + 1;
    let end = intField(out, start, 1, createdAt.seconds);
    end = intField(out, end, 2, createdAt.nanos);
    out[pos] = end - start;
    pos = end;
  }
  pos = intField(out, pos, 19, record.estimated ? 1 : 0);
  const bytes = Buffer.allocUnsafe(pos);
  out.copy(bytes, 0, 0, pos);
  return bytes;
}

function stringField(out: Buffer, pos: number, field: number, value: string): number {
  if (value.length === 0) return pos;
  pos = writeVarint(out, pos, (field << 3) | LENGTH_DELIMITED);
  if (value.length * 3 < 0x80) {
    // Short enough for a one-byte length whatever its characters: write it first, then the length.
    // Written natively: a loop of charCodeAt here was 1.5 µs of every request at saturation (the
    // strings come from the config, the body, the socket, each its own kind of V8 string).
    const written = out.write(value, pos + 1, "utf8");
    out[pos] = written;
    return pos + 1 + written;
  }
  const length = Buffer.byteLength(value);
  pos = writeVarint(out, pos, length);
  return pos + out.write(value, pos, length, "utf8");
}

/** proto3 implicit presence: a zero is not written. */
function intField(out: Buffer, pos: number, field: number, value: number | bigint): number {
  // biome-ignore lint/suspicious/noDoubleEquals: 0 == 0n, for both int32 and int64 fields.
  if (value == 0) return pos;
  pos = writeVarint(out, pos, (field << 3) | VARINT);
  return writeVarint(out, pos, value);
}

/** Negative int32 and int64 values are written as their 64-bit two's complement (ten bytes). */
export function writeVarint(out: Buffer, pos: number, value: number | bigint): number {
  if (typeof value === "bigint" && value >= 0n && value <= 0x7fffffffn) value = Number(value);
  if (typeof value === "number" && value >= 0 && value <= 0x7fffffff) {
    let rest = value;
    while (rest >= 0x80) {
      out[pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    out[pos++] = rest;
    return pos;
  }
  let rest = BigInt.asUintN(64, BigInt(value));
  while (rest >= 0x80n) {
    out[pos++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  out[pos++] = Number(rest);
  return pos;
}
