import type { Protocol, StreamObserver, Usage } from "../protocols/protocol.js";
import { jsonOrUndefined } from "./json-body.js";

// A non-streamed response is forwarded as it arrives too; this keeps a bounded copy to read its
// usage once complete.
const MAX_COLLECTED = 8 * 1024 * 1024;

export class BodyObserver implements StreamObserver {
  firstTokenAt: number | undefined;
  streamError: { type: string; message: string } | undefined;
  events = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private result: { usage: Usage | undefined; continuation: string | undefined } | undefined;

  constructor(private readonly protocol: Protocol) {}

  push(chunk: Buffer): void {
    if (this.size + chunk.length > MAX_COLLECTED) return;
    this.parts.push(chunk);
    this.size += chunk.length;
  }

  get usage(): Usage | undefined {
    return this.read().usage;
  }

  get continuation(): string | undefined {
    return this.read().continuation;
  }

  /** The body, parsed once it is complete, and what it says. */
  private read(): { usage: Usage | undefined; continuation: string | undefined } {
    if (!this.result) {
      // Answers carry em dashes and emoji as requests do: the request body's fast parse serves them too.
      const whole = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
      const body = jsonOrUndefined(whole);
      this.parts = [];
      this.result = {
        usage: this.protocol.usageFromBody(body),
        continuation: this.protocol.continuationFromBody?.(body),
      };
    }
    return this.result;
  }

  get completed(): boolean {
    return this.usage !== undefined;
  }
}
