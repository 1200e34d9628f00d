import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PlaneService, UsageBatchSchema, UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { decodeUsageRecord } from "../usage/usage-record-decode.js";
import { RawRecordsPlaneService } from "./raw-usage-batches.js";

// The binary routes' ReportUsage must read the same bytes into the same batch as the contract's.

const raw = RawRecordsPlaneService.method.reportUsage.input;

describe("RawRecordsPlaneService", () => {
  it("differs from PlaneService only in how ReportUsage's records are read", () => {
    const shape = (fields: typeof UsageBatchSchema.fields) =>
      fields.map((f) => ({ number: f.number, name: f.name, kind: f.fieldKind }));
    expect(shape(raw.fields)).toEqual(shape(UsageBatchSchema.fields));
    expect(RawRecordsPlaneService.typeName).toBe(PlaneService.typeName);
    expect(RawRecordsPlaneService.methods.map((m) => [m.name, m.methodKind, m.output.typeName])).toEqual(
      PlaneService.methods.map((m) => [m.name, m.methodKind, m.output.typeName]),
    );
  });

  it("reads a batch's bytes into its id and its records' own bytes", () => {
    const records = [
      create(UsageRecordSchema, { requestId: "a", inputTokens: 5n, model: "m" }),
      create(UsageRecordSchema, { requestId: "b", outputTokens: -1n, userAgent: "é" }),
    ];
    const bytes = toBinary(UsageBatchSchema, create(UsageBatchSchema, { batchId: 42n, records }));
    const batch = fromBinary(raw, bytes) as unknown as { batchId: bigint; records: Uint8Array[] };
    expect(batch.batchId).toBe(42n);
    expect(batch.records.map((r) => decodeUsageRecord(r).requestId)).toEqual(["a", "b"]);
    expect(batch.records.map((r) => toBinary(UsageRecordSchema, fromBinary(UsageRecordSchema, r)))).toEqual(
      records.map((r) => toBinary(UsageRecordSchema, r)),
    );
  });
});
