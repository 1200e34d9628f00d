import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { RequestTrack } from "../metrics/data-plane-metrics.js";

const REQUEST_ID_HEADER = "x-tollgate-request-id";

type HeadHeaders = OutgoingHttpHeaders | OutgoingHttpHeader[];

/**
 * The data plane's response: once a proxied request has its id, every response head carries it
 * (x-tollgate-request-id), whichever path answers, an implicit head from end() included. The id joins
 * the head's own headers instead of going in first with setHeader, which sent Node's writeHead down
 * its slow path (every header merged through setHeader again): ~3 µs of every request under load.
 */
export class GatewayResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  requestId: string | undefined;
  /** The metrics' record of a proxied request (DataPlaneMetrics.begin). */
  track: RequestTrack | undefined;
  /** Run when the response closes, for the server's bookkeeping. */
  onClosed: ((res: GatewayResponse) => void) | undefined;
  /** Run when the response closes, for the request step running then (ClientResponse.whenClosed). */
  onGone: (() => void) | undefined;
  /** A client that takes none of the answer this long while its socket is full is dropped; 0: never. */
  clientIdleMs = 0;

  constructor(req: Request) {
    super(req);
    // One listener, a shared function, for both: a closure and a once() wrapper each, added per
    // request by the server and by the client's side of an exchange, were a cost of every request.
    this.on("close", closed);
  }

  override writeHead(statusCode: number, reasonOrHeaders?: string | HeadHeaders, headers?: HeadHeaders): this {
    const reason = typeof reasonOrHeaders === "string" ? reasonOrHeaders : undefined;
    let own = typeof reasonOrHeaders === "string" ? headers : reasonOrHeaders;
    if (this.requestId !== undefined) {
      // Object.assign, not a spread: in a Node 20 microbenchmark a spread adding the key took ~0.6 µs,
      // this a tenth of it.
      own = Array.isArray(own)
        ? [...own, REQUEST_ID_HEADER, this.requestId]
        : Object.assign({ [REQUEST_ID_HEADER]: this.requestId }, own);
    }
    return reason === undefined ? super.writeHead(statusCode, own) : super.writeHead(statusCode, reason, own);
  }

  // The client idle limit is a socket timeout armed only while the client's socket is full. Armed on
  // every connection (node:http's server.timeout), it is refreshed by each read and write and set anew
  // for each request on a kept-alive connection: about 2 µs per request for a bare node:http server
  // under wrk (median of ten alternating pairs of runs with and without it; a throwaway script).

  /** A write found the client's socket full: drop the client unless it takes more within the limit. */
  clientBlocked(): void {
    if (this.clientIdleMs > 0) this.socket?.setTimeout(this.clientIdleMs);
  }

  /** The client took what was waiting ('drain'). Only while the answer is still being written. */
  clientCaughtUp(): void {
    if (this.clientIdleMs > 0) this.socket?.setTimeout(0);
  }

  /**
   * Every answer's end, whoever writes it: if its last bytes are still waiting for the client's socket
   * once the turn's writes are flushed, the limit applies until they leave (then node:http's keep-alive
   * timeout takes the socket over).
   */
  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    super.end(chunk as string, encoding as BufferEncoding, callback as () => void);
    if (this.clientIdleMs > 0 && !this.writableFinished) process.nextTick(armIfUnsent, this);
    return this;
  }
}

function armIfUnsent(res: GatewayResponse): void {
  if (res.writableLength > 0 && !res.writableFinished) res.socket?.setTimeout(res.clientIdleMs);
}

function closed(this: GatewayResponse): void {
  this.onGone?.();
  this.onClosed?.(this);
}
