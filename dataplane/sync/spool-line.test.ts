import { crc32 } from "node:zlib";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { ackLine, parseSpoolLine, recordLine } from "./spool-line.js";
import { encodeUsageRecord } from "./usage-record-bytes.js";

const record = create(UsageRecordSchema, {
  requestId: "r-1",
  apiKeyId: "k",
  model: "claude-x",
  inputTokens: 1234n,
  outputTokens: 56n,
  firstTokenMs: 7n,
});
const good = recordLine(encodeUsageRecord(record)).slice(0, -1);
const ack = ackLine(["r-1", "r-2"]).slice(0, -1);
/** A line with a valid checksum over whatever body it is given. */
const checksummed = (body: string) => `${crc32(body).toString(16).padStart(8, "0")}\t${body}`;

describe("spool lines", () => {
  it("round-trips a record and an ack", () => {
    expect(parseSpoolLine(checksummed("a\t[]"))).toEqual({ kind: "ack", requestIds: [] });
    expect(recordLine(encodeUsageRecord(record)).endsWith("\n")).toBe(true);
    expect(parseSpoolLine(good)).toEqual({ kind: "record", record, bytes: encodeUsageRecord(record) });
    expect(parseSpoolLine(ack)).toEqual({ kind: "ack", requestIds: ["r-1", "r-2"] });
  });

  it.each([
    ["empty", ""],
    ["a torn record (its first half)", good.slice(0, Math.floor(good.length / 2))],
    ["a record missing its last byte", good.slice(0, -1)],
    ["zeros a power cut left", "\0".repeat(40)],
    ["a changed byte", `${good.slice(0, 20)}${good[20] === "A" ? "B" : "A"}${good.slice(21)}`],
    ["a checksum that is not hex", `zzzzzzzz${good.slice(8)}`],
    ["an unknown kind", checksummed("x\t[]")],
    ["an ack of non-strings", checksummed("a\t[1]")],
    ["an ack that is not JSON", checksummed("a\t[r-1")],
    ["a record that is not protobuf", checksummed(`r\t${Buffer.from([0xff, 0xff, 0xff]).toString("base64")}`)],
  ])("rejects %s", (_name, text) => {
    expect(parseSpoolLine(text)).toBeUndefined();
  });
});
