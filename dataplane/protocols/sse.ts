// Decodes an SSE byte stream into events for observers; the bytes themselves are forwarded untouched
// by the caller. Observers need only whole events, so the stream is cut at the last event boundary
// (found natively with lastIndexOf) and only complete events are decoded and split. A general SSE
// library walking every character in JavaScript cost more than the rest of stream observation
// together on the hot path (measured with npm run bench --cpu-prof).

/**
 * One event, valid only during the call that receives it: the decoder reuses it for the next. Its
 * data is cut from the decoded text when first read; most events of a stream (content deltas) are
 * counted by name and their data never read.
 */
export class SseEvent {
  /** The `event:` field, if any. */
  event: string | undefined;
  private text = "";
  private start = 0;
  private end = 0;
  private joined: string | undefined;

  /** The `data:` lines joined with "\n". */
  get data(): string {
    this.joined ??= this.text.slice(this.start, this.end);
    return this.joined;
  }

  /** Points the event at its fields: one data line as a range of `text`, several already joined. */
  reset(event: string | undefined, text: string, start: number, end: number, joined: string | undefined): this {
    this.event = event;
    this.text = text;
    this.start = start;
    this.end = end;
    this.joined = joined;
    return this;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/** The offset just past the last blank line ("\n\n", or "\r\n\r\n" as Google sends it); 0 if none. */
export function endOfLastEvent(data: Buffer): number {
  // Upstreams flush whole events, so a chunk nearly always ends with its blank line: read off its last
  // bytes, not found by two scans (the CRLF one walked the whole chunk for every event of a stream).
  const end = data.length;
  if (
    data[end - 1] === LF &&
    (data[end - 2] === LF || (data[end - 2] === CR && data[end - 3] === LF && data[end - 4] === CR))
  ) {
    return end;
  }
  const lf = data.lastIndexOf("\n\n");
  const crlf = data.lastIndexOf("\r\n\r\n");
  return Math.max(lf === -1 ? 0 : lf + 2, crlf === -1 ? 0 : crlf + 4);
}

export class SseDecoder {
  private tail: Buffer | undefined;
  private readonly event = new SseEvent();

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(chunk: Buffer): void {
    const data = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    const cut = endOfLastEvent(data);
    this.tail = cut === data.length ? undefined : data.subarray(cut);
    // A boundary is ASCII, so a whole-event prefix never splits a UTF-8 sequence.
    if (cut > 0) decodeEvents(data.toString("utf8", 0, cut), this.onEvent, this.event);
  }
}

const D = 0x64;
const E = 0x65;
const SPACE = 0x20;

/** Dispatches each event of text made of whole events (SSE's field rules; comments and ids ignored). */
function decodeEvents(text: string, onEvent: (event: SseEvent) => void, reused: SseEvent): void {
  const normalised = text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
  // Walked line by line with indexOf, each line told by its first character: every streamed response
  // passes here. The text ends with a blank line, so every event is dispatched by its own.
  const end = normalised.length;
  let event: string | undefined;
  let dataLines = 0;
  let dataStart = 0;
  let dataEnd = 0;
  let joined: string | undefined;
  let lineStart = 0;
  while (lineStart < end) {
    let lineEnd = normalised.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = end;
    if (lineEnd === lineStart) {
      if (dataLines > 0) onEvent(reused.reset(event, normalised, dataStart, dataEnd, joined));
      event = undefined;
      dataLines = 0;
      joined = undefined;
    } else {
      const first = normalised.charCodeAt(lineStart);
      if (first === D && normalised.startsWith("data:", lineStart)) {
        const valueStart = normalised.charCodeAt(lineStart + 5) === SPACE ? lineStart + 6 : lineStart + 5;
        if (dataLines === 0) {
          dataStart = valueStart;
          dataEnd = lineEnd;
        } else {
          joined = `${joined ?? normalised.slice(dataStart, dataEnd)}\n${normalised.slice(valueStart, lineEnd)}`;
        }
        dataLines++;
      } else if (first === E && normalised.startsWith("event:", lineStart)) {
        const valueStart = normalised.charCodeAt(lineStart + 6) === SPACE ? lineStart + 7 : lineStart + 6;
        event = normalised.slice(valueStart, lineEnd);
      }
    }
    lineStart = lineEnd + 1;
  }
}
