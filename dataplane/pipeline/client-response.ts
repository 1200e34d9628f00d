import type { GatewayError } from "../errors.js";
import type { Protocol } from "../protocols/protocol.js";
import type { GatewayResponse } from "../server/gateway-response.js";
import { sendError } from "./respond.js";

// The client's side of an exchange. A stream that waits long for a free slot gets its 200 and SSE
// comment pings early (so clients and proxies do not time out); after that every failure must be
// told inside the stream, in the protocol's own error event.
export class ClientResponse {
  private pinger: NodeJS.Timeout | undefined;

  constructor(
    readonly res: GatewayResponse,
    private readonly protocol: Protocol,
  ) {}

  /**
   * What to do if the response closes from now on (undefined: nothing); replaces the previous handler.
   * Each step (waiting for a slot, for the upstream's head, relaying) sets what the client's leaving
   * means to it, on the response's one close listener: a listener per step cost more on every request.
   */
  whenClosed(handler: (() => void) | undefined): void {
    this.res.onGone = handler;
  }

  /** The client disconnected before the response finished. */
  get gone(): boolean {
    return this.res.destroyed && !this.res.writableFinished;
  }

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  /** Sends the stream's 200 now and a comment every intervalMs until stopKeepAlive(); every SSE parser skips comments. */
  startKeepAlive(intervalMs: number): void {
    if (this.pinger || this.res.headersSent) return;
    this.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    this.res.write(": ping\n\n");
    this.pinger = setInterval(() => this.res.write(": ping\n\n"), intervalMs);
    this.pinger.unref();
  }

  stopKeepAlive(): void {
    clearInterval(this.pinger);
    this.pinger = undefined;
  }

  fail(error: GatewayError): void {
    this.stopKeepAlive();
    if (this.res.headersSent) {
      if (!this.res.writableEnded) this.res.end(this.protocol.streamErrorEvent(`${error.code}: ${error.message}`));
      return;
    }
    sendError(this.res, this.protocol, error);
  }
}
