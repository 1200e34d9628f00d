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

export type LineKind = "r" | "a";

/** A record line's payload: the record's encoding (encodeUsageRecord) in base64. */
export function recordPayload(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** An ack line's payload. */
export function ackPayload(requestIds: readonly string[]): string {
  return JSON.stringify(requestIds);
}

/** The length in bytes of the line carrying `payload`. */
export function lineBytes(payload: string): number {
  return 8 + 3 + Buffer.byteLength(payload) + 1;
}

const TAB = 0x09;
const LF = 0x0a;

/**
 * Lines encoded straight into one growing buffer and written out together (a turn's lines, in one
 * write). Built as strings, every line was concatenated, flattened for its checksum, joined with the
 * turn's others and converted back to bytes by the write.
 */
export class LineBuffer {
  private buffer = Buffer.allocUnsafe(16 * 1024);
  /** Bytes appended since the last take(). */
  length = 0;
  /** Lines appended since the last take(). */
  lines = 0;

  /** Appends the line carrying `payload`; returns its length in bytes. */
  add(kind: LineKind, payload: string): number {
    const size = lineBytes(payload);
    if (this.length + size > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + size));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    const { buffer } = this;
    const start = this.length;
    buffer[start + 8] = TAB;
    buffer[start + 9] = kind.charCodeAt(0);
    buffer[start + 10] = TAB;
    buffer.write(payload, start + 11, size - 12, "utf8");
    buffer[start + size - 1] = LF;
    const crc = crc32(buffer.subarray(start + 9, start + size - 1));
    buffer.write(crc.toString(16).padStart(8, "0"), start, 8, "latin1");
    this.length += size;
    this.lines++;
    return size;
  }

  /** The lines appended since the last take(), in a view valid until the next add(). */
  take(): Buffer {
    const lines = this.buffer.subarray(0, this.length);
    this.length = 0;
    this.lines = 0;
    return lines;
  }
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
