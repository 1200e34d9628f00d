import { create } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { type UsageBatch, UsageBatchSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { writeVarint } from "./usage-record-bytes.js";

// A batch carries its records as the bytes the spool already encoded, so no record is encoded twice.
// On the wire each element of `repeated UsageRecord records` is its tag and then its length-prefixed
// bytes: exactly an unknown field of the same number, which protobuf-es writes out verbatim. The
// control plane reads ordinary records.

const RECORDS = UsageBatchSchema.field.records.number;

export function usageBatch(batchId: bigint, records: readonly Uint8Array[]): UsageBatch {
  const batch = create(UsageBatchSchema, { batchId });
  batch.$unknown = records.map((bytes) => ({
    no: RECORDS,
    wireType: WireType.LengthDelimited,
    data: lengthPrefixed(bytes),
  }));
  return batch;
}

/**
 * An unknown length-delimited field's data holds its length prefix. Written here rather than by a
 * BinaryWriter per record, whose buffer growth and final copy were a few µs of every request.
 */
function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  // A varint of a length below 2^35 takes at most five bytes.
  const out = Buffer.allocUnsafe(5 + bytes.length);
  const start = writeVarint(out, 0, bytes.length);
  out.set(bytes, start);
  return out.subarray(0, start + bytes.length);
}
