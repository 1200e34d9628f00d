import { crc32 } from "node:zlib";

// The spool's line format written out independently of LineBuffer, for tests to compare against.

/** `<crc32 hex>\t<kind>\t<payload>` with a valid checksum over whatever body it is given; no newline. */
export function checksummed(body: string): string {
  return `${crc32(body).toString(16).padStart(8, "0")}\t${body}`;
}

/** A record's whole line, newline included, from its encoding. */
export function expectedRecordLine(bytes: Uint8Array): string {
  return `${checksummed(`r\t${Buffer.from(bytes).toString("base64")}`)}\n`;
}
