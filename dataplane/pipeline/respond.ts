import type { ServerResponse } from "node:http";
import { GatewayError } from "../errors.js";
import type { Protocol } from "../protocols/protocol.js";

/** Sends an error in the protocol's envelope; a response already under way is ended instead. */
export function sendError(res: ServerResponse, protocol: Pick<Protocol, "errorBody">, error: GatewayError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const { contentType, body } = protocol.errorBody(error);
  res.writeHead(error.status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Anything thrown that is not a GatewayError is our bug: the client gets a plain 500 in its envelope. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError("INTERNAL_ERROR", "internal error");
}
