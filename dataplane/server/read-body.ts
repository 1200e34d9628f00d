import type { IncomingMessage } from "node:http";
import { GatewayError } from "../errors.js";

// Reads a request body up to a limit. An over-long body is refused from its Content-Length before
// reading, or as soon as the bytes read pass the limit (chunked uploads).
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop reading; the response (413) closes the connection.
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError("REQUEST_TOO_LARGE", `request body exceeds the limit of ${limit} bytes`);
}
