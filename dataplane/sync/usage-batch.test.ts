import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { UsageBatchSchema, UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { usageBatch } from "./usage-batch.js";
import { encodeUsageRecord } from "./usage-record-bytes.js";

describe("usageBatch", () => {
  it("sends records already encoded, and the control plane reads them as ordinary records", () => {
    const records = [
      create(UsageRecordSchema, { requestId: "r-1", model: "claude-x", inputTokens: 12n }),
      // Over 127 bytes: a two-byte length prefix.
      create(UsageRecordSchema, { requestId: "r-2", userAgent: "x".repeat(300), outputTokens: 7n }),
      create(UsageRecordSchema, { requestId: "r-3" }),
      // Over 16,383 bytes: three.
      create(UsageRecordSchema, { requestId: "r-4", userAgent: "y".repeat(20_000) }),
    ];
    const batch = usageBatch(42n, records.map(encodeUsageRecord));
    const wire = toBinary(UsageBatchSchema, batch);
    expect(wire).toEqual(toBinary(UsageBatchSchema, create(UsageBatchSchema, { batchId: 42n, records })));
    expect(fromBinary(UsageBatchSchema, wire)).toEqual(create(UsageBatchSchema, { batchId: 42n, records }));
  });
});
