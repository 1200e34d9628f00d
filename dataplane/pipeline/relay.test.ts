import { createServer, IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Dispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { anthropicProtocol } from "../protocols/anthropic/index.js";
import { geminiProtocol } from "../protocols/gemini/index.js";
import type { Protocol, StreamObserver } from "../protocols/protocol.js";
import { GatewayResponse } from "../server/gateway-response.js";
import { UpstreamCall } from "../upstream/upstream-call.js";
import { BodyObserver } from "./body-observer.js";
import { ClientResponse } from "./client-response.js";
import { relay } from "./relay.js";

// The usage record is spooled in relay's `completing` callback: it must run, and its line be written
// (`written`), before the client can hold a whole answer, so a process killed right after the client
// got it has still spooled it.

const controller = { pause() {}, resume() {}, abort() {} } as unknown as Dispatcher.DispatchController;

const STREAM = [
  'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":7}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
];
// Gemini's finishReason can come before the chunk with the final usage.
const GEMINI = [
  'data: {"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3}}\n\n',
  'data: {"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":7}}\n\n',
];
const BODY = [
  '{"type":"message","content":[{"type":"text","text":"hi"}],',
  '"usage":{"input_tokens":5,"output_tokens":7}}',
];

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/**
 * Relays `chunks` (then the upstream's end) to a real client and returns what happened, in order:
 * "complete" when the callback ran (with the output tokens observed then), "written" when it said the
 * record was written (after `writtenAfterMs`, as the spool does at the event loop turn's end),
 * "write:<text>" and "end".
 */
async function run(
  chunks: string[],
  streaming: boolean,
  protocol: Protocol = anthropicProtocol,
  writtenAfterMs = 0,
): Promise<string[]> {
  const events: string[] = [];
  const listening = createServer({ IncomingMessage, ServerResponse: GatewayResponse }, (_req, res) => {
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: Buffer) => {
      events.push(`write:${chunk.toString()}`);
      return write(chunk);
    }) as typeof res.write;
    res.end = ((chunk?: Buffer) => {
      events.push(chunk ? `end:${chunk.toString()}` : "end");
      return end(chunk);
    }) as typeof res.end;
    res.writeHead(200, { "content-type": streaming ? "text/event-stream" : "application/json" });
    const call = new UpstreamCall();
    call.onRequestStart(controller);
    call.onResponseStart(controller, 200, {});
    const observer: StreamObserver = streaming ? protocol.createStreamObserver(() => 0) : new BodyObserver(protocol);
    void relay(call, new ClientResponse(res, protocol), observer, protocol, streaming, (written) => {
      events.push(`complete:${observer.usage?.outputTokens}`);
      setTimeout(() => {
        events.push("written");
        written();
      }, writtenAfterMs);
    });
    for (const chunk of chunks) call.onResponseData(controller, Buffer.from(chunk));
    call.onResponseEnd();
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  const response = await fetch(`http://127.0.0.1:${(listening.address() as AddressInfo).port}/`);
  expect(await response.text()).toBe(chunks.join(""));
  return events;
}

// What the client is sent of STREAM: three events, then the final one only once its record is written.
const STREAM_WRITES = [
  `write:${STREAM[0]}`,
  `write:${STREAM[1]}`,
  `write:${STREAM[2]}`,
  "complete:7",
  "written",
  `write:${STREAM[3]}`,
];

describe("relay", () => {
  it("runs completing before the event that ends a stream is written, with the final usage", async () => {
    const events = await run(STREAM, true);
    expect(events).toEqual([...STREAM_WRITES, "end"]);
  });

  it("sends nothing after a stream's final event until the record is written, then all of it in order", async () => {
    const [start, delta, usage, stop] = STREAM as [string, string, string, string];
    const events = await run(
      [start, delta, usage, stop.slice(0, 10), stop.slice(10), ": trailer\n\n"],
      true,
      anthropicProtocol,
      30,
    );
    expect(events).toEqual([...STREAM_WRITES, "write:: trailer\n\n", "end"]);
  });

  it("runs completing at the upstream's end for a stream with no final event (Gemini), with the last usage", async () => {
    const events = await run(GEMINI, true, geminiProtocol);
    expect(events).toEqual([`write:${GEMINI[0]}`, `write:${GEMINI[1]}`, "complete:7", "written", "end"]);
  });

  it("holds a body's last chunk back until completing has run with the body's usage", async () => {
    const events = await run(BODY, false);
    expect(events).toEqual([`write:${BODY[0]}`, "complete:7", "written", `end:${BODY[1]}`]);
  });
});
