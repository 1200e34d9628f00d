import { describe, expect, it } from "vitest";
import { calibrate, calibrationLine } from "./calibration.js";

describe("calibrate", () => {
  it("times a JSON parse and a loopback round trip", async () => {
    const text = JSON.stringify({
      messages: Array.from({ length: 200 }, (_, i) => ({ role: "user", content: `turn ${i}` })),
    });
    const { jsonParseUs, loopbackRoundTripUs } = await calibrate(text, true);
    for (const us of [jsonParseUs, loopbackRoundTripUs]) {
      expect(Number.isFinite(us)).toBe(true);
      expect(us).toBeGreaterThan(0);
    }
  });
});

describe("calibrationLine", () => {
  it("gives the start alone until the end is measured", () => {
    expect(calibrationLine({ jsonParseUs: 149.6, loopbackRoundTripUs: 29.5 }, undefined)).toBe(
      "Machine speed (bench/calibration.ts, at start): JSON.parse of the 76 KB request 150 µs, loopback TCP round trip 30 µs",
    );
    expect(calibrationLine(undefined, undefined)).toBeUndefined();
  });

  const speed = (jsonParseUs: number, loopbackRoundTripUs = 40) => ({ jsonParseUs, loopbackRoundTripUs });
  const FLAG = "The machine's speed changed during the run";
  it.each([
    ["a parse as fast at the end", speed(70), speed(75, 62), undefined],
    ["a parse 1.4x slower at the end", speed(70), speed(98), undefined],
    ["a parse 1.8x slower at the end", speed(71), speed(129), "the parse 1.8x slower at the end"],
    ["a parse 1.7x faster at the end", speed(121), speed(71), "the parse 1.7x faster at the end"],
    ["only the loopback 2x slower", speed(55), speed(56, 80), undefined],
  ])("with %s, flags a changed machine only on the parse", (_, start, end, flagged) => {
    const line = calibrationLine(start, end) as string;
    expect(line).toMatch(
      /^Machine speed \(bench\/calibration\.ts, at start \/ end\): JSON\.parse of the 76 KB request /,
    );
    if (flagged) expect(line).toContain(`${FLAG} (${flagged})`);
    else expect(line).not.toContain(FLAG);
  });
});
