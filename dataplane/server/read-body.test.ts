import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { readBody } from "./read-body.js";

// readBody on a real server socket: the body as sent, whether its length is declared or chunked and
// however the bytes are split across packets; over the limit, refused.

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Sends raw request bytes in pieces (a pause between them) and returns what readBody gave. */
async function read(pieces: string[], limit = 1024): Promise<string> {
  let answered: (outcome: string) => void = () => {};
  const outcome = new Promise<string>((resolve) => {
    answered = resolve;
  });
  const listening = createServer((req, res) => {
    readBody(req, limit).then(
      (body) => answered(`body:${body.toString("utf8")}`),
      (error: unknown) => answered(`error:${error instanceof GatewayError ? error.code : String(error)}`),
    );
    res.end();
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  const { port } = listening.address() as { port: number };
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  for (const piece of pieces) {
    socket.write(piece);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const result = await outcome;
  socket.destroy();
  return result;
}

const head = (headers: string) => `POST / HTTP/1.1\r\nHost: x\r\n${headers}\r\n`;

describe("readBody", () => {
  it.each([
    ["a declared length in one packet", [`${head("Content-Length: 11\r\n")}hello world`], "body:hello world"],
    [
      "a declared length split across packets",
      [`${head("Content-Length: 11\r\n")}hel`, "lo w", "orld"],
      "body:hello world",
    ],
    ["an empty body", [head("Content-Length: 0\r\n")], "body:"],
    [
      "a chunked body in one packet",
      [`${head("Transfer-Encoding: chunked\r\n")}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`],
      "body:hello world",
    ],
    [
      "a chunked body in one packet over the limit",
      [`${head("Transfer-Encoding: chunked\r\n")}401\r\n${"x".repeat(1025)}\r\n0\r\n\r\n`],
      "error:REQUEST_TOO_LARGE",
    ],
    [
      "a chunked body",
      [`${head("Transfer-Encoding: chunked\r\n")}5\r\nhello\r\n`, "6\r\n world\r\n", "0\r\n\r\n"],
      "body:hello world",
    ],
    ["a declared length over the limit", [`${head("Content-Length: 2000\r\n")}x`], "error:REQUEST_TOO_LARGE"],
    [
      "a chunked body growing past the limit",
      [`${head("Transfer-Encoding: chunked\r\n")}400\r\n${"x".repeat(1024)}\r\n`, `1\r\ny\r\n0\r\n\r\n`],
      "error:REQUEST_TOO_LARGE",
    ],
  ])("%s", async (_label, pieces, expected) => {
    expect(await read(pieces)).toBe(expected);
  });
});
