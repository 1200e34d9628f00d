import type { Protocol, StreamObserver, Usage } from "../protocols/protocol.js";
import { parseJson } from "../protocols/protocol.js";

// A non-streamed response is forwarded as it arrives too; this keeps a bounded copy to read its
// usage once complete.
const MAX_COLLECTED = 8 * 1024 * 1024;

export class BodyObserver implements StreamObserver {
  firstTokenAt: number | undefined;
  streamError: { type: string; message: string } | undefined;
  events = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private body: unknown;
  private parsed = false;

  constructor(private readonly protocol: Protocol) {}

  push(chunk: Buffer): void {
    if (this.size + chunk.length > MAX_COLLECTED) return;
    this.parts.push(chunk);
    this.size += chunk.length;
  }

  get usage(): Usage | undefined {
    return this.protocol.usageFromBody(this.parsedBody());
  }

  get continuation(): string | undefined {
    return this.protocol.continuationFromBody?.(this.parsedBody());
  }

  private parsedBody(): unknown {
    if (!this.parsed) {
      this.parsed = true;
      this.body = parseJson(Buffer.concat(this.parts, this.size).toString("utf8"));
      this.parts = [];
    }
    return this.body;
  }

  get completed(): boolean {
    return this.usage !== undefined;
  }
}
