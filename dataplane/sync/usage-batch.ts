import { create } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { type UsageBatch, UsageBatchSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";

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
    // An unknown length-delimited field's data holds its length prefix, as BinaryWriter.bytes writes it.
    data: new BinaryWriter().bytes(bytes).finish(),
  }));
  return batch;
}
