import pino from "pino";
import { describe, expect, it } from "vitest";
import { LogThrottle, throttledWarnings } from "./log-throttle.js";

describe("LogThrottle", () => {
  // Each line: its kind, "@", when it came (ms); each verdict: lines held back before it, or "-" held back.
  it.each([
    ["the first line of a kind is written at once", "a@0", "0"],
    ["lines within the interval are held back", "a@0 a@1 a@9999", "0 - -"],
    ["the first line after the interval says how many were held back", "a@0 a@5 a@6 a@10000", "0 - - 2"],
    ["a quiet interval starts over with none held back", "a@0 a@25000 a@40000", "0 0 0"],
    ["each kind has its own interval", "a@0 b@1 a@2 b@3", "0 0 - -"],
  ])("%s", (_label, lines, verdicts) => {
    const throttle = new LogThrottle(10_000);
    const admitted = lines.split(" ").map((line) => {
      const [kind, at] = line.split("@");
      return throttle.admit(kind as string, Number(at)) ?? "-";
    });
    expect(admitted.join(" ")).toBe(verdicts);
  });
});

describe("throttledWarnings", () => {
  it("writes the message with its detail, and the count held back when there is one", () => {
    const written: Array<Record<string, unknown>> = [];
    const log = pino({ level: "warn" }, { write: (line: string) => written.push(JSON.parse(line)) });
    let now = 0;
    const warn = throttledWarnings(log, 1_000, () => now);
    for (const at of [0, 10, 20, 1_500]) {
      now = at;
      warn({ requestId: `r${at}` }, "routing store unreachable; request refused");
    }
    expect(written.map(({ requestId, heldBack, msg }) => ({ requestId, heldBack, msg }))).toEqual([
      { requestId: "r0", heldBack: undefined, msg: "routing store unreachable; request refused" },
      { requestId: "r1500", heldBack: 2, msg: "routing store unreachable; request refused" },
    ]);
  });

  it("keeps a window per account for a warning about one, so no account's failure is hidden by another's", () => {
    const written: Array<Record<string, unknown>> = [];
    const log = pino({ level: "warn" }, { write: (line: string) => written.push(JSON.parse(line)) });
    let now = 0;
    const warn = throttledWarnings(log, 1_000, () => now);
    for (const [at, accountId] of [
      [0, "acc-a"],
      [10, "acc-b"],
      [20, "acc-a"],
      [30, "acc-b"],
      [1_500, "acc-a"],
    ] as const) {
      now = at;
      warn({ err: "unreachable" }, "account state report failed", accountId);
    }
    expect(written.map(({ accountId, heldBack }) => ({ accountId, heldBack }))).toEqual([
      { accountId: "acc-a", heldBack: undefined },
      { accountId: "acc-b", heldBack: undefined },
      { accountId: "acc-a", heldBack: 1 },
    ]);
  });
});
