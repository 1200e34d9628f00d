import { isAscii } from "node:buffer";

// A request body's JSON, parsed as JSON.parse(body.toString("utf8")) would, at a fraction of its
// cost for Claude Code's requests. On Node 20, decoding UTF-8 text that is mostly ASCII but holds
// characters beyond Latin-1 (an em dash, an emoji: Claude Code's system prompt and tools carry them)
// took ~1 ms for its 76 KB body, against ~0.07 ms when every character fits in one byte. So such a
// body is read as one-byte text with each run of non-ASCII characters written as JSON \u escapes,
// which parse to the same strings. The plain path runs for a body with more non-ASCII text (a prompt
// in Chinese decodes fast the plain way, and its escapes would be long), for a run right after a
// backslash (an escape there could change the meaning), and for text that does not parse: results
// and errors are JSON.parse's.

const NON_ASCII_RUN = /[\x80-\xff]+/g;
const BACKSLASH = 0x5c;
// Escaping pays while non-ASCII bytes are at most this share of the body (1/16).
const ESCAPED_SHARE_SHIFT = 4;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Whether the non-ASCII bytes stay within the budget and no run follows a backslash. */
function escapable(body: Buffer): boolean {
  let budget = body.length >> ESCAPED_SHARE_SHIFT;
  for (let i = 0; i < body.length; i++) {
    if ((body[i] as number) < 0x80) continue;
    // Read on the bytes, not a decoded string: a body given up on is decoded once, the plain way.
    if (--budget < 0 || body[i - 1] === BACKSLASH) return false;
  }
  return true;
}

function unicodeEscapes(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out += `\\u${HEX[unit >> 8]}${HEX[unit & 0xff]}`;
  }
  return out;
}

export function parseJsonBody(body: Buffer): unknown {
  // Most bodies are ASCII (checked natively): their plain decode is fast already.
  if (!isAscii(body) && escapable(body)) {
    const bytes = body.toString("latin1");
    // A run bounded by ASCII bytes holds whole characters (or bytes UTF-8 decoding replaces the same
    // way on its own), so decoding it alone gives what decoding the whole body gives there.
    const ascii = bytes.replace(NON_ASCII_RUN, (run: string, offset: number) =>
      unicodeEscapes(body.toString("utf8", offset, offset + run.length)),
    );
    try {
      return JSON.parse(ascii);
    } catch {
      // Parsed again below for JSON.parse's own error, positions and all.
    }
  }
  return JSON.parse(body.toString("utf8"));
}
