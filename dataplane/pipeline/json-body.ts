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

const BACKSLASH = 0x5c;
const BLOCK_BYTES = 1024;
// Escaping pays while non-ASCII bytes are at most this share of the body (1/16).
const ESCAPED_SHARE_SHIFT = 4;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

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
  if (!isAscii(body)) {
    const escaped = escapeNonAscii(body);
    if (escaped !== undefined) {
      try {
        return JSON.parse(escaped);
      } catch {
        // Parsed again below for JSON.parse's own error, positions and all.
      }
    }
  }
  return JSON.parse(body.toString("utf8"));
}

/** The bytes' JSON, or undefined when they hold none (an upstream's answer or error body). */
export function jsonOrUndefined(bytes: Buffer): unknown {
  try {
    return parseJsonBody(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The body as one-byte text with each run of non-ASCII bytes written as \u escapes, or undefined
 * when that would not pay (past the budget) or could change the meaning (a run after a backslash).
 * Runs are found a block at a time, ASCII blocks skipped natively (isAscii): a regular expression over
 * the whole text, and a byte loop checking the budget first, cost more than twice the parse itself.
 */
function escapeNonAscii(body: Buffer): string | undefined {
  let budget = body.length >> ESCAPED_SHARE_SHIFT;
  const bytes = body.toString("latin1");
  let out = "";
  let copied = 0;
  let at = 0;
  while (at < body.length) {
    const blockEnd = Math.min(at + BLOCK_BYTES, body.length);
    if (isAscii(body.subarray(at, blockEnd))) {
      at = blockEnd;
      continue;
    }
    while ((body[at] as number) < 0x80) at++;
    let runEnd = at + 1;
    while (runEnd < body.length && (body[runEnd] as number) >= 0x80) runEnd++;
    budget -= runEnd - at;
    if (budget < 0 || body[at - 1] === BACKSLASH) return undefined;
    // A run bounded by ASCII bytes holds whole characters (or bytes UTF-8 decoding replaces the same
    // way on its own), so decoding it alone gives what decoding the whole body gives there.
    out += bytes.slice(copied, at) + unicodeEscapes(body.toString("utf8", at, runEnd));
    copied = at = runEnd;
  }
  return out + bytes.slice(copied);
}
