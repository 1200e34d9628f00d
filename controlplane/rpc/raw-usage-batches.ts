import { create, createFileRegistry, type DescMessage } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Type, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { PlaneService, UsageBatchSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";

// ReportUsage in the binary codecs takes each record of a batch as its bytes, decoded by hand
// (usage/usage-record-decode.ts) rather than by protobuf-es. A `repeated UsageRecord` field and a
// `repeated bytes` field of the same number are the same bytes on the wire, so the service below is
// PlaneService with ReportUsage's input read through such a look-alike of UsageBatch. Only binary
// requests are routed to it (server.ts): in JSON the two differ, and JSON requests keep the contract's
// own messages.

const RECORDS = UsageBatchSchema.field.records;

// The contract's own descriptor of UsageBatch, its records field turned to bytes: a scalar field added
// to the contract is read here too. A message-typed one would fail to resolve at load (this file has no
// dependencies), loudly, in raw-usage-batches.test.ts.
const file = create(FileDescriptorProtoSchema, {
  name: "tollgate/plane/v1/raw_usage_batch.proto",
  package: "tollgate.plane.v1.raw",
  syntax: "proto3",
  messageType: [
    {
      name: UsageBatchSchema.name,
      field: UsageBatchSchema.proto.field.map((field) =>
        field.number === RECORDS.number ? { ...field, type: FieldDescriptorProto_Type.BYTES, typeName: "" } : field,
      ),
    },
  ],
});

const RawUsageBatchSchema = createFileRegistry(file, () => undefined).getMessage(
  "tollgate.plane.v1.raw.UsageBatch",
) as DescMessage;

const reportUsage = PlaneService.method.reportUsage;
const rawReportUsage = { ...reportUsage, input: RawUsageBatchSchema };

/** PlaneService with ReportUsage's records left encoded: the same paths and wire bytes. */
export const RawRecordsPlaneService: typeof PlaneService = {
  ...PlaneService,
  methods: PlaneService.methods.map((method) => (method === reportUsage ? rawReportUsage : method)),
  method: { ...PlaneService.method, reportUsage: rawReportUsage },
} as typeof PlaneService;
