import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";

// One upstream exchange on undici's callback API (no promise per chunk). The response head is a
// promise, so the pipeline can decide (fail over, or stream) before any byte reaches the client;
// the body is then either collected (errors, non-streamed JSON) or streamed into a sink with
// backpressure: a full sink pauses the upstream socket.

export interface UpstreamRequest {
  origin: string;
  path: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: Buffer | undefined;
}

export interface UpstreamHead {
  status: number;
  headers: IncomingHttpHeaders;
}

export interface ResponseSink {
  /** Returns false when the sink is full; it then calls the drain callback once it can take more. */
  write(chunk: Buffer): boolean;
  end(): void;
  fail(error: Error): void;
}

const HELD_BYTES_BEFORE_PAUSE = 256 * 1024;

export class UpstreamCall implements Dispatcher.DispatchHandler {
  private headPromise: Promise<UpstreamHead> | undefined;
  private received: UpstreamHead | undefined;
  private resolveHead: ((head: UpstreamHead) => void) | undefined;
  private rejectHead: ((error: Error) => void) | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private sink: ResponseSink | undefined;
  private ended = false;
  private error: Error | undefined;
  private abortReason: Error | undefined;

  /**
   * The response head. Made when first asked for, by a caller that awaits it: a call whose head nobody
   * awaits leaves no promise to be rejected unhandled (a catch() on each was one more promise per
   * request).
   */
  get head(): Promise<UpstreamHead> {
    this.headPromise ??= this.received
      ? Promise.resolve(this.received)
      : this.error
        ? Promise.reject(this.error)
        : new Promise((resolve, reject) => {
            this.resolveHead = resolve;
            this.rejectHead = reject;
          });
    return this.headPromise;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    this.received = { status, headers };
    this.resolveHead?.(this.received);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.sink) {
      if (!this.sink.write(chunk)) controller.pause();
      return;
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= HELD_BYTES_BEFORE_PAUSE) controller.pause();
  }

  onResponseEnd(): void {
    this.ended = true;
    this.sink?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.error = error;
    this.rejectHead?.(error);
    this.sink?.fail(error);
  }

  /** Streams the body into the sink: what arrived before is flushed first. */
  attach(sink: ResponseSink): void {
    this.sink = sink;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    let full = false;
    for (const chunk of held) full = !sink.write(chunk) || full;
    if (this.error) sink.fail(this.error);
    else if (this.ended) sink.end();
    else if (full) this.controller?.pause();
    else this.controller?.resume();
  }

  /** Call when the sink drained after a write returned false. */
  resume(): void {
    this.controller?.resume();
  }

  /** Reads the whole body, up to limit bytes (the rest is dropped and the upstream aborted). */
  collect(limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        resolve(Buffer.concat(parts));
      };
      this.attach({
        write: (chunk) => {
          if (size < limit) {
            const take = chunk.subarray(0, limit - size);
            parts.push(take);
            size += take.length;
          }
          if (size >= limit) {
            finish();
            this.abort(new Error("upstream body over the collect limit"));
          }
          return true;
        },
        end: finish,
        fail: (error) => {
          if (done) return;
          done = true;
          reject(error);
        },
      });
    });
  }

  abort(reason: Error): void {
    if (this.ended || this.error) return;
    if (this.controller) this.controller.abort(reason);
    else this.abortReason = reason;
  }
}
