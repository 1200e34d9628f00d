import { describe, expect, it } from "vitest";
import { luaString, parseWrkOutput, wrkScript } from "./wrk.js";

describe("luaString", () => {
  it.each([
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["a\\b\nc", '"a\\\\b\\nc"'],
  ])("%j", (input, expected) => {
    expect(luaString(input)).toBe(expected);
  });
});

describe("wrkScript", () => {
  const base = { method: "POST" as const, headers: { "x-api-key": "k" }, bodyFile: "/tmp/b.json" };

  it("sets method, headers and body, and reports one JSON line", () => {
    const script = wrkScript(base);
    expect(script).toContain('wrk.method = "POST"');
    expect(script).toContain('wrk.headers["x-api-key"] = "k"');
    expect(script).toContain('io.open("/tmp/b.json", "rb")');
    expect(script).toContain("function done(");
    expect(script).not.toContain("function delay(");
  });

  it("paces with a random delay only when asked", () => {
    expect(wrkScript({ ...base, maxDelayMs: 40 })).toContain("math.random(0, 40)");
  });
});

describe("parseWrkOutput", () => {
  it("reads the result line among wrk's own output", () => {
    const out = [
      "Running 1s test @ http://127.0.0.1:1/v1/messages",
      'WRK_RESULT {"requests":500,"durationUs":1000000,"errors":2,"p50":310,"p90":400,"p99":900,"max":1500,"mean":330.5}',
    ].join("\n");
    expect(parseWrkOutput(out)).toEqual({
      requests: 500,
      durationSec: 1,
      errors: 2,
      latencyUs: { p50: 310, p90: 400, p99: 900, max: 1500, mean: 330.5 },
    });
  });

  it("fails when wrk printed no result", () => {
    expect(() => parseWrkOutput("unable to connect")).toThrow(/no result line/);
  });
});
