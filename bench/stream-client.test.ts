import { describe, expect, it } from "vitest";
import { summarise } from "./stream-client.js";

const spec = { streams: 2, chunkDelayMs: 100 };

describe("summarise", () => {
  it("measures first bytes and every gap's excess over the upstream's pause", () => {
    const result = summarise(
      spec,
      [
        { startedAt: 0, arrivals: [5, 105, 210] },
        { startedAt: 10, arrivals: [30, 131, 240] },
      ],
      [],
      2,
      300,
    );
    expect(result.firstByteMs.max).toBe(20);
    expect(result.chunkGapExcessMs.count).toBe(4);
    expect(result.chunkGapExcessMs.max).toBe(9);
  });

  it("counts as all-open only the gaps that began after the last stream's first byte", () => {
    const result = summarise(
      spec,
      [
        // Its first gap began at 5, before the other stream's first byte at 30: left out.
        { startedAt: 0, arrivals: [5, 150, 250] },
        { startedAt: 10, arrivals: [30, 132, 233] },
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
    const result = summarise(
      spec,
      [
        { startedAt: 0, arrivals: [5, 105] },
        { startedAt: 200, arrivals: [210] },
      ],
      [],
      2,
      300,
    );
    expect(result.chunkGapExcessAllOpenMs.count).toBe(0);
  });
});
