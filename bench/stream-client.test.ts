import { describe, expect, it } from "vitest";
import { readStamps, summarise } from "./stream-client.js";

const spec = { streams: 2, chunkDelayMs: 100 };
const stream = (startedAt: number, arrivals: number[], stamped: Array<{ sentAt: number; delayMs: number }> = []) => ({
  startedAt,
  arrivals,
  stamped,
});

describe("summarise", () => {
  it("measures first bytes and every gap's excess over the upstream's pause", () => {
    const result = summarise(spec, [stream(0, [5, 105, 210]), stream(10, [30, 131, 240])], [], 2, 300);
    expect(result.firstByteMs.max).toBe(20);
    expect(result.chunkGapExcessMs.count).toBe(4);
    expect(result.chunkGapExcessMs.max).toBe(9);
  });

  it("counts as all-open only the gaps that began after the last stream's first byte", () => {
    const result = summarise(
      spec,
      [
        // Its first gap began at 5, before the other stream's first byte at 30: left out.
        stream(0, [5, 150, 250]),
        stream(10, [30, 132, 233]),
      ],
      [],
      2,
      300,
    );
    expect(result.chunkGapExcessMs.max).toBe(45);
    expect(result.chunkGapExcessAllOpenMs.count).toBe(3);
    expect(result.chunkGapExcessAllOpenMs.max).toBe(2);
  });

  it("has no all-open gaps when the first streams ended before the last one began", () => {
    const result = summarise(spec, [stream(0, [5, 105]), stream(200, [210])], [], 2, 300);
    expect(result.chunkGapExcessAllOpenMs.count).toBe(0);
  });

  it("summarises each stamped chunk's delay, all-open from the chunks sent after the last first byte", () => {
    const result = summarise(
      spec,
      [
        stream(
          0,
          [5, 107, 208],
          [
            { sentAt: 4, delayMs: 1 },
            { sentAt: 104, delayMs: 3 },
          ],
        ),
        stream(10, [30, 132], [{ sentAt: 128, delayMs: 4 }]),
      ],
      [],
      2,
      300,
    );
    expect(result.chunkDelayMs.count).toBe(3);
    expect(result.chunkDelayMs.max).toBe(4);
    expect(result.chunkDelayAllOpenMs.count).toBe(2);
    expect(result.chunkDelayAllOpenMs.p50).toBe(3);
  });
});

describe("readStamps", () => {
  it.each([
    ["no stamp", "event: ping\n\n", [], ""],
    ["one stamp before an event", ": sent-at 42\nevent: ping\n\n", [42n], ""],
    ["two stamps", ": sent-at 1\ndata: x\n\n: sent-at 2\ndata: y\n\n", [1n, 2n], ""],
    ["a stamp cut before its newline is kept whole", "data: x\n\n: sent-at 12", [], ": sent-at 12"],
    ["a prefix cut in two keeps its start", "data: x\n\n: sent-", [], ": sent-"],
  ])("%s", (_label, text, sent, rest) => {
    expect(readStamps(text)).toEqual({ sent, rest });
  });

  it("reads a stamp split across two reads once", () => {
    const first = readStamps("data: x\n\n: sen");
    const second = readStamps(`${first.rest}t-at 77\ndata: y\n\n`);
    expect([...first.sent, ...second.sent]).toEqual([77n]);
  });
});
