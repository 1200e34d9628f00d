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
});
