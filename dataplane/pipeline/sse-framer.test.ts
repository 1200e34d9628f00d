import { describe, expect, it } from "vitest";
import { SseFramer } from "./sse-framer.js";

function run(chunks: string[]) {
  const framer = new SseFramer();
  const sent = chunks.map((c) => framer.push(Buffer.from(c))?.toString() ?? null);
  return { sent, held: framer.flush()?.toString() ?? null };
}

describe("SseFramer", () => {
  it.each([
    [
      "whole events pass as they are",
      ["event: a\ndata: 1\n\n", "data: 2\n\n"],
      ["event: a\ndata: 1\n\n", "data: 2\n\n"],
      null,
    ],
    ["a split event waits for its end", ['data: {"a":', "1}\n\n"], [null, 'data: {"a":1}\n\n'], null],
    ["complete events go, the partial one waits", ["data: 1\n\ndata: 2", "\n\n"], ["data: 1\n\n", "data: 2\n\n"], null],
    ["a break mid-event leaves the partial held", ['data: 1\n\ndata: {"x'], ["data: 1\n\n"], 'data: {"x'],
    ["CRLF separators (Google)", ["data: 1\r\n\r\ndata: 2\r\n", "\r\n"], ["data: 1\r\n\r\n", "data: 2\r\n\r\n"], null],
    ["a blank line split across chunks", ["data: 1\n", "\ndata: 2\n\n"], [null, "data: 1\n\ndata: 2\n\n"], null],
    ["no separator at the very end", ["data: [DONE]"], [null], "data: [DONE]"],
  ])("%s", (_name, chunks, sent, held) => {
    expect(run(chunks)).toEqual({ sent, held });
  });
});
