import { crc32 } from "node:zlib";
import { fromBinary } from "@bufbuild/protobuf";
import { type UsageRecord, UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";

// One line of the usage spool: `<crc32 hex>\t<kind>\t<payload>\n`. A record line carries the record as
// base64 protobuf; an ack line the JSON array of acked request ids. The checksum catches a line torn by
// a crash (a power cut can leave a prefix, or zeros, at the end of the file), so replay skips it instead
// of billing a half-decoded record.

/**
 * A record as it waits for its ack: its id and its protobuf encoding, made once (the spool writes it
 * and ReportUsage sends it). Not the record itself: thousands wait at once (a batch lingers, its ack
 * waits for a publication), and each UsageRecord with its BigInts was two thirds of what one kept on
 * the heap, copied by every young-generation collection until promoted.
 */
export interface SpooledRecord {
  requestId: string;
  bytes: Uint8Array;
}

/** A record read back from the spool, decoded: what is unacked is counted again before it is resent. */
export interface ReplayedRecord {
  record: UsageRecord;
  bytes: Uint8Array;
}

export type SpoolEntry = ({ kind: "record" } & ReplayedRecord) | { kind: "ack"; requestIds: string[] };

/** The line of a record, from its encoding (encodeUsageRecord). */
export function recordLine(bytes: Uint8Array): string {
  return line("r", Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"));
}

export function ackLine(requestIds: readonly string[]): string {
  return line("a", JSON.stringify(requestIds));
}

function line(kind: string, payload: string): string {
  const body = `${kind}\t${payload}`;
  return `${crc32(body).toString(16).padStart(8, "0")}\t${body}\n`;
}

/** Parses one line (without its newline); undefined when it is torn or corrupt. */
export function parseSpoolLine(text: string): SpoolEntry | undefined {
  const tab = text.indexOf("\t");
  if (tab !== 8) return undefined;
  const body = text.slice(tab + 1);
  if (Number.parseInt(text.slice(0, tab), 16) !== crc32(body) || !/^[0-9a-f]{8}$/.test(text.slice(0, tab))) {
    return undefined;
  }
  const payload = body.slice(2);
  try {
    if (body.startsWith("r\t")) {
      const bytes = Buffer.from(payload, "base64");
      return { kind: "record", record: fromBinary(UsageRecordSchema, bytes), bytes };
    }
    if (body.startsWith("a\t")) {
      const ids: unknown = JSON.parse(payload);
      if (Array.isArray(ids) && ids.every((id) => typeof id === "string")) return { kind: "ack", requestIds: ids };
    }
  } catch {
    return undefined;
  }
  return undefined;
}
