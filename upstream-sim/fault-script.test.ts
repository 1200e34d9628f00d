import { describe, expect, it } from "vitest";
import { FaultScript, parseFaultSteps } from "./fault-script.js";
import type { FaultStep } from "./types.js";

describe("parseFaultSteps", () => {
  const valid: unknown[] = [
    [],
    [{ kind: "status", status: 500 }],
    [{ kind: "status", status: 418, body: "teapot", headers: { "x-a": "b" }, times: 2, delayMs: 5 }],
    [{ kind: "rate-limit", resetSeconds: 12.5, hints: ["retry-after", "gemini-message"] }],
    [{ kind: "overloaded" }, { kind: "invalid-project" }, { kind: "empty-stream" }, { kind: "hang" }],
    [{ kind: "cut-stream", afterEvents: 0 }],
    [{ kind: "stream-error", afterEvents: 2, errorType: "api_error", message: "boom" }],
    [{ kind: "reply", text: "x", chunks: 3, chunkDelayMs: 10 }],
  ];
  it.each(valid.map((steps) => [steps]))("accepts %j", (steps) => {
    expect(parseFaultSteps(steps)).toEqual(steps);
  });

  const invalid: [unknown, string][] = [
    [{}, "steps must be an array"],
    [[1], "steps[0] must be an object"],
    [[{ kind: "explode" }], "steps[0].kind must be one of"],
    [[{ kind: "status" }], "steps[0].status is required"],
    [[{ kind: "status", status: 99 }], "steps[0].status has an invalid value"],
    [[{ kind: "hang", times: 0 }], "steps[0].times has an invalid value"],
    [[{ kind: "hang", times: 1.5 }], "steps[0].times has an invalid value"],
    [[{ kind: "reply", delayMs: -1 }], "steps[0].delayMs has an invalid value"],
    [[{ kind: "cut-stream" }], "steps[0].afterEvents is required"],
    [[{ kind: "rate-limit", hints: ["nope"] }], "steps[0].hints has an invalid value"],
    [[{ kind: "status", status: 500, headers: { a: 1 } }], "steps[0].headers has an invalid value"],
    [
      [{ kind: "hang" }, { kind: "overloaded", afterEvents: 1 }],
      'steps[1].afterEvents is not a field of a "overloaded" step',
    ],
  ];
  it.each(invalid)("rejects %j", (steps, message) => {
    expect(parseFaultSteps(steps)).toContain(message);
  });
});

describe("FaultScript", () => {
  it("hands out steps in order, honouring times, then nothing", () => {
    const script = new FaultScript();
    const a: FaultStep = { kind: "overloaded", times: 2 };
    const b: FaultStep = { kind: "hang" };
    script.add("acct", [a]);
    script.add("acct", [b]);
    expect([script.next("acct"), script.next("acct"), script.next("acct"), script.next("acct")]).toEqual([
      a,
      a,
      b,
      null,
    ]);
  });

  it("keeps accounts apart and clears", () => {
    const script = new FaultScript();
    script.add("one", [{ kind: "hang" }]);
    expect(script.next("two")).toBeNull();
    script.clear();
    expect(script.next("one")).toBeNull();
  });
});
