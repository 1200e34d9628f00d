import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { checksummed, expectedRecordLine } from "./spool-line.fixture.js";
import { ackPayload, LineBuffer, type LineKind, parseSpoolLine, recordPayload } from "./spool-line.js";
import { encodeUsageRecord } from "./usage-record-bytes.js";

const record = create(UsageRecordSchema, {
  requestId: "r-1",
  apiKeyId: "k",
  model: "claude-x",
  inputTokens: 1234n,
  outputTokens: 56n,
  firstTokenMs: 7n,
});
/** The lines a LineBuffer writes for these payloads, as text. */
function written(...lines: Array<[LineKind, string]>): string {
  const buffer = new LineBuffer();
  for (const [kind, payload] of lines) buffer.add(kind, payload);
  return buffer.take().toString("utf8");
}

const good = written(["r", recordPayload(encodeUsageRecord(record))]).slice(0, -1);
const ack = written(["a", ackPayload(["r-1", "r-2"])]).slice(0, -1);

describe("spool lines", () => {
  it("writes the line format: checksum, kind and payload, one line each", () => {
    expect(written(["r", recordPayload(encodeUsageRecord(record))])).toBe(
      expectedRecordLine(encodeUsageRecord(record)),
    );
    const ids = ["r-1", "ключ-2"];
    expect(written(["a", ackPayload(ids)], ["a", "[]"])).toBe(
      `${checksummed(`a\t${JSON.stringify(ids)}`)}\n${checksummed("a\t[]")}\n`,
    );
  });

  it("grows past its first buffer without losing or reordering a line", () => {
    const payloads = Array.from({ length: 400 }, (_, n) => ackPayload([`request-${n}`.repeat(n % 7)]));
    expect(written(...payloads.map((p): [LineKind, string] => ["a", p]))).toBe(
      payloads.map((p) => `${checksummed(`a\t${p}`)}\n`).join(""),
    );
  });

  it("round-trips a record and an ack", () => {
    expect(parseSpoolLine(checksummed("a\t[]"))).toEqual({ kind: "ack", requestIds: [] });
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
