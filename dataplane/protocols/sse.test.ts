import { describe, expect, it } from "vitest";
import { endOfLastEvent, SseDecoder, type SseEvent } from "./sse.js";

function decode(chunks: Array<string | Buffer>): Array<Pick<SseEvent, "event" | "data">> {
  const events: Array<Pick<SseEvent, "event" | "data">> = [];
  // The decoder reuses its event: what it holds is copied during the call.
  const decoder = new SseDecoder(({ event, data }) => events.push({ event, data }));
  for (const chunk of chunks) decoder.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return events;
}

describe("SseDecoder", () => {
  it.each([
    ["one event with a name", ["event: ping\ndata: {}\n\n"], [{ event: "ping", data: "{}" }]],
    ["no space after the colon", ["event:a\ndata:1\n\n"], [{ event: "a", data: "1" }]],
    ["only the first space is dropped", ["data:  two\n\n"], [{ event: undefined, data: " two" }]],
    ["several data lines", ["data: a\ndata: b\n\n"], [{ event: undefined, data: "a\nb" }]],
    [
      "comments, ids and retry are skipped",
      [": ping\n\nid: 7\nretry: 5\ndata: x\n\n"],
      [{ event: undefined, data: "x" }],
    ],
    ["an event without data is not dispatched", ["event: empty\n\n"], []],
    [
      "CRLF separators",
      ["data: 1\r\n\r\ndata: 2\r\n\r\n"],
      [
        { event: undefined, data: "1" },
        { event: undefined, data: "2" },
      ],
    ],
    ["a split event waits for its end", ['data: {"a"', ":1}\n", "\n"], [{ event: undefined, data: '{"a":1}' }]],
    ["an unfinished last event is not dispatched", ["data: 1\n\ndata: 2"], [{ event: undefined, data: "1" }]],
    ["[DONE]", ["data: [DONE]\n\n"], [{ event: undefined, data: "[DONE]" }]],
    ["an empty data line", ["data:\ndata: \ndata: x\n\n"], [{ event: undefined, data: "\n\nx" }]],
    [
      "fields only named like data or event are skipped",
      ["database: 1\neventual: 2\ndat: 3\ndata: 4\n\n"],
      [{ event: undefined, data: "4" }],
    ],
    ["a line without a colon is skipped", ["data\nevent\ndata: 1\n\n"], [{ event: undefined, data: "1" }]],
    ["a colon in the value stays", ['event: a:b\ndata: {"k":1}\n\n'], [{ event: "a:b", data: '{"k":1}' }]],
    [
      "blank lines between events",
      ["data: 1\n\n\n\ndata: 2\n\n"],
      [
        { event: undefined, data: "1" },
        { event: undefined, data: "2" },
      ],
    ],
  ])("%s", (_name, chunks, expected) => {
    expect(decode(chunks)).toEqual(expected);
  });

  it("keeps a UTF-8 character split across chunks whole", () => {
    const bytes = Buffer.from('data: "héllo ✓"\n\n');
    const at = bytes.indexOf(Buffer.from("✓")) + 1;
    expect(decode([bytes.subarray(0, at), bytes.subarray(at)])).toEqual([{ event: undefined, data: '"héllo ✓"' }]);
  });

  it("decodes byte by byte as it does whole", () => {
    const text = 'event: message_start\ndata: {"x":1}\n\nevent: message_stop\ndata: {}\n\n';
    const bytes = Buffer.from(text);
    const byByte = decode([...bytes].map((b) => Buffer.from([b])));
    expect(byByte).toEqual(decode([text]));
    expect(byByte).toHaveLength(2);
  });
});

describe("endOfLastEvent", () => {
  it.each([
    ["ends with a blank line", "data: 1\n\ndata: 2\n\n", 18],
    ["ends with a CRLF blank line", "data: 1\r\n\r\n", 11],
    ["ends mid-event: the last blank line before it", "data: 1\n\ndata: 2\n", 9],
    ["ends mid-event after a CRLF blank line", "data: 1\r\n\r\ndata: 2\r\n", 11],
    ["a lone CR LF at the end is no blank line", "data: 1\n\ndata: 2\r\n", 9],
    ["LF then CRLF: neither separator looked for (as before the fast path)", "data: 1\n\r\n", 0],
    ["no blank line at all", "data: 1\n", 0],
    ["a single byte", "\n", 0],
    ["empty", "", 0],
  ])("%s", (_name, text, cut) => {
    expect(endOfLastEvent(Buffer.from(text))).toBe(cut);
  });
});
