import { endOfLastEvent } from "../protocols/sse.js";

// Streams are forwarded byte for byte, but only up to the end of the last whole SSE event: the
// bytes of an event still arriving are held until it is complete. A stream that breaks mid-event
// then ends with a clean error event instead of one glued onto half an event (clients would report
// a JSON parse error rather than the failure). Events are separated by a blank line: "\n\n", or
// "\r\n\r\n" as Google sends them.
export class SseFramer {
  private tail: Buffer | undefined;

  /** The bytes that complete events and can be sent now (undefined: none yet). */
  push(chunk: Buffer): Buffer | undefined {
    const data = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    const cut = endOfLastEvent(data);
    this.tail = cut === data.length ? undefined : data.subarray(cut);
    return cut === 0 ? undefined : cut === data.length ? data : data.subarray(0, cut);
  }

  /** What is held: sent when the stream ends cleanly, dropped when it breaks. */
  flush(): Buffer | undefined {
    const tail = this.tail;
    this.tail = undefined;
    return tail;
  }
}
